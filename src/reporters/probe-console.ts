/**
 * The console view of a probe: one line per check as it finishes, then the
 * security findings with their evidence, then the conformance findings
 * (nothing let through: a status or error code differs) with the spec's
 * words, then a one-line verdict. Text from the server is cleaned of
 * control characters before it reaches the terminal.
 */
import type { CheckReport, CheckStatus, Severity } from '../security/check.js';
import { clean, padEnd, plural } from './text.js';

const STATUS_LABEL: Record<CheckStatus, string> = { pass: 'PASS', fail: 'FAIL', skipped: 'SKIP', error: 'ERROR' };
const ID_WIDTH = 34;
const KIND_WIDTH = 11;

export function formatProbeHeader(): string {
  return `${padEnd('result', 6)} ${padEnd('severity', 9)} ${padEnd('kind', KIND_WIDTH)} ${padEnd('check', ID_WIDTH)} reason`;
}

export function formatCheckLine(r: CheckReport): string {
  return `${padEnd(STATUS_LABEL[r.status], 6)} ${padEnd(r.severity, 9)} ${padEnd(r.kind, KIND_WIDTH)} ${padEnd(r.id, ID_WIDTH)} ${clean(r.reason)}`;
}

function formatOne(r: CheckReport): string[] {
  const lines = ['', `${STATUS_LABEL[r.status]} ${r.id} [${r.severity}] ${clean(r.title)}`, `  spec: ${r.spec}`];
  if (r.quote) lines.push(`  the spec says: "${r.quote}"`);
  lines.push(`  why:  ${clean(r.reason)}`);
  for (const ev of r.evidence) {
    lines.push(`  sent: ${clean(ev.request)}`);
    const headers = ev.headers ? ` ${Object.entries(ev.headers).map(([k, v]) => `${k}: ${clean(v)}`).join('; ')}` : '';
    lines.push(`  got:  ${ev.status === 0 ? 'no reply' : ev.status}${headers} ${clean(ev.body)}`.trimEnd());
  }
  return lines;
}

/** Failed or inconclusive checks: security findings first, then conformance findings; each with spec and evidence. */
export function formatFailures(reports: readonly CheckReport[]): string {
  const bad = reports.filter((r) => r.status === 'fail' || r.status === 'error');
  const security = bad.filter((r) => r.kind === 'security');
  const conformance = bad.filter((r) => r.kind === 'conformance');
  const lines: string[] = [];
  if (security.length > 0) lines.push('', 'Security findings (something was let through, or could be) and their evidence:', ...security.flatMap(formatOne));
  if (conformance.length > 0) {
    lines.push('', 'Conformance findings (nothing was let through: a status or error code differs from the spec):', ...conformance.flatMap(formatOne));
  }
  return lines.join('\n');
}

export function countByStatus(reports: readonly CheckReport[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { pass: 0, fail: 0, skipped: 0, error: 0 };
  for (const r of reports) counts[r.status]++;
  return counts;
}

export function formatVerdict(reports: readonly CheckReport[], blocking: readonly CheckReport[], failOn: Severity): string {
  const c = countByStatus(reports);
  const failed = reports.filter((r) => r.status === 'fail');
  const security = failed.filter((r) => r.kind === 'security').length;
  const tally = `${c.pass} passed, ${plural(security, 'security finding')}, ${plural(failed.length - security, 'conformance finding')}, ${c.skipped} skipped` +
    (c.error > 0 ? `, ${c.error} without a verdict` : '');
  if (blocking.length === 0) return `${tally}: no check of severity ${failOn} or above failed`;
  return `${tally}: ${plural(blocking.length, 'check')} of severity ${failOn} or above failed (${blocking.map((r) => r.id).join(', ')})`;
}

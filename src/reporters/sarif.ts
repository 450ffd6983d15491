/**
 * SARIF 2.1.0 (OASIS), the format code-scanning dashboards import. One run
 * whose tool driver lists every check as a rule; each check outcome is a
 * result (`kind` fail/pass/notApplicable/open), located at the target URL,
 * since a probe finds flaws in a running server rather than in a file.
 * A load run's SECURITY rows become results the same way.
 */
import type { CheckReport, Severity } from '../security/check.js';
import type { RunResult } from '../report/run-result.js';
import type { EndOutput } from './output.js';
import { writeReportFile } from './report-file.js';

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const INFORMATION_URI = 'https://github.com/mcpload/mcpload';

type Level = 'error' | 'warning' | 'note' | 'none';

/** GitHub reads `security-severity` (0–10) to rank security results; conformance rules carry none (they are not security alerts). */
const SEVERITY_SCORE: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };
const SEVERITY_LEVEL: Record<Severity, Level> = { critical: 'error', high: 'error', medium: 'warning', low: 'note', info: 'note' };

export interface SarifMeta {
  /** The target probed (base URL or MCP endpoint). */
  target: string;
  toolVersion: string;
  startedAt: string;
  endedAt: string;
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string };
  defaultConfiguration: { level: Level };
  properties: Record<string, unknown>;
}

function ruleName(id: string): string {
  // SARIF rule names are PascalCase identifiers by convention: `session.forged-id` → `SessionForgedId`.
  return id.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') || 'Check';
}

function location(target: string) {
  return [{ physicalLocation: { artifactLocation: { uri: target } }, message: { text: 'the probed server' } }];
}

function envelope(meta: SarifMeta, rules: SarifRule[], results: unknown[]): unknown {
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'mcpload', semanticVersion: meta.toolVersion, version: meta.toolVersion, informationUri: INFORMATION_URI, rules } },
        invocations: [{ executionSuccessful: true, startTimeUtc: meta.startedAt, endTimeUtc: meta.endedAt }],
        results,
      },
    ],
  };
}

/**
 * The probe's reports as a SARIF log (an object; JSON.stringify it). Each
 * rule carries the outcome's kind: a `security` tag and score, or a
 * `conformance` tag at note level with the spec's words.
 */
export function probeToSarif(reports: readonly CheckReport[], meta: SarifMeta): unknown {
  const rules: SarifRule[] = reports.map((r) => ({
    id: r.id,
    name: ruleName(r.id),
    shortDescription: { text: r.title },
    fullDescription: { text: `${r.title}. Rests on: ${r.spec}.${r.quote ? ` The spec: "${r.quote}"` : ''}` },
    help: { text: `See ${r.spec}.` },
    defaultConfiguration: { level: SEVERITY_LEVEL[r.severity] },
    properties: {
      tags: [r.kind, 'mcp', r.category],
      kind: r.kind,
      ...(r.kind === 'security' ? { 'security-severity': SEVERITY_SCORE[r.severity] } : {}),
      precision: 'high',
    },
  }));
  const results = reports.map((r, ruleIndex) => {
    const kind = r.status === 'pass' ? 'pass' : r.status === 'fail' ? 'fail' : r.status === 'skipped' ? 'notApplicable' : 'open';
    return {
      ruleId: r.id,
      ruleIndex,
      kind,
      level: r.status === 'fail' ? SEVERITY_LEVEL[r.severity] : 'none',
      message: { text: `${r.title}: ${r.reason}${r.status === 'fail' && r.kind === 'conformance' ? ' (conformance: nothing was let through)' : ''}` },
      locations: location(meta.target),
      properties: {
        severity: r.severity,
        kind: r.kind,
        spec: r.spec,
        ...(r.quote ? { quote: r.quote } : {}),
        durationMs: r.durationMs,
        evidence: r.evidence.map((e) => ({ request: e.request, status: e.status, body: e.body, ...(e.headers ? { headers: e.headers } : {}) })),
      },
    };
  });
  return envelope(meta, rules, results);
}

/** A load run's SECURITY rows (each a rule) as a SARIF log. */
export function runToSarif(result: RunResult): unknown {
  const rules: SarifRule[] = result.security.map((s) => ({
    id: s.name,
    name: ruleName(s.name),
    shortDescription: { text: `Security check ${s.name} under load` },
    fullDescription: { text: `Security check ${s.name}, repeated beside the load; every attempt must hold.` },
    help: { text: 'A must-hold security check that failed at least once during the load test.' },
    defaultConfiguration: { level: 'error' },
    properties: { tags: ['security', 'mcp', 'load'], 'security-severity': SEVERITY_SCORE.high, precision: 'high' },
  }));
  const results = result.security.map((s, ruleIndex) => ({
    ruleId: s.name,
    ruleIndex,
    kind: s.passed ? 'pass' : 'fail',
    level: s.passed ? 'none' : 'error',
    message: { text: s.passed ? `held in all ${s.attempts} attempts` : `failed ${s.failures} of ${s.attempts} attempts: ${s.evidence.join('; ')}` },
    locations: location(String(result.settings.host ?? 'unknown target')),
    properties: { attempts: s.attempts, failures: s.failures },
  }));
  return envelope({ target: String(result.settings.host ?? ''), toolVersion: result.version, startedAt: result.startedAt, endedAt: result.endedAt }, rules, results);
}

async function writeSarif(file: string, log: unknown): Promise<void> {
  await writeReportFile(file, `${JSON.stringify(log, null, 2)}\n`);
}

/** `--sarif FILE`: a run's security rows, or a probe's checks, each a result. */
export const sarifReport: EndOutput = {
  name: 'sarif', flag: '--sarif', mode: 'end',
  write: (file, result) => writeSarif(file, runToSarif(result)),
  writeProbe: (file, probe, endpoint) => writeSarif(file, probeToSarif(probe.checks, {
    target: endpoint, toolVersion: probe.version, startedAt: probe.startedAt, endedAt: probe.endedAt,
  })),
};

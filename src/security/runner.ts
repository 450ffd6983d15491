/**
 * Runs checks one after another (they share the server and, for the id
 * sample and the tools/list baseline, the context) and turns each outcome
 * into a report row. A check that throws is an `error` row, never a crash.
 */
import type { CheckOutcome, CheckReport, SecurityCheck, Severity } from './check.js';
import { findingOf, severityRank, skip } from './check.js';
import type { ProbeContext } from './probe-context.js';
import { redact } from './probe-http.js';

/**
 * Runs one check; exceptions become an `error` outcome whose text is
 * redacted. A check without a verdict against a target with no MCP endpoint
 * (404 at /mcp: a REST-only server) is skipped: there was nothing to try.
 */
export async function runCheck(check: SecurityCheck, ctx: ProbeContext): Promise<CheckOutcome> {
  let outcome: CheckOutcome;
  try {
    outcome = await check.run(ctx);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    outcome = { status: 'error', reason: `the check threw: ${redact(message, ctx.secrets).split('\n')[0]}`, evidence: [] };
  }
  if (outcome.status === 'error' && await ctx.mcpEndpointMissing().catch(() => false)) {
    return skip(`no MCP endpoint at ${new URL(ctx.opts.mcpUrl).pathname} (404): nothing for this check to try`, outcome.evidence);
  }
  return outcome;
}

export async function runChecks(
  checks: readonly SecurityCheck[],
  ctx: ProbeContext,
  onResult?: (report: CheckReport) => void,
): Promise<CheckReport[]> {
  const reports: CheckReport[] = [];
  for (const check of checks) {
    const started = performance.now();
    const outcome = await runCheck(check, ctx);
    const { kind, severity } = findingOf(check, outcome);
    const report: CheckReport = {
      id: check.id,
      title: check.title,
      category: check.category,
      severity,
      kind,
      spec: check.spec,
      ...(outcome.quote !== undefined ? { quote: outcome.quote } : {}),
      status: outcome.status,
      reason: outcome.reason,
      evidence: outcome.evidence,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    };
    reports.push(report);
    onResult?.(report);
  }
  return reports;
}

/**
 * Failed (or inconclusive) checks at or above `failOn`: what makes the probe
 * exit 1. Conformance findings are `info` or `low`, so the default floor
 * (`medium`) is decided by security findings alone.
 */
export function blockingFailures(reports: readonly CheckReport[], failOn: Severity): CheckReport[] {
  const floor = severityRank(failOn);
  return reports.filter((r) => (r.status === 'fail' || r.status === 'error') && severityRank(r.severity) >= floor);
}

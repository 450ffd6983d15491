/**
 * The metrics' part of a run's verdict: why a rule failed (one line, with the
 * rows it blames), requests that never completed, and the abortOnFail rule
 * crossed while the run goes. The whole verdict, security checks included, is
 * judged in report/verdict.ts.
 */
import type { Snapshot } from './snapshot.js';
import { evaluateThresholds, formatCount, SECURITY_TYPE, type Threshold, type ThresholdResult } from './thresholds.js';

/** "most failures: tools/call fail (40), GET /x (3)": the rows a failed error_rate rule is about. */
export function worstRows(rule: Threshold | undefined, snapshot: Snapshot): string {
  if (rule === undefined || rule.metric !== 'error_rate') return '';
  const { type, name } = rule.selector;
  // error_rate leaves requests cut at the stop out: so does the list of rows it blames.
  const failed = (e: Snapshot['entries'][number]): number => e.failures - (e.cut ?? 0);
  const rows = snapshot.entries
    .filter((e) => failed(e) > 0 && (type === undefined && name === undefined ? e.type !== SECURITY_TYPE
      : (type === undefined || e.type === type) && (name === undefined || e.name === name)))
    .sort((a, b) => failed(b) - failed(a));
  if (rows.length === 0) return '';
  const shown = rows.slice(0, 3).map((e) => `${e.type} ${e.name} (${formatCount(failed(e))})`);
  return `; most failures: ${shown.join(', ')}${rows.length > 3 ? `, ${rows.length - 3} more rows` : ''}`;
}

/** Why a failed rule failed, for the summary's last lines and the web UI log. */
export function failureLine(t: ThresholdResult, where = ''): string {
  const metric = /^(?:.*:)?\s*([A-Za-z_]+(?:\([^)]*\))?)/.exec(t.expr.replace(/:\s*abortOnFail.*$/i, ''))?.[1] ?? 'metric';
  const over = `${t.over ? ` over ${t.over}` : ''}${where}`;
  switch (t.source ?? 'user') {
    case 'mcpload':
      return `${t.expr}: ${t.detail}${over} (mcpload default; --exit-code-on-error 0, or your own --threshold '${metric}...', changes it)`;
    case 'scenario':
      return `${t.expr}: ${t.detail}${over} (the scenario's default; --exit-code-on-error 0, or your own --threshold '${metric}...', changes it)`;
    default:
      return `${t.expr}: ${t.detail}${over} (your --threshold)`;
  }
}

/** A row whose requests all waited at least this long and none completed is stuck, not merely in flight at the stop. */
export const STUCK_AFTER_MS = 1000;

/** Requests cut at the stop (still waiting for their reply), all rows. */
export function cutCount(snapshot: Snapshot): number {
  return snapshot.entries.reduce((sum, e) => sum + (e.cut ?? 0), 0);
}

/**
 * Requests that never completed. A few requests are always in flight when a
 * run stops; they are cut, counted and shown, and judge nothing. But a run
 * in which no request completed, or a row whose every request was cut after
 * waiting a second or more, met a target that does not answer: that fails.
 */
export function stuckLines(snapshot: Snapshot): string[] {
  const cut = cutCount(snapshot);
  if (cut === 0) return [];
  const requests = snapshot.entries.reduce((sum, e) => sum + e.requests, 0);
  if (requests === cut) {
    return [`no request completed: ${formatCount(cut)} ${cut === 1 ? 'request was' : 'requests were'} still waiting for a reply when the run stopped (the target did not answer)`];
  }
  return snapshot.entries
    .filter((e) => (e.cut ?? 0) > 0 && e.cut === e.requests && (e.maxUs ?? 0) >= STUCK_AFTER_MS * 1000)
    .map((e) => `${e.type} ${e.name}: none of ${formatCount(e.requests)} ${e.requests === 1 ? 'request' : 'requests'} completed; `
      + `still waiting after up to ${((e.maxUs ?? 0) / 1e6).toFixed(1)} s when the run stopped`);
}

/**
 * Rules with abortOnFail that fail now (after their delay): the first is the
 * reason to stop the run. `elapsedS` is the run's time so far.
 */
export function crossedAbortRule(rules: readonly Threshold[], snapshot: Snapshot, elapsedS: number): string | undefined {
  const due = rules.filter((t) => t.abortOnFail === true && elapsedS >= (t.abortDelayS ?? 0));
  if (due.length === 0) return undefined;
  // A rule with nothing to measure yet (no matching requests) does not abort: that is not a crossing.
  return evaluateThresholds(due, snapshot).find((r) => !r.passed && r.actual !== null)?.expr;
}

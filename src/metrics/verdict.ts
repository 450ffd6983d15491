/**
 * The verdict of a run: every rule in force (mcpload's defaults, the
 * scenario's, the user's) and every security check judged on one snapshot,
 * and why it failed, one line each. The headless CLI, `--processes`,
 * `mcpload merge` and the web UI all judge through `judgeRun`, so a run gets
 * the same verdict whichever way it was driven.
 */
import type { Snapshot } from './snapshot.js';
import {
  evaluateThresholds, formatCount, securityResults, withDefaultRules, SECURITY_TYPE,
  type SecurityResult, type Threshold, type ThresholdResult,
} from './thresholds.js';

export interface VerdictSummary {
  /** One line per failing rule or security check; empty when the run passed. */
  failures: string[];
  /**
   * Every failure came from a default rule (mcpload's or the scenario's):
   * the exit code is then `--exit-code-on-error` (default 1). A failing rule
   * of the user's own or a security check let through always exits 1.
   */
  onlyDefaults: boolean;
  /** The run was stopped early by this abortOnFail threshold. */
  abortedBy?: string;
}

export interface Judgement {
  thresholds: ThresholdResult[];
  security: SecurityResult[];
  passed: boolean;
  verdict: VerdictSummary;
}

/** "most failures: tools/call fail (40), GET /x (3)": the rows a failed error_rate rule is about. */
function worstRows(rule: Threshold | undefined, snapshot: Snapshot): string {
  if (rule === undefined || rule.metric !== 'error_rate') return '';
  const { type, name } = rule.selector;
  const rows = snapshot.entries
    .filter((e) => e.failures > 0 && (type === undefined && name === undefined ? e.type !== SECURITY_TYPE
      : (type === undefined || e.type === type) && (name === undefined || e.name === name)))
    .sort((a, b) => b.failures - a.failures);
  if (rows.length === 0) return '';
  const shown = rows.slice(0, 3).map((e) => `${e.type} ${e.name} (${formatCount(e.failures)})`);
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

function securityLine(s: SecurityResult): string {
  return `security check ${s.name}: ${s.failures} of ${s.attempts} attempts let through`;
}

/**
 * Judges `rules` (mcpload's defaults are added unless a rule replaces them)
 * and the security checks on `snapshot`.
 */
export function judgeRun(rules: readonly Threshold[], snapshot: Snapshot, opts: { abortedBy?: string } = {}): Judgement {
  const judged = withDefaultRules(rules);
  const thresholds = evaluateThresholds(judged, snapshot);
  const security = securityResults(snapshot);
  const failedRules = thresholds.filter((t) => !t.passed);
  const failedChecks = security.filter((s) => !s.passed);
  const failures = [
    ...failedRules.map((t) => failureLine(t, worstRows(judged[thresholds.indexOf(t)], snapshot))),
    ...failedChecks.map(securityLine),
  ];
  const onlyDefaults = failedChecks.length === 0 && failedRules.every((t) => t.isDefault === true);
  return {
    thresholds,
    security,
    passed: failures.length === 0,
    verdict: { failures, onlyDefaults, ...(opts.abortedBy !== undefined ? { abortedBy: opts.abortedBy } : {}) },
  };
}

/** The process exit code for a judged run: 0 when it passed; `exitCodeOnError` when only default rules failed; else 1. */
export function exitCodeFor(result: { passed: boolean; verdict?: VerdictSummary }, exitCodeOnError = 1): number {
  if (result.passed) return 0;
  return result.verdict?.onlyDefaults === true ? exitCodeOnError : 1;
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

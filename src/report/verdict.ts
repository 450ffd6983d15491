/**
 * The verdict of a run: every rule in force (mcpload's defaults, the
 * scenario's, the user's) and every security check judged on one snapshot,
 * and why it failed, one line each. The headless CLI, `--processes`,
 * `mcpload merge` and the web UI all judge through `judgeRun`, so a run gets
 * the same verdict whichever way it was driven.
 */
import type { Snapshot } from '../metrics/snapshot.js';
import { evaluateThresholds, withDefaultRules, type Threshold, type ThresholdResult } from '../metrics/thresholds.js';
import { failureLine, stuckLines, worstRows } from '../metrics/verdict.js';
import { securityLine, securityResults, type SecurityResult } from '../security/verdicts.js';

export interface VerdictSummary {
  /** One line per failing rule or security check; empty when the run passed. */
  failures: string[];
  /**
   * Every failure came from a default rule (mcpload's or the scenario's):
   * the exit code is then `--exit-code-on-error` (default 1). A failing rule
   * of the user's own or a security check let through always exits 1.
   */
  onlyDefaults: boolean;
  /** Lines of `failures` about requests that never completed (a run or a row with only cut requests). */
  stuck?: number;
  /** The run was stopped early by this abortOnFail threshold. */
  abortedBy?: string;
}

export interface Judgement {
  thresholds: ThresholdResult[];
  security: SecurityResult[];
  passed: boolean;
  verdict: VerdictSummary;
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
  const stuck = stuckLines(snapshot);
  const failures = [
    ...failedRules.map((t) => failureLine(t, worstRows(judged[thresholds.indexOf(t)], snapshot))),
    ...failedChecks.map(securityLine),
    ...stuck,
  ];
  const onlyDefaults = failedChecks.length === 0 && failedRules.every((t) => t.isDefault === true);
  return {
    thresholds,
    security,
    passed: failures.length === 0,
    verdict: { failures, onlyDefaults, ...(stuck.length > 0 ? { stuck: stuck.length } : {}), ...(opts.abortedBy !== undefined ? { abortedBy: opts.abortedBy } : {}) },
  };
}

/** The process exit code for a judged run: 0 when it passed; `exitCodeOnError` when only default rules failed; else 1. */
export function exitCodeFor(result: { passed: boolean; verdict?: VerdictSummary }, exitCodeOnError = 1): number {
  if (result.passed) return 0;
  return result.verdict?.onlyDefaults === true ? exitCodeOnError : 1;
}

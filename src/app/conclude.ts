/**
 * The end of every run, whatever produced its result (one process, several
 * workers, or `mcpload merge`): print the summary and its notes, write every
 * report asked for, and turn the verdict into an exit code (1 as well when
 * a report could not be written; the others are written all the same).
 */
import { formatSummary } from '../reporters/console.js';
import type { RunResult } from '../report/run-result.js';
import { formatProcessUsage } from '../reporters/process-usage.js';
import { formatFirstByteComparison, formatLatencyComparison } from '../reporters/latency-comparison.js';
import { exitCodeFor } from '../report/verdict.js';
import type { QuittingEvent, RunEvents } from '../metrics/events.js';
import { statsRows } from '../metrics/rows.js';
import type { OutputOptions, ReportOptions } from '../reporters/output.js';
import type { ChangeCondition } from '../metrics/change-conditions.js';
import type { Comparison } from '../report/comparison.js';
import { writeReports } from './reports.js';

export interface RunIo {
  out(text: string): void;
  err(text: string): void;
}

/** `run --baseline`: the result to compare the run with, and the conditions that make it fail. */
export interface BaselineCheck {
  /** The file it was read from. */
  label: string;
  result: RunResult;
  failOn: readonly ChangeCondition[];
  failOnNoise: boolean;
}

export interface ConcludeOptions extends ReportOptions, OutputOptions {
  /** Compare the run with this baseline after the summary; a failed --fail-on condition makes a passing run exit 1. */
  baseline?: BaselineCheck;
  /** Exit code when only default rules failed (Locust's --exit-code-on-error); default 1. */
  exitCodeOnError?: number;
}

/**
 * @param notes printed after the table; default: the result's own notes.
 * @param events the run's events: their `quitting` listeners see the exit code last and may change it.
 * @returns the exit code: 0 passed; `exitCodeOnError` when only default rules failed; 1 otherwise, or when a report was not written;
 *   or the one a `quitting` listener set.
 */
export async function concludeRun(
  result: RunResult, opts: ConcludeOptions, io: RunIo, notes: readonly string[] = result.notes ?? [], events?: RunEvents,
): Promise<number> {
  const exitCode = await reportRun(result, opts, io, notes);
  return events?.has('quitting') ? quit(events, result, exitCode, io) : exitCode;
}

/** Locust's `quitting`: the listeners run one after another, the last exit code set wins; a listener that throws makes a 0 a 1. */
async function quit(events: RunEvents, result: RunResult, exitCode: number, io: RunIo): Promise<number> {
  const event: QuittingEvent = { exitCode, passed: result.passed, stats: statsRows(result.snapshot) };
  const failures = await events.emitAwaited('quitting', event);
  for (const err of failures) io.err(`error: a quitting listener failed: ${err instanceof Error ? err.message : String(err)}`);
  const set: unknown = event.exitCode;
  if (!Number.isInteger(set) || (set as number) < 0 || (set as number) > 255) {
    io.err(`error: a quitting listener set the exit code to ${String(set)}; an exit code is a whole number from 0 to 255`);
    return exitCode === 0 ? 1 : exitCode;
  }
  const code = failures.length > 0 && set === 0 ? 1 : set as number;
  if (code !== exitCode) io.out(`exit code ${code}: ${failures.length > 0 && set === 0 ? 'a quitting listener failed' : 'set by a quitting listener'}\n`);
  return code;
}

async function reportRun(result: RunResult, opts: ConcludeOptions, io: RunIo, notes: readonly string[]): Promise<number> {
  const exitCode = exitCodeFor(result, opts.exitCodeOnError);
  // Scenario notes again after the table (e.g. which tools discovery skipped and how to include them), before the verdict.
  const summary = formatSummary(result.snapshot, result.thresholds, result.security, {
    droppedIterations: result.droppedIterations, verdict: result.verdict, exitCode,
  });
  const cut = summary.lastIndexOf('\n\nVerdict judged on: ');
  io.out(`${cut >= 0 ? summary.slice(0, cut) : summary}\n`);
  for (const note of notes) io.out(`note: ${note}\n`);
  if (result.serviceSnapshot) io.out(`\n${formatLatencyComparison(result.snapshot, result.serviceSnapshot)}\n`);
  if (result.firstByteSnapshot) {
    io.out(`\n${formatFirstByteComparison(result.firstByteSnapshot, result.serviceSnapshot ?? result.snapshot)}\n`);
  }
  if (result.droppedIterations !== undefined) io.out(`dropped iterations: ${result.droppedIterations}\n`);
  if (result.serverProcesses) io.out(`${formatProcessUsage(result.serverProcesses)}\n`);
  const comparison = opts.baseline ? await compareWithBaseline(result, opts.baseline, io) : undefined;
  const { written, failed } = await writeReports(result, opts, exitCode, comparison);
  if (written.length > 0) io.out(`reports: ${written.join(', ')}\n`);
  for (const line of failed) io.err(`error: report not written: ${line}`);
  // The verdict is the last thing printed: what it was judged on, PASSED or FAILED, and why.
  if (cut >= 0) io.out(`\n${summary.slice(cut + 2)}\n`);
  if (comparison?.failed === true && exitCode === 0) {
    io.out('exit code 1: a --fail-on condition failed against the baseline\n');
    return 1;
  }
  if (failed.length === 0 || exitCode !== 0) return exitCode;
  io.out(`exit code 1: ${failed.length === 1 ? 'a report was' : `${failed.length} reports were`} not written\n`);
  return 1;
}

/** Prints the comparison with the baseline (as `mcpload compare` would) and returns it. */
async function compareWithBaseline(result: RunResult, baseline: BaselineCheck, io: RunIo): Promise<Comparison> {
  const { compareResults } = await import('./compare-command.js');
  const { formatComparisonText } = await import('../reporters/compare-text.js');
  const comparison = compareResults({ label: baseline.label, result: baseline.result }, { label: 'this run', result }, baseline);
  io.out(`\n${formatComparisonText(comparison)}\n`);
  return comparison;
}

/**
 * `mcpload compare base.json current.json`: two run results (written by
 * `run --json`) side by side, with the change per entry, whether it is larger
 * than the noise, and the `--fail-on` conditions as the exit code.
 */
import type { ChangeCondition } from '../metrics/change-conditions.js';
import { compareRuns, type Comparison } from '../report/comparison.js';
import type { RunResult } from '../report/run-result.js';
import { writeComparisonJson } from '../reporters/compare-json.js';
import { writeComparisonJUnit } from '../reporters/compare-junit.js';
import { formatComparisonMarkdown } from '../reporters/compare-markdown.js';
import { formatComparisonText } from '../reporters/compare-text.js';
import { describeFileError, reportFileProblem } from '../reporters/report-file.js';
import { readRunResult } from './merge-results.js';
import { RunSetupError } from './run-setup-error.js';

/** Where the command writes (the same shape as a run's RunIo; not imported, since conclude.ts loads this module). */
export interface CompareIo {
  out(text: string): void;
  err(text: string): void;
}

export interface CompareCommandOptions {
  failOn: readonly ChangeCondition[];
  failOnNoise: boolean;
  /** Print Markdown (for a pull-request comment) instead of the console table. */
  markdown: boolean;
  json?: string;
  junit?: string;
}

/** @throws RunSetupError (exit 2) naming the first report path that cannot be written. */
export function checkComparePaths(opts: { json?: string; junit?: string }): void {
  for (const [flag, file] of [['--json', opts.json], ['--junit', opts.junit]] as const) {
    if (file === undefined) continue;
    const problem = reportFileProblem(file);
    if (problem !== undefined) throw new RunSetupError(`${flag} ${file}: ${problem}`);
  }
}

/** The comparison of two results; a snapshot that cannot be read is a setup error (exit 2). */
export function compareResults(
  base: { label: string; result: RunResult }, current: { label: string; result: RunResult },
  opts: { failOn: readonly ChangeCondition[]; failOnNoise: boolean },
): Comparison {
  try {
    return compareRuns(
      { label: base.label, startedAt: base.result.startedAt, snapshot: base.result.snapshot },
      { label: current.label, startedAt: current.result.startedAt, snapshot: current.result.snapshot },
      { conditions: opts.failOn, failOnNoise: opts.failOnNoise },
    );
  } catch (err) {
    throw new RunSetupError(`cannot compare ${base.label} and ${current.label}: ${(err as Error).message}`);
  }
}

/** Writes the --json and --junit files asked for; the lines of those that failed. */
export async function writeComparisonFiles(comparison: Comparison, opts: { json?: string; junit?: string }): Promise<{ written: string[]; failed: string[] }> {
  const written: string[] = [];
  const failed: string[] = [];
  const jobs: Array<[string | undefined, (file: string) => Promise<void>]> = [
    [opts.json, (file) => writeComparisonJson(file, comparison)],
    [opts.junit, (file) => writeComparisonJUnit(file, comparison)],
  ];
  for (const [file, write] of jobs) {
    if (file === undefined) continue;
    try {
      await write(file);
      written.push(file);
    } catch (err) {
      failed.push(`${file}: ${describeFileError(err)}`);
    }
  }
  return { written, failed };
}

/**
 * @returns 1 when a --fail-on condition failed or a report was not written, else 0.
 * @throws RunSetupError (exit 2) for a missing file, one that is not an mcpload result, or an unwritable report path.
 */
export async function runCompare(baseFile: string, currentFile: string, opts: CompareCommandOptions, io: CompareIo): Promise<number> {
  checkComparePaths(opts);
  const [base, current] = await Promise.all([readRunResult(baseFile), readRunResult(currentFile)]);
  const comparison = compareResults({ label: baseFile, result: base }, { label: currentFile, result: current }, opts);
  io.out(`${opts.markdown ? formatComparisonMarkdown(comparison) : formatComparisonText(comparison)}\n`);
  const { written, failed } = await writeComparisonFiles(comparison, opts);
  // With --markdown, stdout is the comment alone: the file list goes to stderr.
  if (written.length > 0) (opts.markdown ? io.err : io.out)(`reports: ${written.join(', ')}${opts.markdown ? '' : '\n'}`);
  for (const line of failed) io.err(`error: report not written: ${line}`);
  return comparison.failed || failed.length > 0 ? 1 : 0;
}

/**
 * Writes every report file a run was asked for, from the registry
 * (reporters/outputs.ts). One place, so that the headless CLI, Ctrl-C,
 * `merge` and the web UI all write the same set. Each report is
 * written on its own: one that fails costs no other, and is named in the
 * outcome with its flag and the reason.
 */
import type { RunResult } from '../report/run-result.js';
import type { Comparison } from '../report/comparison.js';
import type { OutputOptions, ReportOptions } from '../reporters/output.js';
import { loadOutput, reportsAskedFor } from '../reporters/outputs.js';
import { describeFileError } from '../reporters/report-file.js';

/** One report to write: the flag that asked for it, its path, and the writer (returns the files written, default [path]). */
export interface ReportJob {
  flag: string;
  path: string;
  write(): Promise<string[] | void>;
}

export interface ReportsOutcome {
  /** The files written. */
  written: string[];
  /** One line per report that could not be written: `--json out/run.json: permission denied (EACCES)`. */
  failed: string[];
}

/** Runs every job, each whatever became of the others. */
export async function writeEach(jobs: ReportJob[]): Promise<ReportsOutcome> {
  const outcome: ReportsOutcome = { written: [], failed: [] };
  for (const job of jobs) {
    try {
      outcome.written.push(...((await job.write()) ?? [job.path]));
    } catch (err) {
      outcome.failed.push(`${job.flag} ${job.path}: ${describeFileError(err)}`);
    }
  }
  return outcome;
}

/**
 * @param exitCode the run's exit code, for the summary export (default: 0 when it passed, else 1).
 * @param comparison `run --baseline`'s comparison, for the reports that draw it (HTML).
 */
export async function writeReports(
  result: RunResult, opts: ReportOptions & OutputOptions, exitCode = result.passed ? 0 : 1, comparison?: Comparison,
): Promise<ReportsOutcome> {
  const context = { exitCode, ...(comparison !== undefined ? { comparison } : {}) };
  const jobs: ReportJob[] = reportsAskedFor(opts).map(({ entry, path }) => ({
    flag: entry.flag, path, write: async () => (await entry.load()).write(path, result, context),
  }));
  for (const { name, path } of opts.out ?? []) {
    const output = await loadOutput(name);
    if (output?.mode === 'end') jobs.push({ flag: output.flag, path, write: () => output.write(path, result, { exitCode }) });
  }
  return writeEach(jobs);
}

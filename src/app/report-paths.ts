/**
 * Report paths checked before anything runs: each one the run (or probe, or
 * merge) was asked to write must be a file it can write, else the command
 * stops with one line naming the flag and the reason (exit 2), before the
 * embedded server starts or the first user runs. A bad path found only after
 * the run would cost the run.
 */
import { REPORTS } from '../reporters/outputs.js';
import { CSV_FILE_SUFFIXES, reportFileProblem } from '../reporters/report-file.js';
import type { OutputOptions, ReportOptions } from '../reporters/output.js';
import { RunSetupError } from './run-setup-error.js';

/** Every file `--csv PREFIX` may write. */
export function csvFiles(prefix: string): string[] {
  return CSV_FILE_SUFFIXES.map((suffix) => `${prefix}${suffix}`);
}

/** The problem with one report path, as the line the user sees; undefined when it can be written. */
export function reportPathProblem(flag: string, value: string): string | undefined {
  if (value.trim() === '') return `${flag}: the path is empty`;
  // A prefix ending in / is a folder to write _stats.csv and the rest into, as in Locust.
  const files = flag === '--csv' ? csvFiles(value) : [value];
  for (const file of files) {
    const problem = reportFileProblem(file);
    // Which of the prefix's files, when that file itself is the problem (a directory of that name).
    if (problem !== undefined) return `${flag} ${value}: ${files.length > 1 && problem.startsWith('is a directory') ? `${file} ` : ''}${problem}`;
  }
  return undefined;
}

/** @throws RunSetupError (exit 2) naming the first report path that cannot be written. */
export function checkReportPaths(opts: ReportOptions & OutputOptions): void {
  for (const { option, flag } of REPORTS) {
    const value = opts[option];
    if (value === undefined) continue;
    const problem = reportPathProblem(flag, value);
    if (problem !== undefined) throw new RunSetupError(problem);
  }
  for (const { name, path } of opts.out ?? []) {
    const problem = reportFileProblem(path);
    if (problem !== undefined) throw new RunSetupError(`--out ${name}=${path}: ${problem}`);
  }
}

/**
 * Writes every report file a run was asked for. One place, so that the
 * headless CLI, Ctrl-C and the web UI all write the same set. Each report is
 * written on its own: one that fails costs no other, and is named in the
 * outcome with its flag and the reason.
 */
import { writeCsvReports } from '../reporters/csv.js';
import { writeHtmlReport } from '../reporters/html.js';
import type { RunResult } from '../report/run-result.js';
import { writeJsonReport } from '../reporters/json.js';
import { writeRunJUnit } from '../reporters/junit.js';
import type { OutputRequest } from '../reporters/output.js';
import { loadOutput } from '../reporters/outputs.js';
import { describeFileError } from '../reporters/report-file.js';
import { runToSarif, writeSarif } from '../reporters/sarif.js';
import { writeSummaryExport } from '../reporters/summary-export.js';

export interface ReportOptions {
  csv?: string;
  json?: string;
  /** Self-contained HTML report (charts, tables, settings), opens offline. */
  html?: string;
  /** JUnit XML: each threshold and each security row a test case. */
  junit?: string;
  /** SARIF 2.1.0: each security row a result. */
  sarif?: string;
  /** k6's end-of-test summary export (see reporters/summary-export.ts). */
  summaryExport?: string;
}

/** `--out NAME=PATH` (repeatable): the outputs of reporters/outputs.ts; streaming ones are opened by the run itself. */
export interface OutputOptions {
  out?: OutputRequest[];
}

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

/** @param exitCode the run's exit code, for the summary export (default: 0 when it passed, else 1). */
export async function writeReports(result: RunResult, opts: ReportOptions & OutputOptions, exitCode = result.passed ? 0 : 1): Promise<ReportsOutcome> {
  const jobs: ReportJob[] = [];
  const { csv, json, html, junit, sarif, summaryExport } = opts;
  if (csv) {
    jobs.push({ flag: '--csv', path: csv, write: () => writeCsvReports(csv, result.snapshot, {
      firstByte: result.firstByteSnapshot, serviceTime: result.serviceSnapshot,
    }) });
  }
  if (json) jobs.push({ flag: '--json', path: json, write: () => writeJsonReport(json, result) });
  if (html) jobs.push({ flag: '--html', path: html, write: () => writeHtmlReport(html, result) });
  if (junit) jobs.push({ flag: '--junit', path: junit, write: () => writeRunJUnit(junit, result) });
  if (sarif) jobs.push({ flag: '--sarif', path: sarif, write: () => writeSarif(sarif, runToSarif(result)) });
  if (summaryExport) jobs.push({ flag: '--summary-export', path: summaryExport, write: () => writeSummaryExport(summaryExport, result, exitCode) });
  for (const { name, path } of opts.out ?? []) {
    const output = await loadOutput(name);
    if (output?.mode === 'end') jobs.push({ flag: output.flag, path, write: () => output.write(path, result) });
  }
  return writeEach(jobs);
}

/**
 * Writes every report file a run was asked for. One place, so that the
 * headless CLI, Ctrl-C and the web UI all write the same set.
 */
import { writeCsvReports } from '../reporters/csv.js';
import { writeHtmlReport } from '../reporters/html.js';
import { writeJsonReport, type RunResult } from '../reporters/json.js';
import { writeRunJUnit } from '../reporters/junit.js';
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

/**
 * Returns the files written.
 * @param exitCode the run's exit code, for the summary export (default: 0 when it passed, else 1).
 */
export async function writeReports(result: RunResult, opts: ReportOptions, exitCode = result.passed ? 0 : 1): Promise<string[]> {
  const written: string[] = [];
  if (opts.csv) written.push(...(await writeCsvReports(opts.csv, result.snapshot, {
    firstByte: result.firstByteSnapshot, serviceTime: result.serviceSnapshot,
  })));
  if (opts.json) {
    await writeJsonReport(opts.json, result);
    written.push(opts.json);
  }
  if (opts.html) {
    await writeHtmlReport(opts.html, result);
    written.push(opts.html);
  }
  if (opts.junit) {
    await writeRunJUnit(opts.junit, result);
    written.push(opts.junit);
  }
  if (opts.sarif) {
    await writeSarif(opts.sarif, runToSarif(result));
    written.push(opts.sarif);
  }
  if (opts.summaryExport) {
    await writeSummaryExport(opts.summaryExport, result, exitCode);
    written.push(opts.summaryExport);
  }
  return written;
}

/**
 * Writes every report file a run was asked for. One place, so that the
 * headless CLI, Ctrl-C and the web UI all write the same set.
 */
import { writeCsvReports } from '../reporters/csv.js';
import { writeJsonReport, type RunResult } from '../reporters/json.js';

export interface ReportOptions {
  csv?: string;
  json?: string;
}

/** Returns the files written. */
export async function writeReports(result: RunResult, opts: ReportOptions): Promise<string[]> {
  const written: string[] = [];
  if (opts.csv) written.push(...(await writeCsvReports(opts.csv, result.snapshot)));
  if (opts.json) {
    await writeJsonReport(opts.json, result);
    written.push(opts.json);
  }
  return written;
}

/**
 * `mcpload merge a.json b.json ...`: result files from separate runs or
 * machines become one result, one summary and one set of reports.
 */
import { mergeRunResults, readRunResult } from './merge-results.js';
import type { ReportOptions } from '../reporters/output.js';
import { concludeRun, type RunIo } from './conclude.js';
import { checkReportPaths } from './report-paths.js';
import { RunSetupError } from './scenario-setup.js';

export async function runMerge(files: string[], opts: ReportOptions, io: RunIo): Promise<number> {
  if (files.length === 0) throw new RunSetupError('merge needs at least one result file (written by run --json)');
  checkReportPaths(opts);
  const results = await Promise.all(files.map(readRunResult));
  let merged;
  try {
    merged = mergeRunResults(results);
  } catch (err) {
    throw new RunSetupError((err as Error).message);
  }
  io.out(`merged ${files.length} result${files.length === 1 ? '' : 's'}: ${files.join(', ')}\n`);
  return concludeRun(merged, opts, io);
}

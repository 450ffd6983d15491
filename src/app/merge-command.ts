/**
 * `mcpload merge a.json b.json ...`: result files from separate runs or
 * machines become one result, one summary and one set of reports.
 */
import { formatSummary } from '../reporters/console.js';
import { formatLatencyComparison } from '../reporters/service-time.js';
import { mergeRunResults, readRunResult } from './merge-results.js';
import { writeReports, type ReportOptions } from './reports.js';
import type { RunIo } from './run-test.js';
import { RunSetupError } from './scenario-setup.js';

export async function runMerge(files: string[], opts: ReportOptions, io: RunIo): Promise<number> {
  if (files.length === 0) throw new RunSetupError('merge needs at least one result file (written by run --json)');
  const results = await Promise.all(files.map(readRunResult));
  let merged;
  try {
    merged = mergeRunResults(results);
  } catch (err) {
    throw new RunSetupError((err as Error).message);
  }
  io.out(`merged ${files.length} result${files.length === 1 ? '' : 's'}: ${files.join(', ')}\n`);
  io.out(formatSummary(merged.snapshot, merged.thresholds, merged.security, { droppedIterations: merged.droppedIterations }) + '\n');
  if (merged.serviceSnapshot) io.out(`\n${formatLatencyComparison(merged.snapshot, merged.serviceSnapshot)}\n`);
  if (merged.droppedIterations !== undefined) io.out(`dropped iterations: ${merged.droppedIterations}\n`);
  const written = await writeReports(merged, opts);
  if (written.length > 0) io.out(`reports: ${written.join(', ')}\n`);
  return merged.passed ? 0 : 1;
}

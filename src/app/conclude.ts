/**
 * The end of every run, whatever produced its result (one process, several
 * workers, or `mcpload merge`): print the summary and its notes, write every
 * report asked for, and turn the verdict into an exit code.
 */
import { formatSummary } from '../reporters/console.js';
import type { RunResult } from '../reporters/json.js';
import { formatProcessUsage } from '../reporters/process-usage.js';
import { formatFirstByteComparison, formatLatencyComparison } from '../reporters/latency-comparison.js';
import { writeReports, type ReportOptions } from './reports.js';

export interface RunIo {
  out(text: string): void;
  err(text: string): void;
}

export async function concludeRun(result: RunResult, opts: ReportOptions, io: RunIo, notes: readonly string[] = []): Promise<number> {
  io.out(formatSummary(result.snapshot, result.thresholds, result.security, { droppedIterations: result.droppedIterations }) + '\n');
  // Scenario notes again after the table (e.g. which tools discovery skipped and how to include them).
  for (const note of notes) io.out(`note: ${note}\n`);
  if (result.serviceSnapshot) io.out(`\n${formatLatencyComparison(result.snapshot, result.serviceSnapshot)}\n`);
  if (result.firstByteSnapshot) {
    io.out(`\n${formatFirstByteComparison(result.firstByteSnapshot, result.serviceSnapshot ?? result.snapshot)}\n`);
  }
  if (result.droppedIterations !== undefined) io.out(`dropped iterations: ${result.droppedIterations}\n`);
  if (result.serverProcesses) io.out(`${formatProcessUsage(result.serverProcesses)}\n`);
  const written = await writeReports(result, opts);
  if (written.length > 0) io.out(`reports: ${written.join(', ')}\n`);
  return result.passed ? 0 : 1;
}

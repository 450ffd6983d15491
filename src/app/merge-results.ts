/**
 * Several run results (worker processes, separate runs, other machines) as
 * one: snapshots merged exactly (HDR histograms added), dropped iterations
 * summed, thresholds and security checks judged again on the whole.
 */
import { readFile } from 'node:fs/promises';
import { mergeSnapshots } from '../metrics/snapshot.js';
import { parseThresholdFrom, type Threshold } from '../metrics/thresholds.js';
import { judgeRun } from '../report/verdict.js';
import type { RunResult } from '../report/run-result.js';
import { VERSION } from '../version.js';
import { RunSetupError } from './scenario-setup.js';

/**
 * @param thresholds the rules to judge the whole by; default: every rule the
 *   inputs were judged by (by expression, first occurrence wins).
 */
export function mergeRunResults(results: readonly RunResult[], thresholds?: readonly Threshold[]): RunResult {
  const first = results[0];
  if (first === undefined) throw new Error('no results to merge');
  const snapshot = mergeSnapshots(results.map((r) => r.snapshot));
  const services = results.map((r) => r.serviceSnapshot);
  const serviceSnapshot = services.every((s) => s !== undefined) ? mergeSnapshots(services) : undefined;
  // A part without first-byte figures (stdio, legacy SSE) adds none; its full replies are still in `snapshot`.
  const firstBytes = results.flatMap((r) => (r.firstByteSnapshot ? [r.firstByteSnapshot] : []));
  const firstByteSnapshot = firstBytes.length > 0 ? mergeSnapshots(firstBytes) : undefined;
  const figures = addFigures(results.map((r) => r.scenarioFigures));
  const dropped = results.some((r) => r.droppedIterations !== undefined)
    ? results.reduce((sum, r) => sum + (r.droppedIterations ?? 0), 0)
    : undefined;
  const rules = thresholds ?? rulesOf(results);
  // The same judge as a single run (mcpload's defaults added), so a merged run gets the verdict one process would have.
  const abortedBy = results.find((r) => r.verdict?.abortedBy !== undefined)?.verdict?.abortedBy;
  const judged = judgeRun(rules, snapshot, { abortedBy });
  const notes = [...new Set(results.flatMap((r) => r.notes ?? []))];
  return {
    tool: 'mcpload',
    version: VERSION,
    settings: results.length === 1 ? first.settings : { ...first.settings, mergedFrom: results.length },
    startedAt: results.map((r) => r.startedAt).sort()[0] ?? first.startedAt,
    endedAt: results.map((r) => r.endedAt).sort().at(-1) ?? first.endedAt,
    snapshot,
    thresholds: judged.thresholds,
    security: judged.security,
    passed: judged.passed,
    verdict: judged.verdict,
    notes,
    // Processes and machines run their users side by side: the peaks add up.
    peakUsers: results.reduce((sum, r) => sum + (r.peakUsers ?? 0), 0),
    ...(dropped !== undefined ? { droppedIterations: dropped } : {}),
    ...(serviceSnapshot !== undefined ? { serviceSnapshot } : {}),
    ...(firstByteSnapshot !== undefined ? { firstByteSnapshot } : {}),
    ...(figures !== undefined ? { scenarioFigures: figures } : {}),
  };
}

/** Scenario counts added up key by key; undefined when no part has any. */
function addFigures(parts: ReadonlyArray<Record<string, number> | undefined>): Record<string, number> | undefined {
  let sum: Record<string, number> | undefined;
  for (const part of parts) {
    if (part === undefined) continue;
    sum ??= {};
    for (const [key, value] of Object.entries(part)) if (typeof value === 'number') sum[key] = (sum[key] ?? 0) + value;
  }
  return sum;
}

function rulesOf(results: readonly RunResult[]): Threshold[] {
  const seen = new Map<string, Threshold>();
  for (const result of results) {
    for (const t of result.thresholds ?? []) {
      if (!seen.has(t.expr)) seen.set(t.expr, parseThresholdFrom(t.expr, t.source ?? 'user'));
    }
  }
  return [...seen.values()];
}

/** Reads a JSON result written by `--json`; a readable error for anything else. */
export async function readRunResult(file: string): Promise<RunResult> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new RunSetupError(`${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(err as Error).message.split('\n')[0]})`}`);
  }
  const result = data as Partial<RunResult> | null;
  if (!result || typeof result !== 'object' || result.tool !== 'mcpload' || typeof result.snapshot !== 'object' || result.snapshot === null) {
    throw new RunSetupError(`${file}: not an mcpload result (write one with --json)`);
  }
  return result as RunResult;
}

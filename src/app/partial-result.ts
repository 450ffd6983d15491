/**
 * The result of a worker that was lost mid-run, rebuilt from the last
 * snapshot it sent: every request it recorded up to then, exactly (the
 * snapshot carries the HDR histograms), so the merge counts them. What it
 * did after that snapshot is gone with it.
 */
import type { Snapshot } from '../metrics/snapshot.js';
import type { Threshold } from '../metrics/thresholds.js';
import type { RunResult } from '../report/run-result.js';
import { judgeRun } from '../report/verdict.js';
import { VERSION } from '../version.js';
import type { WorkerStatus } from './worker-protocol.js';

export function resultFromSnapshot(
  snapshot: Snapshot, status: WorkerStatus | undefined, thresholds: readonly Threshold[], settings: Record<string, unknown>,
): RunResult {
  // Its clock stopped at its last word: rates divide by the time it was seen running.
  const ended: Snapshot = { ...snapshot, endedAt: snapshot.endedAt ?? snapshot.takenAt };
  const judged = judgeRun(thresholds, ended);
  return {
    tool: 'mcpload',
    version: VERSION,
    settings,
    startedAt: new Date(ended.startedAt).toISOString(),
    endedAt: new Date(ended.endedAt ?? ended.takenAt).toISOString(),
    snapshot: ended,
    thresholds: judged.thresholds,
    security: judged.security,
    passed: judged.passed,
    verdict: judged.verdict,
    notes: [],
    peakUsers: status?.users ?? 0,
    ...(status?.droppedIterations !== undefined ? { droppedIterations: status.droppedIterations } : {}),
  };
}

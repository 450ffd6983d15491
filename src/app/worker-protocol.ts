/**
 * Messages between `--processes` workers and their parent, over the
 * child_process IPC channel. Everything is plain JSON: snapshots already are,
 * and their merge is exact.
 */
import type { Snapshot } from '../metrics/snapshot.js';
import type { RunResult } from '../report/run-result.js';
import type { RunOptions } from './run-options.js';

export type ParentMessage =
  | { type: 'start'; opts: RunOptions; index: number; count: number }
  | { type: 'stop'; reason: string };

export interface WorkerStatus {
  users: number;
  state: string;
  droppedIterations?: number;
  arrivalRate?: number;
}

export type WorkerMessage =
  | { type: 'ready' }
  | ({ type: 'snapshot'; snapshot: Snapshot } & WorkerStatus)
  /** The worker's load model ended by itself (stages done, shape returned null). */
  | { type: 'finished'; reason: string }
  | { type: 'result'; result: RunResult }
  /** Set-up failed; `usage` marks a user-facing problem (exit 2). */
  | { type: 'failed'; message: string; usage: boolean };

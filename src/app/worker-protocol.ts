/**
 * Messages between workers and whoever leads them: the `--processes` parent
 * over the child_process IPC channel, or a `--master` over its network
 * channel (worker-wire.ts wraps these same messages in a versioned frame).
 * Everything is plain JSON: updates and results already are, and their merge is exact.
 */
import type { SnapshotUpdate } from '../metrics/snapshot-update.js';
import type { RunResult } from '../report/run-result.js';
import type { RunOptions } from './run-options.js';

export type ParentMessage =
  /**
   * `startAtMs`: the wall-clock instant (epoch ms) at which every worker
   * starts its load, so that machines start together; absent: at once.
   */
  | {
    type: 'start'; opts: RunOptions; index: number; count: number; startAtMs?: number; weights?: Record<string, number>;
    /** After its result the worker stays for the master's next test (a master with a web UI); absent: it ends. */
    stay?: boolean;
    /** A worker that replaces a lost one: it starts at once, this many seconds into the run's plan. */
    fromS?: number;
  }
  | { type: 'stop'; reason: string }
  /** A new user count and spawn rate: this worker's share of the whole (the web UI's swarm during a run). */
  | { type: 'users'; users: number; spawnRate: number }
  /** Zero the stats (Locust's reset, from the master's web UI). */
  | { type: 'reset' }
  /** The session is over (the master's web UI quits): a worker waiting for the next test ends. */
  | { type: 'quit'; reason: string };

export interface WorkerStatus {
  users: number;
  /** Its users by class (the web UI's Current ratio tab). */
  usersByClass?: Record<string, number>;
  state: string;
  droppedIterations?: number;
  arrivalRate?: number;
  /** The worker process's CPU use since its last update, in % of one core. */
  cpuPercent?: number;
}

export type WorkerMessage =
  /** Its load started; `preLoadRequests`: the HTTP requests its checks before the load sent (the target counts them). */
  | { type: 'ready'; preLoadRequests?: number }
  /** Each second: what changed since the last (snapshot-update.ts), and how the worker is doing. */
  | ({ type: 'update'; update: SnapshotUpdate } & WorkerStatus)
  /** The worker's load model ended by itself (stages done, shape returned null). */
  | { type: 'finished'; reason: string }
  | { type: 'result'; result: RunResult }
  /** Set-up failed; `usage` marks a user-facing problem (exit 2). */
  | { type: 'failed'; message: string; usage: boolean };

/**
 * What the web UI, Prometheus and the reports read from a run while it goes
 * and once it ended, whoever runs it: one process's TestRun, or a master's
 * workers (pooled-run.ts). The web layer drives runs only through this
 * surface, and gets them from a RunSource (run-source.ts) when the runs
 * are not its own.
 */
import type { RunEvents } from '../metrics/events.js';
import type { Snapshot } from '../metrics/snapshot.js';
import type { StatsRow } from '../metrics/stats.js';
import type { Threshold } from '../metrics/thresholds.js';
import type { RunResult } from '../report/run-result.js';
import type { RunnerState } from '../engine/runner.js';

export type TestRunState = 'ready' | RunnerState;

export interface LiveRun {
  readonly state: TestRunState;
  readonly userCount: number;
  readonly targetUsers: number;
  /** Seconds since the start (frozen at the end). */
  readonly elapsedS: number;
  /** Seconds until the load starts, when it starts at an instant still ahead (a master's workers start together). */
  readonly startsInS?: number;
  /** The abortOnFail threshold that stopped the run, if one did. */
  readonly abortedBy?: string;
  /** Resolves when the load ends by itself (plan done, a threshold crossed, every worker gone). */
  readonly finished: Promise<string>;
  readonly config: { readonly thresholds: readonly Threshold[] };
  readonly events: RunEvents;
  usersByClass(): Record<string, number>;
  snapshot(opts?: { history?: boolean; historyAfter?: number; histograms?: boolean }): Snapshot;
  /** The stats table now; `now` moves the "current" rates' window. */
  liveRows(opts?: { now?: number }): { rows: StatsRow[]; aggregated: StatsRow };
  /** Time to first byte per entry, when the run measures it. */
  firstByteRows?(opts?: { now?: number }): { rows: StatsRow[]; aggregated: StatsRow };
  setUsers(users: number, spawnRate: number): void;
  resetStats(): void;
  stop(reason: string): Promise<void>;
  result(): RunResult;
}

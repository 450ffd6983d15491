/**
 * One run of a master's workers, driven from the master's web UI: the
 * LiveRun surface (state, users, merged snapshots, stop, change users,
 * reset) over a Pool (worker-pool.ts). Each worker gets its exact share of
 * the users (load-model.ts: the shares add up to what was asked); the live
 * figures are the workers' updates merged; the end result is
 * their results merged exactly, as the headless master concludes it.
 */
import { RunEvents } from '../metrics/events.js';
import { statsRows, type StatsRow } from '../metrics/rows.js';
import { emptySnapshot, type Snapshot } from '../metrics/snapshot.js';
import { withDefaultRules, type Threshold } from '../metrics/thresholds.js';
import { redactSettings } from '../report/redact.js';
import type { RunResult } from '../report/run-result.js';
import type { RunIo } from './conclude.js';
import type { LiveRun, TestRunState } from './live-run.js';
import { shareOf, spawnRateShare } from './load-model.js';
import { resultFromSnapshot } from './partial-result.js';
import type { RunOptions } from './run-options.js';
import type { PreparedScenario } from './scenario-setup.js';
import { lossNotes, poolResult, RESULT_GRACE_MS, withoutKeys, workerLines, type Pool, type PoolMode, type Worker } from './worker-pool.js';

export interface PooledRunSetup {
  prepared: PreparedScenario;
  /** The master's options with this run's users, spawn rate and run time. */
  opts: RunOptions;
  /** The target every worker loads (the master opened it). */
  host: string;
  /** The classes picked in the form, by name; absent: the scenario's own choice. */
  userClasses?: string[];
  /** The classes' weights from the form, by name. */
  weights?: Record<string, number>;
  mode: Pick<PoolMode, 'count' | 'unit' | 'loss' | 'settings' | 'privateKeys'>;
  io: RunIo;
  /** The instant the workers start together (epoch ms). */
  startAtMs: number;
  /** The workers stay after their result, for the next test of the session. */
  stay?: boolean;
}

export class PooledRun implements LiveRun {
  readonly config: { thresholds: Threshold[] };
  readonly events: RunEvents;
  readonly finished: Promise<string>;
  abortedBy?: string;
  private target: number;
  /** The workers this run started, in share order: a worker's share is its place here. */
  private readonly started: Worker[];
  private stopping = false;
  private endedAtMs?: number;
  private stopped?: Promise<void>;
  private final?: RunResult;
  private peak = 0;

  constructor(private readonly pool: Pool, private readonly setup: PooledRunSetup) {
    // mcpload's default rules judged live too, as a TestRun does, so the page's verdict is the end's.
    this.config = { thresholds: withDefaultRules(setup.prepared.thresholds) };
    // `request`, `testStart`... fire in each worker for its share; `quitting` fires here, on the whole run.
    this.events = new RunEvents(setup.prepared.scenario.events, () => {});
    this.target = setup.opts.users;
    this.started = pool.live();
    const lostBefore = pool.workers.length - this.started.length;
    if (lostBefore > 0) setup.io.err(`warning: ${lostBefore} worker${lostBefore === 1 ? ' was' : 's were'} lost before the start: the ${this.started.length} left share the load`);
    const count = this.started.length;
    const { opts } = setup;
    const workerOpts: RunOptions = {
      ...withoutKeys(opts, setup.mode.privateKeys), host: setup.host, processes: 1, printIntervalMs: 0, headless: true,
      csv: undefined, json: undefined, baseline: undefined, prometheus: undefined, web: undefined,
      // The form's users and spawn rate: the closed model, as the one-process web UI runs it.
      arrivalRate: undefined, stages: undefined, userStages: undefined,
      ...(setup.userClasses !== undefined ? { userClasses: setup.userClasses } : {}),
    };
    this.started.forEach((worker, place) => {
      worker.link.send({
        type: 'start', opts: workerOpts, index: place, count, startAtMs: setup.startAtMs, ...(setup.weights ? { weights: setup.weights } : {}),
        ...(setup.stay === true ? { stay: true } : {}),
      });
    });
    this.finished = pool.finished.then((reason) => {
      if (reason.startsWith('threshold ')) this.abortedBy = reason.slice('threshold '.length).replace(/ crossed$/, '');
      if (pool.failure) setup.io.err(`error: ${pool.failure.message}`);
      return reason;
    });
  }

  private running(): Worker[] {
    // Statuses ride on the snapshots, read when asked for.
    this.pool.flushAll();
    return this.started.filter((w) => w.lost === undefined && w.result === undefined);
  }

  get state(): TestRunState {
    if (this.endedAtMs !== undefined) return 'stopped';
    if (this.stopping) return 'stopping';
    const states = this.running().map((w) => w.status?.state);
    if (states.length === 0) return 'stopped';
    if (states.some((s) => s === undefined || s === 'spawning' || s === 'ready' || s === 'idle')) return 'spawning';
    return states.every((s) => s === 'stopped') ? 'stopped' : 'running';
  }

  get userCount(): number {
    const users = this.running().reduce((sum, w) => sum + (w.status?.users ?? 0), 0);
    if (users > this.peak) this.peak = users;
    return users;
  }

  get targetUsers(): number {
    return this.target;
  }

  get elapsedS(): number {
    return Math.max(0, ((this.endedAtMs ?? Date.now()) - this.setup.startAtMs) / 1000);
  }

  get startsInS(): number {
    return Math.max(0, (this.setup.startAtMs - Date.now()) / 1000);
  }

  usersByClass(): Record<string, number> {
    const sum: Record<string, number> = {};
    for (const w of this.running()) {
      for (const [name, users] of Object.entries(w.status?.usersByClass ?? {})) sum[name] = (sum[name] ?? 0) + users;
    }
    return sum;
  }

  /** Every worker gets its share of the new count; the shares add up to `users`. */
  setUsers(users: number, spawnRate: number): void {
    this.target = users;
    const count = this.started.length;
    this.started.forEach((worker, place) => {
      if (worker.lost !== undefined || worker.result !== undefined) return;
      const share = shareOf(users, place, count);
      worker.link.send({ type: 'users', users: share, spawnRate: spawnRateShare(spawnRate, share, users, count) });
    });
  }

  resetStats(): void {
    this.pool.resetStats();
  }

  snapshot(opts: { history?: boolean; historyAfter?: number } = {}): Snapshot {
    const historyAfter = opts.history === false ? Infinity : opts.historyAfter ?? -Infinity;
    return this.pool.merged({ historyAfter }) ?? emptySnapshot(this.setup.startAtMs);
  }

  liveRows(opts: { now?: number } = {}): { rows: StatsRow[]; aggregated: StatsRow } {
    return this.pool.rows(opts) ?? statsRows(emptySnapshot(this.setup.startAtMs), opts);
  }

  stop(reason: string): Promise<void> {
    this.stopped ??= this.stopWorkers(reason);
    return this.stopped;
  }

  private async stopWorkers(reason: string): Promise<void> {
    this.peak = Math.max(this.peak, this.userCount);
    this.stopping = true;
    const { io, opts } = this.setup;
    await this.pool.stopAll(reason, opts.stopTimeoutMs + RESULT_GRACE_MS, this.setup.stay === true);
    this.endedAtMs = Date.now();
    this.pool.close();
    // A worker lost and still connected is not one to share the next test with.
    if (this.setup.stay === true) for (const w of this.pool.workers) if (w.lost !== undefined) w.link.close();
    try {
      const { merged, results } = poolResult(this.pool, this.setup.prepared.thresholds, opts, this.setup.mode, this.setup.host, io);
      if (merged.scenarioFigures) this.setup.prepared.scenario.figures?.adopt(merged.scenarioFigures);
      merged.notes = [...this.setup.prepared.scenario.notes ?? [], ...lossNotes(this.pool)];
      this.final = merged;
      io.out(workerLines(this.pool.workers, results).trimEnd());
    } catch (err) {
      io.err(`error: ${(err as Error).message}`);
    }
  }

  /** The merged result: the workers' results once stopped; before that, the merged snapshots judged as they are. */
  result(): RunResult {
    if (this.final) return this.final;
    const merged = this.pool.merged({ historyAfter: -Infinity }) ?? emptySnapshot(this.setup.startAtMs);
    const settings = { ...withoutKeys(this.setup.opts, this.setup.mode.privateKeys), host: this.setup.host, ...this.setup.mode.settings };
    const result = resultFromSnapshot(merged, undefined, this.setup.prepared.thresholds, redactSettings(settings));
    result.peakUsers = Math.max(this.peak, this.userCount);
    return result;
  }
}

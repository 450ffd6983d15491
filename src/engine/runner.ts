/**
 * The closed load model (Locust's): a number of virtual users, spawned at a
 * rate, each looping task → wait → task until it is stopped.
 *
 * The runner knows nothing about MCP or HTTP. The scenario layer builds each
 * user's context `C` (its clients) in `makeContext` and releases it in
 * `closeContext`; errors thrown by scenario code go to `onException` and
 * never stop the run.
 *
 * Life of a user:
 *   makeContext → onStart → loop { pick task → run → wait } → onStop → closeContext
 *
 * - onStart failure: reported, and the user ends (as in Locust: a user that
 *   could not set up, e.g. failed its MCP handshake, would only produce a
 *   flood of follow-on errors). Its context is still closed; `onStop` is not
 *   called because it pairs with a completed `onStart`. The user is not
 *   replaced, so a lower user count than the target shows that users die.
 * - task failure: reported as `Class.task`, and the loop goes on (after the
 *   usual wait).
 * - stopping a user: it picks no new task and leaves its wait at once; a task
 *   in flight gets `stopTimeoutMs` to finish, then the user is cut: its
 *   AbortSignal aborts (transports abort in-flight requests), whatever its
 *   abandoned code does afterwards is ignored, and `onStop`/`closeContext`
 *   run at once (each bounded by max(1 s, stopTimeoutMs)). After a cut the
 *   signal stays aborted, so `closeContext` must not depend on it.
 * - every user's signal is aborted once its context is closed.
 *
 * Memory bounds (issue 7: 10,000 sessions from one process):
 * - spawning is paced by onStart: at most `maxStarting` users are inside
 *   onStart at once. When that many are, the next user is spawned when one
 *   of them finishes, not on the clock. A target (or a busy generator) that
 *   completes fewer handshakes per second than the spawn rate would
 *   otherwise pile up thousands of requests in flight, each with its own
 *   socket and buffers, and their latency would be the generator's queue.
 *   The spawn rate stays a ceiling: time spent waiting is not caught up in
 *   a burst. A user counts in userCount once it is spawned, as before;
 *   `spawnsPaced` tells how often the pace was the target's.
 * - at most `maxClosing` users run onStop + closeContext at once; the
 *   others wait their turn, so stopping 10,000 users does not open 10,000
 *   connections for 10,000 DELETEs at the same moment. Once a teardown step
 *   overruns its time limit, the target is not answering: the rest of that
 *   stop is no longer queued, so the stop does not take users/maxClosing
 *   times the limit.
 */

import { Gate } from './gate.js';
import { closeUser, waitAtMost, type TeardownOptions } from './teardown.js';
import { EngineConfigError, planUserClasses, validateUserClasses } from './distribution.js';
import { Sleeper } from './sleep.js';
import { TaskPicker } from './task-picker.js';
import type { UserClassDef } from './user-class.js';

export type RunnerState = 'idle' | 'spawning' | 'running' | 'stopping' | 'stopped';

export interface UserInfo {
  /** Unique within the runner, counting up in spawn order. */
  id: number;
  className: string;
  /** Aborted when the user is cut at stop, and once its context is closed. */
  signal: AbortSignal;
}

export interface RunnerOptions<C> {
  classes: UserClassDef<C>[];
  /** Builds one user's context. Should not do I/O (that belongs in onStart). */
  makeContext: (info: UserInfo) => C;
  /** Releases one user's context (e.g. DELETE the MCP session); called after onStop. */
  closeContext?: (ctx: C) => Promise<void>;
  /**
   * Errors thrown by scenario code. `where` is `Class.task`, `Class.onStart`,
   * `Class.onStop`, `Class.closeContext`, `Class.makeContext` or `Class.wait`.
   */
  onException: (err: unknown, where: string) => void;
  /** How long a task in flight may run on after a stop (ms). Default 0: cut at once, as Locust does. */
  stopTimeoutMs?: number;
  /** Uniform [0, 1) source for task picks; injectable for tests. Default Math.random. */
  random?: () => number;
  /** The user count reached the target (after start and after every setTarget). */
  onSpawningComplete?: (users: number) => void;
  onStateChange?: (state: RunnerState) => void;
  /**
   * At most this many users inside onStart at once; the next user is
   * spawned when one of them finishes (see the file comment). Default
   * DEFAULT_MAX_STARTING; Infinity spawns on the clock alone.
   */
  maxStarting?: number;
  /** At most this many users in onStop + closeContext at once; the others wait their turn. Default DEFAULT_MAX_CLOSING. */
  maxClosing?: number;
}

/** Spawn bursts are at least this far apart; high rates spawn several users per tick. */
const MIN_TICK_MS = 10;
/**
 * Measured with bench/scenarios/hold-sessions.ts (10,000 users at 1,000/s on
 * one core): peak RSS ~220 MB with 100 users in onStart at once, ~290 MB with
 * 300, ~360 MB with 1,000 and 470-500 MB without a cap, and the ramp was
 * fastest with 100. 100 handshakes of 50 ms still start 2,000 users/s.
 */
export const DEFAULT_MAX_STARTING = 100;
/**
 * Stopping those 10,000 users: peak RSS ~220-280 MB with 100 closing at once
 * (250 was no faster and a little higher), ~350-500 MB with all at once.
 */
export const DEFAULT_MAX_CLOSING = 100;
const KEEP_ALIVE_MS = 2 ** 30;
const noop = (): void => {};

/** What all users of one class share: the definition, its task table, its live count. */
interface ClassRuntime<C> {
  def: UserClassDef<C>;
  picker: TaskPicker<C>;
  live: number;
}

type Phase = 'starting' | 'task' | 'waiting' | 'done';

class VirtualUser<C> {
  readonly controller = new AbortController();
  readonly sleeper = new Sleeper();
  ctx: C | undefined;
  phase: Phase = 'starting';
  /** Counted in userCount and usersByClass. */
  live = true;
  /** Pick no new task, leave any wait. */
  stopRequested = false;
  /** Abandoned: its code may still be running, but nothing it does counts any more. */
  cut = false;
  /** onStart completed, so onStop is due at teardown. */
  started = false;
  /** Inside onStart: counted in the runner's `starting`. */
  inStart = false;
  ended = false;
  loop: Promise<void> = Promise.resolve();
  teardown: Promise<void> | undefined;

  constructor(
    readonly id: number,
    readonly rt: ClassRuntime<C>,
  ) {}
}

export class Runner<C> {
  private readonly classes: UserClassDef<C>[];
  private readonly runtimes = new Map<string, ClassRuntime<C>>();
  private readonly opts: RunnerOptions<C>;
  private readonly stopTimeoutMs: number;
  private readonly teardownOptions: TeardownOptions<C>;
  private readonly random: () => number;

  private current: RunnerState = 'idle';
  /** Users in spawn order; position i is a user of class plan[i]. Retired users leave from the end. */
  private slots: VirtualUser<C>[] = [];
  private plan: UserClassDef<C>[] = [];
  private target = 0;
  private rate = 1;
  private rampStart = 0;
  private rampDone = 0;
  private nextId = 0;
  private liveCount = 0;
  /** Users inside onStart now. */
  private starting = 0;
  /** At most this many users inside onStart at once. */
  readonly maxStarting: number;
  private readonly maxClosing: number;
  /** Users in onStop + closeContext at once; a new gate for every run. */
  private teardowns: Gate;
  /** Spawning waits for a user to leave onStart (no timer is set meanwhile). */
  private heldByStarting = false;
  private heldSince = 0;
  /** Spawns that had to wait for a user to leave onStart, and the time spent waiting, since the run began. */
  private pacedSpawns = 0;
  private pacedTotalMs = 0;
  private ticker: ReturnType<typeof setTimeout> | undefined;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  /** Users removed by a lower target, still finishing their stop. */
  private readonly retiring = new Set<Promise<void>>();
  private stopping: Promise<void> | undefined;

  constructor(opts: RunnerOptions<C>) {
    validateUserClasses(opts.classes);
    const stopTimeoutMs = opts.stopTimeoutMs ?? 0;
    if (!Number.isFinite(stopTimeoutMs) || stopTimeoutMs < 0) {
      throw new EngineConfigError(`stop timeout must be a finite number of ms >= 0, got ${String(opts.stopTimeoutMs)}`);
    }
    for (const def of opts.classes) {
      this.runtimes.set(def.name, { def, picker: new TaskPicker(def.name, def.tasks, def.coverEveryTaskFirst), live: 0 });
    }
    this.classes = opts.classes;
    this.opts = opts;
    this.stopTimeoutMs = stopTimeoutMs;
    this.random = opts.random ?? Math.random;
    this.maxStarting = checkCap(opts.maxStarting ?? DEFAULT_MAX_STARTING, 'maxStarting');
    this.maxClosing = checkCap(opts.maxClosing ?? DEFAULT_MAX_CLOSING, 'maxClosing');
    this.teardowns = new Gate(this.maxClosing);
    this.teardownOptions = { stopTimeoutMs, closeContext: opts.closeContext, report: (err, where) => this.report(err, where) };
  }

  /** Users whose spawn waited for another user to finish onStart (the target set the pace, not the spawn rate). */
  get spawnsPaced(): number {
    return this.pacedSpawns;
  }

  /** Time spawning spent waiting for users to finish onStart (ms), this run. */
  get spawnPacedMs(): number {
    return this.pacedTotalMs + (this.heldByStarting ? performance.now() - this.heldSince : 0);
  }

  get state(): RunnerState {
    return this.current;
  }

  /** Users running now (spawned, not stopped, not died in onStart). */
  get userCount(): number {
    return this.liveCount;
  }

  /** The user count last asked for by start/setTarget. */
  get targetUsers(): number {
    return this.target;
  }

  /** Running users per class, every class listed (0 included). */
  usersByClass(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [name, rt] of this.runtimes) counts[name] = rt.live;
    return counts;
  }

  /**
   * Starts a run (or, while one is running, changes its target): ramps to
   * `users` users at `spawnRate` users per second, in `planUserClasses` order.
   */
  start(users: number, spawnRate: number): void {
    if (this.current === 'stopping') throw new EngineConfigError('cannot start: the runner is still stopping');
    checkRate(spawnRate);
    const plan = planUserClasses(this.classes, users);
    if (this.current === 'idle' || this.current === 'stopped') {
      this.slots = [];
      this.pacedSpawns = 0;
      this.pacedTotalMs = 0;
      this.teardowns = new Gate(this.maxClosing);
      this.keepAlive = setInterval(noop, KEEP_ALIVE_MS);
    }
    this.retarget(users, spawnRate, plan);
  }

  /**
   * Changes the user count of a running test (the web UI's live edit).
   * Users are added in plan order, or the most recently spawned are stopped
   * first, both at `spawnRate` per second, so the class mix stays right.
   * On an idle or stopped runner it starts a run, like `start`.
   */
  setTarget(users: number, spawnRate: number): void {
    this.start(users, spawnRate);
  }

  /**
   * Stops every user (see the file comment for how) and resolves when all
   * have run onStop and closeContext. Safe to call more than once.
   */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.current === 'idle') this.setState('stopped');
    if (this.current === 'stopped') return Promise.resolve();
    this.stopping = this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.setState('stopping');
    clearTimeout(this.ticker);
    this.ticker = undefined;
    this.release();
    const users = this.slots;
    this.slots = [];
    await Promise.all([this.retire(users), ...this.retiring]);
    clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    this.stopping = undefined;
    this.setState('stopped');
  }

  private retarget(users: number, rate: number, plan: UserClassDef<C>[]): void {
    this.target = users;
    this.plan = plan;
    this.rate = rate;
    this.rampStart = performance.now();
    this.rampDone = 0;
    clearTimeout(this.ticker);
    this.release();
    this.setState('spawning');
    this.tick();
  }

  /**
   * One spawn burst: brings the user count as close to the plan as the rate
   * allows by now (user k of a ramp is due k / rate seconds after it began),
   * then sleeps until the next user is due.
   */
  private readonly tick = (): void => {
    this.ticker = undefined;
    const goal = this.plan.length;
    const now = performance.now();
    const due = Math.floor(((now - this.rampStart) * this.rate) / 1000) + 1 - this.rampDone;
    let steps = Math.min(due, Math.abs(goal - this.slots.length));
    let spawnedNow = false;
    for (; steps > 0; steps--) {
      if (this.slots.length < goal) {
        if (this.starting >= this.maxStarting) {
          if (spawnedNow) {
            // A late timer made this a catch-up burst: the users just spawned have not had a turn
            // to run onStart yet, so the target has not set any pace. Go on after they had one.
            this.ticker = setTimeout(this.tick, 0);
            return;
          }
          // Paced by the target: the next spawn waits for a user to leave onStart (leaveStart).
          this.heldByStarting = true;
          this.heldSince = now;
          this.pacedSpawns++;
          return;
        }
        this.spawnNext();
        spawnedNow = true;
      } else this.retireLast();
      this.rampDone++;
    }
    if (this.slots.length === goal) {
      this.setState('running');
      this.emit(this.opts.onSpawningComplete, this.liveCount, 'runner.onSpawningComplete');
      return;
    }
    const nextDue = this.rampStart + (this.rampDone * 1000) / this.rate;
    this.ticker = setTimeout(this.tick, Math.max(MIN_TICK_MS, nextDue - now));
  };

  private spawnNext(): void {
    const def = this.plan[this.slots.length] as UserClassDef<C>;
    const rt = this.runtimes.get(def.name) as ClassRuntime<C>;
    const vu = new VirtualUser<C>(this.nextId++, rt);
    this.slots.push(vu);
    try {
      vu.ctx = this.opts.makeContext({ id: vu.id, className: def.name, signal: vu.controller.signal });
    } catch (err) {
      // Without a context there is nothing to run or to close: the slot stays taken by a dead user.
      this.report(err, `${def.name}.makeContext`);
      vu.live = false;
      vu.ended = true;
      vu.phase = 'done';
      vu.teardown = Promise.resolve();
      return;
    }
    rt.live++;
    this.liveCount++;
    if (def.onStart) {
      vu.inStart = true;
      this.starting++;
    }
    vu.loop = this.runUser(vu);
  }

  private retireLast(): void {
    const vu = this.slots.pop();
    if (!vu) return;
    const retired = this.retire([vu]);
    this.retiring.add(retired);
    void retired.then(() => this.retiring.delete(retired));
  }

  /**
   * A user left onStart (done, failed, or stopped). If spawning was waiting
   * for that, it goes on, without catching up the time it waited: the
   * spawn rate stays a ceiling, never a burst.
   */
  private leaveStart(vu: VirtualUser<C>): void {
    if (!vu.inStart) return;
    vu.inStart = false;
    this.starting--;
    if (!this.heldByStarting) return;
    this.release();
    const now = performance.now();
    const nextDue = this.rampStart + (this.rampDone * 1000) / this.rate;
    if (nextDue < now) this.rampStart = now - (this.rampDone * 1000) / this.rate;
    this.tick();
  }

  /** Spawning no longer waits for onStart; the wait is added to the paced time. */
  private release(): void {
    if (!this.heldByStarting) return;
    this.heldByStarting = false;
    this.pacedTotalMs += performance.now() - this.heldSince;
  }

  private markNotLive(vu: VirtualUser<C>): void {
    if (!vu.live) return;
    vu.live = false;
    vu.rt.live--;
    this.liveCount--;
  }

  /** Stops these users: grace period for tasks in flight, cut the rest, then onStop and closeContext. */
  private async retire(users: VirtualUser<C>[]): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const vu of users) {
      vu.stopRequested = true;
      this.markNotLive(vu);
      this.leaveStart(vu);
      vu.sleeper.wake();
      if (!vu.ended) pending.push(vu.loop);
    }
    if (pending.length > 0 && this.stopTimeoutMs > 0) await waitAtMost(Promise.all(pending), this.stopTimeoutMs);
    for (const vu of users) {
      // A woken user runs no more scenario code, so only users inside onStart or a task are cut.
      if (!vu.ended && vu.phase !== 'waiting') {
        vu.cut = true;
        vu.controller.abort();
      }
    }
    await Promise.all(users.map((vu) => this.teardownUser(vu)));
  }

  private teardownUser(vu: VirtualUser<C>): Promise<void> {
    vu.teardown ??= this.closeUser(vu);
    return vu.teardown;
  }

  /** onStop and closeContext (teardown.ts), with at most `maxClosing` users here at once. */
  private closeUser(vu: VirtualUser<C>): Promise<void> {
    return closeUser({ def: vu.rt.def, ctx: vu.ctx as C, started: vu.started, controller: vu.controller }, this.teardowns, this.teardownOptions);
  }

  /** One user's life from onStart to the end of its loop. Never rejects. */
  private async runUser(vu: VirtualUser<C>): Promise<void> {
    const { def, picker } = vu.rt;
    const ctx = vu.ctx as C;
    try {
      if (def.onStart) {
        try {
          await def.onStart(ctx);
        } catch (err) {
          if (!vu.cut) this.report(err, `${def.name}.onStart`);
          return;
        } finally {
          this.leaveStart(vu);
        }
        if (vu.cut) return;
      }
      vu.started = true;
      while (!vu.stopRequested) {
        const task = picker.pick(this.random());
        vu.phase = 'task';
        const begun = performance.now();
        try {
          await task.run(ctx);
        } catch (err) {
          if (!vu.cut) this.report(err, `${def.name}.${task.name}`);
        }
        if (vu.stopRequested) break;
        const waitMs = this.waitAfter(def, performance.now() - begun);
        vu.phase = 'waiting';
        // A zero wait still yields a turn of the event loop: a task that
        // never awaits real I/O would otherwise starve timers and sockets.
        if (waitMs > 0) await vu.sleeper.sleep(waitMs);
        else await vu.sleeper.yieldTurn();
      }
    } finally {
      vu.ended = true;
      vu.phase = 'done';
      if (!vu.stopRequested) {
        // Ended on its own (onStart failed): release it now, it is not replaced.
        this.markNotLive(vu);
        void this.teardownUser(vu);
      }
    }
  }

  private waitAfter(def: UserClassDef<C>, lastTaskMs: number): number {
    if (!def.wait) return 0;
    try {
      const ms = def.wait(lastTaskMs);
      return Number.isFinite(ms) && ms > 0 ? ms : 0;
    } catch (err) {
      this.report(err, `${def.name}.wait`);
      return 0;
    }
  }

  private setState(state: RunnerState): void {
    if (state === this.current) return;
    this.current = state;
    this.emit(this.opts.onStateChange, state, 'runner.onStateChange');
  }

  private emit<T>(listener: ((value: T) => void) | undefined, value: T, where: string): void {
    if (!listener) return;
    try {
      listener(value);
    } catch (err) {
      this.report(err, where);
    }
  }

  private report(err: unknown, where: string): void {
    try {
      this.opts.onException(err, where);
    } catch {
      // The exception sink itself failed: nothing sensible is left to tell, and the run must go on.
    }
  }
}

function checkCap(cap: number, name: string): number {
  if (!(cap === Infinity || (Number.isInteger(cap) && cap >= 1))) {
    throw new EngineConfigError(`${name} must be a whole number >= 1 or Infinity, got ${String(cap)}`);
  }
  return cap;
}

function checkRate(spawnRate: number): void {
  if (!Number.isFinite(spawnRate) || spawnRate <= 0) {
    throw new EngineConfigError(`spawn rate must be a finite number of users per second > 0, got ${String(spawnRate)}`);
  }
}

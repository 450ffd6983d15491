/**
 * The open load model (k6's arrival-rate executors): iterations start on a
 * schedule, whatever the server's latency, and a pool of pre-allocated
 * virtual users runs them. An iteration is one task pick of a user's class.
 *
 * The engine plans, then runs: an `ArrivalPlan` says when iteration k is
 * due; this runner only follows it. When an iteration is due and no user of
 * its class is free, it is not started late: it is counted as dropped
 * (k6's `dropped_iterations`), because starting it late would hide exactly
 * the overload the test is looking for.
 *
 * Every iteration is told its intended start (`beginIteration`), so that the
 * first request can be timed from when it should have been sent rather than
 * from when a free user got round to it (wrk2's correction for coordinated
 * omission).
 *
 * Life of a user: makeContext → onStart → { wait in the free list → one task } ... → onStop → closeContext.
 * Wait times of user classes do not apply: the schedule sets the pace.
 */
import type { ArrivalPlan } from './arrival-plan.js';
import { EngineConfigError, planUserClasses, validateUserClasses } from './distribution.js';
import { Gate } from './gate.js';
import { closeUser, waitAtMost, type TeardownOptions } from './teardown.js';
import { DEFAULT_MAX_CLOSING, type RunnerState, type UserInfo } from './runner.js';
import { TaskPicker } from './task-picker.js';
import type { TaskDef, UserClassDef } from './user-class.js';

export interface OpenRunnerOptions<C> {
  classes: UserClassDef<C>[];
  /** Size of the user pool; iterations beyond it are dropped. */
  maxUsers: number;
  makeContext: (info: UserInfo) => C;
  closeContext?: (ctx: C) => Promise<void>;
  onException: (err: unknown, where: string) => void;
  /** Called just before an iteration's task runs, with its intended start in µs (the `nowUs()` clock). */
  beginIteration?: (ctx: C, intendedStartUs: number) => void;
  /** How long iterations in flight may run on after a stop (ms); default 0. */
  stopTimeoutMs?: number;
  random?: () => number;
  onStateChange?: (state: RunnerState) => void;
  /** The plan has no iteration left (stages done); the run may stop. */
  onPlanEnd?: () => void;
  /** At most this many users in onStop + closeContext at once at stop; default DEFAULT_MAX_CLOSING (as the closed model). */
  maxClosing?: number;
}

/** onStart handshakes in flight at once while the pool fills (a burst of thousands would be a test of its own). */
const START_CONCURRENCY = 64;
/** For a user that failed its onStart while the pool fills: its close is not queued behind anything. */
const UNBOUNDED = new Gate(Infinity);
const KEEP_ALIVE_MS = 2 ** 30;
const noop = (): void => {};

interface ClassPool<C> {
  def: UserClassDef<C>;
  picker: TaskPicker<C>;
  /** Free users, used as a stack (the most recently freed is warmest). */
  free: PoolUser<C>[];
}

class PoolUser<C> {
  busy = false;
  started = false;
  cut = false;
  running: Promise<void> | undefined;

  constructor(readonly pool: ClassPool<C>, readonly ctx: C, readonly controller: AbortController) {}
}

export class OpenRunner<C> {
  private readonly opts: OpenRunnerOptions<C>;
  private readonly pools = new Map<string, ClassPool<C>>();
  /** Iteration k is of class order[k % order.length]: the class mix of the pool. */
  private readonly order: UserClassDef<C>[];
  private readonly random: () => number;
  private readonly stopTimeoutMs: number;
  private readonly teardownOptions: TeardownOptions<C>;
  private users: PoolUser<C>[] = [];
  private current: RunnerState = 'idle';
  private plan: ArrivalPlan | undefined;
  private t0Ms = 0;
  private nextDueS: number | undefined;
  private arrivals = 0;
  private dropped = 0;
  private busyCount = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private keepAlive: ReturnType<typeof setInterval> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(opts: OpenRunnerOptions<C>) {
    validateUserClasses(opts.classes);
    if (!Number.isSafeInteger(opts.maxUsers) || opts.maxUsers < 1) {
      throw new EngineConfigError(`max users must be a whole number >= 1, got ${String(opts.maxUsers)}`);
    }
    const stopTimeoutMs = opts.stopTimeoutMs ?? 0;
    if (!Number.isFinite(stopTimeoutMs) || stopTimeoutMs < 0) {
      throw new EngineConfigError(`stop timeout must be a finite number of ms >= 0, got ${String(opts.stopTimeoutMs)}`);
    }
    for (const def of opts.classes) this.pools.set(def.name, { def, picker: new TaskPicker(def.name, def.tasks, def.coverEveryTaskFirst), free: [] });
    this.order = planUserClasses(opts.classes, opts.maxUsers);
    this.opts = opts;
    this.random = opts.random ?? Math.random;
    this.stopTimeoutMs = stopTimeoutMs;
    this.teardownOptions = { stopTimeoutMs, closeContext: opts.closeContext, report: (err, where) => this.report(err, where) };
  }

  get state(): RunnerState {
    return this.current;
  }

  /** Users in the pool (set up and not stopped). */
  get userCount(): number {
    return this.current === 'stopped' ? 0 : this.users.length;
  }

  /** Users running an iteration now. */
  get busyUsers(): number {
    return this.busyCount;
  }

  /** Iterations that were due and found no free user. */
  get droppedIterations(): number {
    return this.dropped;
  }

  /** Iterations that came due (started + dropped). */
  get dueIterations(): number {
    return this.arrivals;
  }

  /** Iterations started per second since the plan began (undefined before it runs). */
  get achievedRate(): number | undefined {
    if (!this.plan || this.current !== 'running') return undefined;
    const s = (performance.now() - this.t0Ms) / 1000;
    return s > 0 ? (this.arrivals - this.dropped) / s : undefined;
  }

  /** The rate the plan asks for now (iterations/s). */
  get currentRate(): number {
    if (!this.plan || this.current !== 'running') return 0;
    return this.plan.rateAt((performance.now() - this.t0Ms) / 1000);
  }

  usersByClass(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const name of this.pools.keys()) counts[name] = 0;
    for (const user of this.users) counts[user.pool.def.name] = (counts[user.pool.def.name] ?? 0) + 1;
    return counts;
  }

  /**
   * Fills the pool (every user runs onStart, a few dozen at a time), then
   * starts the clock: the plan's time 0 is the moment the pool is ready.
   */
  start(plan: ArrivalPlan): void {
    if (this.current !== 'idle') throw new EngineConfigError('an open-model runner starts once');
    this.plan = plan;
    this.keepAlive = setInterval(noop, KEEP_ALIVE_MS);
    this.setState('spawning');
    void this.fillPool().then(() => {
      if (this.current !== 'spawning') return;
      this.t0Ms = performance.now();
      this.nextDueS = plan.next();
      this.setState('running');
      this.onTimer();
    });
  }

  /** From now on, a constant `rate` (a shape function steering the run). */
  setRate(rate: number): void {
    if (!this.plan) throw new EngineConfigError('the open-model runner has not started');
    const nowS = this.current === 'running' ? (performance.now() - this.t0Ms) / 1000 : 0;
    // The pending iteration was taken from the old plan: put it back by re-planning from its number.
    this.plan.setRate(nowS, rate);
    if (this.nextDueS !== undefined) this.plan.unissue();
    this.nextDueS = this.plan.next();
    if (this.current === 'running') {
      clearTimeout(this.timer);
      this.onTimer();
    }
  }

  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.current === 'idle' || this.current === 'stopped') {
      this.setState('stopped');
      return Promise.resolve();
    }
    this.stopping = this.shutdown();
    return this.stopping;
  }

  private async fillPool(): Promise<void> {
    const pending: PoolUser<C>[] = [];
    for (let i = 0; i < this.opts.maxUsers; i++) {
      const def = this.order[i] as UserClassDef<C>;
      const pool = this.pools.get(def.name) as ClassPool<C>;
      const controller = new AbortController();
      let ctx: C;
      try {
        ctx = this.opts.makeContext({ id: i, className: def.name, signal: controller.signal });
      } catch (err) {
        this.report(err, `${def.name}.makeContext`);
        continue;
      }
      pending.push(new PoolUser(pool, ctx, controller));
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < pending.length && this.current === 'spawning') {
        const user = pending[next++] as PoolUser<C>;
        this.users.push(user);
        if (await this.startUser(user)) {
          user.pool.free.push(user);
        } else {
          this.users.splice(this.users.indexOf(user), 1);
          void this.closeUser(user, UNBOUNDED);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, pending.length) }, worker));
  }

  /** onStart; false when it failed (the user leaves the pool, as a Locust user that could not set up ends). */
  private async startUser(user: PoolUser<C>): Promise<boolean> {
    const { def } = user.pool;
    if (!def.onStart) {
      user.started = true;
      return true;
    }
    try {
      await def.onStart(user.ctx);
      user.started = true;
      return !user.cut;
    } catch (err) {
      if (!user.cut) this.report(err, `${def.name}.onStart`);
      return false;
    }
  }

  /** Starts every iteration due by now, then sleeps until the next one is due. */
  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.current !== 'running' || !this.plan) return;
    const nowS = (performance.now() - this.t0Ms) / 1000;
    let due = this.nextDueS;
    while (due !== undefined && due <= nowS) {
      this.arrive(due);
      due = this.plan.next();
    }
    this.nextDueS = due;
    if (due === undefined) {
      // An endless plan at rate 0 (a shape pausing the load) has not ended: setRate wakes it.
      if (Number.isFinite(this.plan.durationS)) this.emitPlanEnd();
      return;
    }
    this.timer = setTimeout(this.onTimer, (due - nowS) * 1000);
  };

  private arrive(dueS: number): void {
    const def = this.order[this.arrivals % this.order.length] as UserClassDef<C>;
    this.arrivals++;
    const pool = this.pools.get(def.name) as ClassPool<C>;
    const user = pool.free.pop();
    if (user === undefined) {
      this.dropped++;
      return;
    }
    const task = pool.picker.pick(this.random());
    user.busy = true;
    this.busyCount++;
    if (this.opts.beginIteration) {
      try {
        this.opts.beginIteration(user.ctx, (this.t0Ms + dueS * 1000) * 1000);
      } catch (err) {
        this.report(err, 'runner.beginIteration');
      }
    }
    user.running = this.iterate(user, task);
  }

  private async iterate(user: PoolUser<C>, task: TaskDef<C>): Promise<void> {
    try {
      await task.run(user.ctx);
    } catch (err) {
      if (!user.cut) this.report(err, `${user.pool.def.name}.${task.name}`);
    }
    user.busy = false;
    this.busyCount--;
    user.running = undefined;
    if (this.current === 'running' || this.current === 'spawning') user.pool.free.push(user);
  }

  private emitPlanEnd(): void {
    const listener = this.opts.onPlanEnd;
    if (!listener) return;
    try {
      listener();
    } catch (err) {
      this.report(err, 'runner.onPlanEnd');
    }
  }

  private async shutdown(): Promise<void> {
    this.setState('stopping');
    clearTimeout(this.timer);
    this.timer = undefined;
    const users = this.users;
    const inFlight = users.filter((u) => u.running !== undefined).map((u) => u.running as Promise<void>);
    if (inFlight.length > 0 && this.stopTimeoutMs > 0) await waitAtMost(Promise.all(inFlight), this.stopTimeoutMs);
    for (const user of users) {
      // Cut whatever is still running scenario code: an iteration, or an onStart while the pool fills.
      if (user.busy || !user.started) {
        user.cut = true;
        user.controller.abort();
      }
    }
    const gate = new Gate(this.opts.maxClosing ?? DEFAULT_MAX_CLOSING);
    await Promise.all(users.map((u) => this.closeUser(u, gate)));
    this.users = [];
    clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    this.setState('stopped');
  }

  /** onStop and closeContext (teardown.ts), with at most the gate's limit of users here at once, as in the closed model. */
  private closeUser(user: PoolUser<C>, gate: Gate): Promise<void> {
    return closeUser({ def: user.pool.def, ctx: user.ctx, started: user.started, controller: user.controller }, gate, this.teardownOptions);
  }

  private setState(state: RunnerState): void {
    if (state === this.current) return;
    this.current = state;
    if (!this.opts.onStateChange) return;
    try {
      this.opts.onStateChange(state);
    } catch (err) {
      this.report(err, 'runner.onStateChange');
    }
  }

  private report(err: unknown, where: string): void {
    try {
      this.opts.onException(err, where);
    } catch {
      // The exception sink itself failed; the run goes on.
    }
  }
}


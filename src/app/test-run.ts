/**
 * One load test that can be driven while it runs: start, change the user
 * count, reset stats, stop, and judge. The headless CLI and the web UI both
 * drive this; neither knows about the engine or transports underneath.
 */
import { RunSetupError, type PreparedScenario } from './scenario-setup.js';
import { ArrivalPlan } from '../engine/arrival-plan.js';
import { BusyPoller } from '../engine/busy-poll.js';
import { OpenRunner } from '../engine/open-runner.js';
import { Runner, type UserInfo } from '../engine/runner.js';
import { ShapeDriver, type LoadShape } from '../engine/shape.js';
import { RunEvents, type RunListeners } from '../metrics/events.js';
import { Stats, type StatsRow } from '../metrics/stats.js';
import type { Snapshot } from '../metrics/snapshot.js';
import type { SnapshotUpdate, UpdateBaseline } from '../metrics/snapshot-update.js';
import { withDefaultRules, type Threshold } from '../metrics/thresholds.js';
import { crossedAbortRule } from '../metrics/verdict.js';
import { judgeRun } from '../report/verdict.js';
import type { RunResult } from '../report/run-result.js';
import { redactSettings } from '../report/redact.js';
import type { ScenarioEnv, ScenarioFigures, UserClass, VirtualUser } from '../scenarios/api.js';
import type { IterationTiming } from '../transports/iteration-timing.js';
import { createMcpClient } from '../transports/create-client.js';
import type { ServerRequestReplies } from '../transports/server-messages.js';
import type { RequestTracer } from '../transports/request-tracer.js';
import { RestClient } from '../transports/rest.js';
import { VERSION } from '../version.js';
import type { LiveRun, TestRunState } from './live-run.js';

export type { TestRunState } from './live-run.js';

export interface TestRunConfig {
  scenarioName: string;
  classes: UserClass[];
  thresholds: Threshold[];
  env: ScenarioEnv;
  stopTimeoutMs: number;
  protocolVersion?: string;
  /** The scenario's answers to server requests (sampling, elicitation, roots) during calls. */
  serverRequests?: ServerRequestReplies;
  /** What the run was asked to do, for reports (redacted before it is written anywhere). */
  settings: Record<string, unknown>;
  /** The scenario's own counts, read into the result. */
  figures?: ScenarioFigures;
  /** Keep the event loop polling while the run is on (--busy-poll). */
  busyPoll?: boolean;
  /** The scenario's notes (and setup notes such as classes left out by tags), carried into the result. */
  notes?: string[];
  /** Locust's --reset-stats: zero the stats once every user has spawned (closed model only). */
  resetStats?: boolean;
  /** The scenario's event listeners (outputs add theirs to `TestRun.events`). */
  events?: RunListeners | RunListeners[];
}

/** What every caller passes through from its options. */
export interface TestRunOptions {
  stopTimeoutMs: number;
  protocolVersion?: string;
  busyPoll?: boolean;
  resetStats?: boolean;
}

/**
 * A run of a prepared scenario: the one way the CLI, worker processes and the
 * web UI build a TestRun, so none of them forgets a piece of the scenario.
 */
export function testRunFor(
  prepared: PreparedScenario,
  env: ScenarioEnv,
  opts: TestRunOptions,
  settings: Record<string, unknown>,
  classes: UserClass[] = prepared.classes,
): TestRun {
  return new TestRun({
    scenarioName: prepared.scenario.name,
    classes,
    // mcpload's default verdict rules ride along, so every reader of config.thresholds (live views, Prometheus) judges the same rules.
    thresholds: withDefaultRules(prepared.thresholds),
    env,
    stopTimeoutMs: opts.stopTimeoutMs,
    protocolVersion: opts.protocolVersion,
    serverRequests: prepared.scenario.serverRequests,
    settings,
    figures: prepared.scenario.figures,
    busyPoll: opts.busyPoll,
    notes: prepared.notes,
    resetStats: opts.resetStats,
    events: prepared.scenario.events,
  });
}

export class TestRun implements LiveRun {
  readonly stats = new Stats();
  readonly config: TestRunConfig;
  private readonly runner: Runner<VirtualUser>;
  /** Open-model runs only: raw service times (`stats` then hold latencies from each iteration's intended start). */
  serviceStats?: Stats;
  /**
   * HTTP replies' time to first byte (send to response headers), per entry;
   * `stats` holds the full replies. Never ticked: only its totals are shown
   * (summary, CSV, UI columns), so it keeps no per-second history.
   */
  readonly firstByteStats = new Stats();
  private open?: OpenRunner<VirtualUser>;
  private shape?: ShapeDriver;
  private readonly timings = new WeakMap<VirtualUser, IterationTiming>();
  private readonly poller = new BusyPoller();
  private finishedBy?: (reason: string) => void;
  /** Resolves when the load model ends by itself (stages done, shape returned null). */
  readonly finished: Promise<string> = new Promise((resolve) => {
    this.finishedBy = resolve;
  });
  private startedAt?: Date;
  private startedMs = 0;
  private endedAt?: Date;
  private readonly ticker: NodeJS.Timeout;
  stopReason?: string;
  /** The abortOnFail threshold that stopped the run, if one did. */
  abortedBy?: string;
  /** Highest user count seen (sampled each second and at every spawn end). */
  private peak = 0;
  private statsWereReset = false;
  private readonly abortRules: Threshold[];
  /** The run's events: the scenario's listeners, and any an output adds before the start. A listener's exception is a task exception. */
  readonly events: RunEvents;
  /** `--otel`: given to every user's HTTP clients (set before the start; see request-tracer.ts). */
  requestTracer?: RequestTracer;

  constructor(config: TestRunConfig) {
    this.config = config;
    this.events = new RunEvents(config.events, (err, where) => this.stats.exception(err, where));
    this.runner = new Runner<VirtualUser>({
      classes: config.classes,
      stopTimeoutMs: config.stopTimeoutMs,
      makeContext: (info) => this.makeUser(info, undefined),
      closeContext: (user) => user.mcp.close(),
      onException: (err, where) => this.stats.exception(err, where),
      onSpawningComplete: (users) => this.spawningComplete(users),
    });
    this.abortRules = config.thresholds.filter((t) => t.abortOnFail === true);
    // One history row per second, while the run lives (also while stopped, so charts keep their time axis honest).
    this.ticker = setInterval(() => {
      if (this.startedAt && !this.endedAt) {
        this.notePeak();
        this.events.emit('interval', this.stats.tick(this.userCount));
        this.serviceStats?.tick(this.userCount);
        this.judgeAborts();
      }
    }, 1000);
    this.ticker.unref();
  }

  private notePeak(): void {
    const users = this.userCount;
    if (users > this.peak) this.peak = users;
  }

  /** Locust's --reset-stats: once every user has spawned (the first time), the stats start again from zero. */
  private spawningComplete(users: number): void {
    if (users > this.peak) this.peak = users;
    this.events.emit('spawningComplete', { users });
    if (!this.config.resetStats || this.statsWereReset) return;
    this.statsWereReset = true;
    this.resetStats();
  }

  /** k6's abortOnFail: a crossed rule ends the run through `finished` (the driver then stops it). */
  private judgeAborts(): void {
    if (this.abortRules.length === 0 || this.abortedBy !== undefined) return;
    const crossed = crossedAbortRule(this.abortRules, this.stats.snapshot({ history: false }), this.elapsedS);
    if (crossed === undefined) return;
    this.abortedBy = crossed;
    this.finishedBy?.(`threshold ${crossed} crossed`);
  }

  /** The highest user count so far. */
  get peakUsers(): number {
    this.notePeak();
    return this.peak;
  }

  private makeUser({ id, className, signal }: UserInfo, timing: IterationTiming | undefined): VirtualUser {
    const { env } = this.config;
    // The stats themselves unless a scenario listens to `request` (then a recorder that also tells it).
    const recorder = this.events.recorderFor(this.stats);
    return {
      id,
      className,
      signal,
      data: {},
      recorder,
      // Streamable HTTP at env.mcpUrl, or the run's --stdio / --transport sse connector.
      mcp: createMcpClient(env, {
        recorder, protocolVersion: this.config.protocolVersion, signal, timing, firstByte: this.firstByteStats,
        serverRequests: this.config.serverRequests, trace: this.requestTracer,
      }),
      rest: new RestClient({
        baseUrl: env.restBaseUrl, recorder, dispatcher: env.dispatcher, timeoutMs: env.timeoutMs,
        headers: env.headers, signal, timing, firstByte: this.firstByteStats, trace: this.requestTracer,
      }),
    };
  }

  get state(): TestRunState {
    return this.startedAt ? (this.open ?? this.runner).state : 'ready';
  }

  get userCount(): number {
    return (this.open ?? this.runner).userCount;
  }

  get targetUsers(): number {
    return this.open ? this.open.userCount : this.runner.targetUsers;
  }

  usersByClass(): Record<string, number> {
    return (this.open ?? this.runner).usersByClass();
  }

  /** What the run itself has to say beside the scenario's notes: spawning paced by onStart, very many request names. */
  runNotes(): string[] {
    const pacing = this.pacingNote();
    const names = manyNamesNote(this.stats.entryCount);
    return [...(pacing !== undefined ? [pacing] : []), ...(names !== undefined ? [names] : [])];
  }

  /**
   * Closed model: a note when spawning waited for users to finish onStart
   * (the target set the pace, not the spawn rate); undefined when it never did.
   */
  pacingNote(): string | undefined {
    const held = this.runner.spawnsPaced;
    if (held === 0) return undefined;
    return `spawning was paced by the target for ${(this.runner.spawnPacedMs / 1000).toFixed(2)} s in all: ${held} ` +
      `user${held === 1 ? ' was' : 's were'} started only once one of the ${this.runner.maxStarting} users in onStart ` +
      '(e.g. the MCP handshake) had finished, instead of on the spawn rate\'s clock';
  }

  /** Open model only: iterations that were due and found no free user. */
  get droppedIterations(): number | undefined {
    return this.open?.droppedIterations;
  }

  /** Open model only: iterations started per second since the arrivals began. */
  get achievedArrivalRate(): number | undefined {
    return this.open?.achievedRate;
  }

  /** Open model only: the arrival rate asked for now (iterations/s). */
  get arrivalRate(): number | undefined {
    return this.open?.currentRate;
  }

  /** Open model: iterations on `plan`, run by a pool of `maxUsers` users. */
  startArrivals(plan: ArrivalPlan, maxUsers: number): void {
    if (this.open || this.startedAt) throw new Error('this run has already started');
    if (this.config.resetStats) {
      throw new RunSetupError('--reset-stats needs the closed model (-u/-r): an arrival-rate run has no moment when every user has spawned');
    }
    const service = new Stats();
    this.serviceStats = service;
    this.open = new OpenRunner<VirtualUser>({
      classes: this.config.classes,
      maxUsers,
      stopTimeoutMs: this.config.stopTimeoutMs,
      makeContext: (info) => {
        const timing: IterationTiming = { intendedStartUs: 0, service };
        const user = this.makeUser(info, timing);
        this.timings.set(user, timing);
        return user;
      },
      beginIteration: (user, intendedStartUs) => {
        const timing = this.timings.get(user);
        if (timing) timing.intendedStartUs = intendedStartUs;
      },
      closeContext: (user) => user.mcp.close(),
      onException: (err, where) => this.stats.exception(err, where),
      onPlanEnd: () => this.finishedBy?.('stages done'),
    });
    this.markStarted();
    this.open.start(plan);
  }

  /**
   * Lets a shape function (Locust's LoadTestShape) drive the run: `{users,
   * spawnRate}` drives the closed model, `{rate}` the open one (a pool of
   * `maxUsers`), null ends the run.
   */
  async startShape(shape: LoadShape, maxUsers: number): Promise<void> {
    if (this.shape || this.startedAt) throw new Error('this run has already started');
    this.shape = new ShapeDriver({
      shape,
      onUsers: (users, spawnRate) => this.start(users, spawnRate),
      onRate: (rate) => {
        if (this.open) this.open.setRate(rate);
        else this.startArrivals(new ArrivalPlan([{ durationS: Infinity, fromRate: rate, toRate: rate }]), maxUsers);
      },
      onEnd: (reason) => this.finishedBy?.(reason),
      onException: (err, where) => this.stats.exception(err, where),
    });
    await this.shape.start();
  }

  private markStarted(): void {
    if (!this.startedAt) {
      this.startedAt = new Date();
      this.startedMs = performance.now();
      // Rates divide by the run's elapsed time: its clock starts now, not when the TestRun was built.
      this.stats.markStart();
      this.serviceStats?.markStart();
      this.firstByteStats.markStart();
      if (this.config.busyPoll) this.poller.start();
      this.events.emit('testStart');
    }
  }

  /** Seconds since start (frozen at the end). */
  get elapsedS(): number {
    if (!this.startedAt) return 0;
    const end = this.endedAt ? this.endedAt.getTime() - this.startedAt.getTime() : performance.now() - this.startedMs;
    return end / 1000;
  }

  start(users: number, spawnRate: number): void {
    this.markStarted();
    this.runner.start(users, spawnRate);
  }

  /** Changes the user count and spawn rate of a running test. */
  setUsers(users: number, spawnRate: number): void {
    this.runner.setTarget(users, spawnRate);
  }

  resetStats(): void {
    this.notePeak();
    this.stats.reset();
    this.serviceStats?.reset();
    this.firstByteStats.reset();
  }

  /** Graceful stop (users get stopTimeoutMs to finish their task); idempotent. */
  async stop(reason: string): Promise<void> {
    this.stopReason ??= reason;
    this.notePeak();
    this.shape?.stop();
    await Promise.all([this.runner.stop(), this.open?.stop()]);
    clearInterval(this.ticker);
    this.poller.stop();
    if (!this.endedAt) {
      this.endedAt = new Date();
      this.events.emit('interval', this.stats.tick(0));
      this.serviceStats?.tick(0);
      this.stats.finish();
      this.serviceStats?.finish();
      this.firstByteStats.finish();
      if (this.events.has('testStop')) await this.events.emitAwaited('testStop', {
        reason: this.stopReason ?? reason, stats: this.stats.liveRows(), ...(this.open ? { droppedIterations: this.open.droppedIterations } : {}),
      });
    }
  }

  snapshot(opts?: { history?: boolean; historyAfter?: number; histograms?: boolean }): Snapshot {
    return this.stats.snapshot(opts);
  }

  /** What changed since the last update `baseline` made: a worker's message to its leader. */
  update(baseline: UpdateBaseline, opts?: { historyAfter?: number }): SnapshotUpdate {
    return this.stats.update(baseline, opts);
  }

  /** The stats table now, straight from the live histograms. */
  liveRows(opts?: { now?: number }): { rows: StatsRow[]; aggregated: StatsRow } {
    return this.stats.liveRows(opts);
  }

  firstByteRows(opts?: { now?: number }): { rows: StatsRow[]; aggregated: StatsRow } {
    return this.firstByteStats.liveRows(opts);
  }

  /** Thresholds (mcpload's defaults included) and security checks judged on the stats as they are now. */
  result(): RunResult {
    const snapshot = this.stats.snapshot();
    const firstByte = this.firstByteStats.snapshot();
    const judged = judgeRun(this.config.thresholds, snapshot, { abortedBy: this.abortedBy });
    return {
      tool: 'mcpload',
      version: VERSION,
      settings: redactSettings({ ...this.config.settings, scenario: this.config.scenarioName, host: this.config.env.host }),
      startedAt: (this.startedAt ?? new Date()).toISOString(),
      endedAt: (this.endedAt ?? new Date()).toISOString(),
      snapshot,
      thresholds: judged.thresholds,
      security: judged.security,
      passed: judged.passed,
      verdict: judged.verdict,
      notes: [...(this.config.notes ?? []), ...this.runNotes()],
      peakUsers: this.peakUsers,
      ...(this.open ? { droppedIterations: this.open.droppedIterations } : {}),
      ...(this.serviceStats ? { serviceSnapshot: this.serviceStats.snapshot() } : {}),
      ...(firstByte.entries.length > 0 ? { firstByteSnapshot: firstByte } : {}),
      ...(this.config.figures ? { scenarioFigures: this.config.figures.read() } : {}),
    };
  }
}

/** From this many request names on, the run says what they cost in memory. */
export const MANY_NAMES = 1000;

/**
 * Each request name keeps latency histograms of its own (one for full replies
 * and one for the first byte, 92 KB each; twice that for a name called more
 * than 32 times a second): names that carry IDs (a path or URI per item) grow
 * the generator's memory with them.
 */
export function manyNamesNote(names: number): string | undefined {
  if (names < MANY_NAMES) return undefined;
  const mb = Math.round((names * 2 * 92) / 1024);
  return `${names} request names, each with latency histograms of its own (about ${mb} MB in all): when names carry IDs (a path or URI per item), ` +
    'give those calls one name with the `name` option (e.g. user.rest.get(path, { name: \'/items/{id}\' }))';
}

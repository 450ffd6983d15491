/**
 * What the web UI's commands do to test runs: a swarm opens the target (when
 * it changed), builds a TestRun from the picked classes and starts it; a
 * swarm during a run changes its users; stop, reset, and the run-time limit.
 * Commands run one at a time, so a swarm sent during a stop waits for it.
 */
import { formatDuration } from '../values/option-values.js';
import { prepareScenario, type PreparedScenario } from '../app/scenario-setup.js';
import type { RunOptions } from '../app/run-options.js';
import { openTarget, withProtocol, type Target } from '../app/target.js';
import { testRunFor } from '../app/test-run.js';
import type { LiveRun } from '../app/live-run.js';
import { RunRefused, type RunSource } from '../app/run-source.js';
import type { UserClass } from '../scenarios/api.js';
import type { LogBook } from './log-book.js';
import { SwarmFormError, type SwarmRequest } from './swarm-form.js';
import type { FormDefaults, WorkerView } from '../report/view-model.js';

export interface WebControllerOptions {
  run: RunOptions;
  log: LogBook;
  /** Called once per run, after it stopped (the place to write reports). */
  onRunEnded?: (run: LiveRun) => Promise<void>;
  /** Who makes the runs when this process does not run the users itself (a master's workers); its target is fixed. */
  runs?: RunSource;
}

export class WebController {
  private target: Target;
  private prepared: PreparedScenario;
  private current: LiveRun | null = null;
  private runTimer: NodeJS.Timeout | undefined;
  private ended: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** The run-time limit of the current run in ms; null for none. */
  runTimeMs: number | null;
  selected: Set<string>;
  weights: Record<string, number> = {};
  /** Counts runs started, so that live pages know when to drop their charts. */
  generation = 0;

  private constructor(private readonly opts: WebControllerOptions, target: Target, prepared: PreparedScenario) {
    this.target = target;
    this.prepared = prepared;
    this.runTimeMs = opts.run.timeMs ?? null;
    this.selected = new Set(prepared.classes.map((c) => c.name));
  }

  /** Opens the target given on the command line and loads the scenario (to list its classes). */
  static async create(opts: WebControllerOptions): Promise<WebController> {
    const target = await openTarget(opts.run);
    try {
      if (target.protocolNote !== undefined) opts.log.info(target.protocolNote);
      const prepared = await prepareScenario(withProtocol(opts.run, target), target.env);
      for (const note of [...target.notes, ...prepared.notes]) opts.log.warn(note);
      return new WebController(opts, target, prepared);
    } catch (err) {
      await opts.runs?.close();
      await target.close();
      throw err;
    }
  }

  get run(): LiveRun | null {
    return this.current;
  }

  /** A master's workers (the Workers tab); undefined when this process runs the users itself. */
  workers(): WorkerView[] | undefined {
    return this.opts.runs?.workers();
  }

  get host(): string {
    return this.target.host;
  }

  get scenarioName(): string {
    return this.prepared.scenario.name;
  }

  get available(): readonly UserClass[] {
    return this.prepared.available;
  }

  /** The classes with the weights the next (or current) run uses: the form's overrides applied. */
  weightedClasses(): UserClass[] {
    return this.prepared.available.map((c) => (this.weights[c.name] !== undefined ? { ...c, weight: this.weights[c.name] } : c));
  }

  get embedded(): boolean {
    return this.target.embedded !== undefined;
  }

  /** True while users run or ramp (a swarm then changes the user count). */
  get active(): boolean {
    const state = this.current?.state;
    return state === 'spawning' || state === 'running';
  }

  formDefaults(): FormDefaults {
    const o = this.opts.run;
    return {
      host: this.target.embedded ? '' : this.target.host,
      embeddedHost: this.target.embedded ? this.target.host : null,
      users: this.current?.targetUsers ?? o.users,
      spawnRate: o.spawnRate,
      runTime: this.runTimeMs !== null ? formatDuration(this.runTimeMs) : '',
      userClasses: [...this.selected],
    };
  }

  /** Runs commands one after another; a failed command does not block the next. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Starts a run, or changes the users of the running one. Returns what was done. */
  swarm(req: SwarmRequest): Promise<string> {
    return this.exclusive(async () => {
      if (this.active && this.current) return this.changeRunning(this.current, req);
      await this.ended;
      await this.switchTarget(req.host);
      if (req.userClasses) this.selected = new Set(req.userClasses);
      this.weights = { ...this.weights, ...req.weights };
      if (req.runTimeMs !== undefined) this.runTimeMs = req.runTimeMs;
      return this.startRun(req.users, req.spawnRate);
    });
  }

  private changeRunning(run: LiveRun, req: SwarmRequest): string {
    if (req.host !== undefined && req.host !== '' && req.host !== this.target.host) {
      throw new SwarmFormError('stop the running test before changing the host');
    }
    run.setUsers(req.users, req.spawnRate);
    if (req.runTimeMs !== undefined) {
      this.runTimeMs = req.runTimeMs;
      this.armRunTimer(run);
    }
    this.opts.log.info(`users changed to ${req.users} at ${req.spawnRate}/s`);
    return `users changed to ${req.users}`;
  }

  /** Opens another target when the form names one ('' is the embedded reference server). */
  private async switchTarget(host: string | undefined): Promise<void> {
    if (host === undefined) return;
    if (host === '' ? this.target.embedded !== undefined : host === this.target.host) return;
    if (this.opts.runs) throw new SwarmFormError(`the master's target is ${this.target.host}, given on its command line (--host)`);
    const next = await openTarget({ ...this.opts.run, host: host === '' ? undefined : host });
    let prepared: PreparedScenario;
    try {
      prepared = await prepareScenario(withProtocol(this.opts.run, next), next.env);
    } catch (err) {
      await next.close();
      throw new SwarmFormError(`cannot load the scenario for ${next.host}: ${(err as Error).message}`);
    }
    const previous = this.target;
    this.target = next;
    this.prepared = prepared;
    const names = new Set(prepared.available.map((c) => c.name));
    this.selected = new Set([...this.selected].filter((n) => names.has(n)));
    if (this.selected.size === 0) this.selected = new Set(prepared.classes.map((c) => c.name));
    for (const note of prepared.notes) this.opts.log.warn(note);
    this.opts.log.info(`target is now ${next.embedded ? `${next.host} (embedded reference server)` : next.host}`);
    await previous.close();
  }

  private pickedClasses(): UserClass[] {
    const picked = this.weightedClasses().filter((c) => this.selected.has(c.name));
    if (picked.length === 0) throw new SwarmFormError('pick at least one user class');
    return picked;
  }

  private startRun(users: number, spawnRate: number): string {
    const classes = this.pickedClasses();
    const o = withProtocol(this.opts.run, this.target);
    let run: LiveRun;
    if (this.opts.runs) {
      try {
        run = this.opts.runs.start({
          prepared: this.prepared, host: this.target.host, classes,
          opts: { ...o, users, spawnRate, timeMs: this.runTimeMs ?? undefined, headless: false },
        });
      } catch (err) {
        if (err instanceof RunRefused) throw new SwarmFormError(err.message);
        throw err;
      }
    } else {
      const own = testRunFor(this.prepared, this.target.env, o, {
        ...o, host: this.target.host, users, spawnRate, timeMs: this.runTimeMs ?? undefined,
        userClasses: classes.map((c) => `${c.name}:${c.weight ?? 1}`), headless: false,
      }, classes);
      own.start(users, spawnRate);
      run = own;
    }
    this.current = run;
    this.generation++;
    this.ended = undefined;
    this.armRunTimer(run);
    // The run ends itself on a crossed abortOnFail rule or the end of its shape, as a headless one does.
    void run.finished.then((reason) => {
      if (this.current === run) void this.stop(reason).catch((err) => this.opts.log.error(`stop failed: ${(err as Error).message}`));
    });
    const limit = this.runTimeMs !== null ? ` for ${formatDuration(this.runTimeMs)}` : '';
    this.opts.log.info(`test started: ${users} users at ${spawnRate}/s${limit} against ${this.target.host}; classes ${classes.map((c) => c.name).join(', ')}`);
    return 'Swarming started';
  }

  /** The run stops itself when its run time is over (counted from its start). */
  private armRunTimer(run: LiveRun): void {
    clearTimeout(this.runTimer);
    this.runTimer = undefined;
    if (this.runTimeMs === null) return;
    // Counted from the load's start: a master's workers start together a moment after the swarm.
    const left = Math.max(0, this.runTimeMs - run.elapsedS * 1000 + (run.startsInS ?? 0) * 1000);
    this.runTimer = setTimeout(() => void this.stop('time limit').catch((err) => this.opts.log.error(`stop failed: ${(err as Error).message}`)), left);
  }

  /** Stops the current run (no-op without one); resolves once it ended and its reports are written. */
  stop(reason: string): Promise<boolean> {
    return this.exclusive(async () => {
      const run = this.current;
      if (!run || run.state === 'stopped' || run.state === 'ready') return false;
      await this.finish(run, reason);
      return true;
    });
  }

  private finish(run: LiveRun, reason: string): Promise<void> {
    clearTimeout(this.runTimer);
    this.runTimer = undefined;
    this.ended ??= (async () => {
      this.opts.log.info(`stopping (${reason})`);
      await run.stop(reason);
      this.opts.log.info(`test stopped (${reason}) after ${formatDuration(run.elapsedS * 1000)}`);
      await this.opts.onRunEnded?.(run);
    })();
    return this.ended;
  }

  /** Zeroes the stats of the current run (Locust's "reset stats"). */
  reset(): boolean {
    if (!this.current) return false;
    this.current.resetStats();
    this.opts.log.info('stats reset');
    return true;
  }

  /** Stops any run (its reports are written) and closes the target. */
  async close(reason: string): Promise<void> {
    await this.stop(reason).catch(() => false);
    await this.ended?.catch(() => undefined);
    await this.opts.runs?.close();
    await this.target.close();
  }
}

/**
 * Custom load shapes (Locust's LoadTestShape): a function of the elapsed
 * time that says, once a second, what the load should be now:
 *
 *   { users, spawnRate }  closed model: this many users, spawned at this rate
 *   { rate }              open model: this many iterations per second
 *   null                  the test is over
 *
 * One shape drives one model for the whole run; the first answer decides
 * which. The driver only polls and validates; the caller applies the answer.
 */
import { EngineConfigError } from './distribution.js';
import { parseStageList } from './stage-list.js';

export type ShapeTick = { users: number; spawnRate: number } | { rate: number } | null;
export type LoadShape = (elapsedS: number) => ShapeTick | undefined | Promise<ShapeTick | undefined>;

export interface ShapeDriverOptions {
  shape: LoadShape;
  /** Poll period; default 1000 ms (Locust's). */
  intervalMs?: number;
  onUsers(users: number, spawnRate: number): void;
  onRate(rate: number): void;
  /** The shape returned null (or failed): the run should stop with this reason. */
  onEnd(reason: string): void;
  onException(err: unknown, where: string): void;
}

/** Checks one answer of a shape function; throws a readable error for anything else. */
export function checkShapeTick(value: unknown): ShapeTick {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') throw new EngineConfigError(`shape returned ${typeof value}; expected {users, spawnRate}, {rate} or null`);
  const v = value as Record<string, unknown>;
  if ('rate' in v) {
    if (typeof v.rate !== 'number' || !Number.isFinite(v.rate) || v.rate < 0) {
      throw new EngineConfigError(`shape returned rate ${String(v.rate)}; expected a number >= 0`);
    }
    return { rate: v.rate };
  }
  const { users, spawnRate } = v;
  if (typeof users !== 'number' || !Number.isSafeInteger(users) || users < 0) {
    throw new EngineConfigError(`shape returned users ${String(users)}; expected a whole number >= 0`);
  }
  if (typeof spawnRate !== 'number' || !Number.isFinite(spawnRate) || spawnRate <= 0) {
    throw new EngineConfigError(`shape returned spawnRate ${String(spawnRate)}; expected a number > 0`);
  }
  return { users, spawnRate };
}

export class ShapeDriver {
  private readonly opts: ShapeDriverOptions;
  private readonly intervalMs: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private t0 = 0;
  private kind: 'users' | 'rate' | undefined;
  private stopped = false;
  private last: string | undefined;

  constructor(opts: ShapeDriverOptions) {
    if (typeof opts.shape !== 'function') throw new EngineConfigError('the scenario shape must be a function tick(elapsedS)');
    this.opts = opts;
    this.intervalMs = opts.intervalMs ?? 1000;
  }

  /** Which model the shape drives, once its first answer is in. */
  get model(): 'users' | 'rate' | undefined {
    return this.kind;
  }

  /** Polls once now (so the first answer is applied at once), then every interval. */
  async start(): Promise<void> {
    this.t0 = performance.now();
    await this.poll();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly pollLater = (): void => {
    void this.poll();
  };

  private async poll(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    let tick: ShapeTick;
    try {
      tick = checkShapeTick(await this.opts.shape((performance.now() - this.t0) / 1000));
    } catch (err) {
      this.opts.onException(err, 'shape.tick');
      this.end('shape failed');
      return;
    }
    if (this.stopped) return;
    if (tick === null) {
      this.end('shape ended');
      return;
    }
    const kind = 'rate' in tick ? 'rate' : 'users';
    this.kind ??= kind;
    if (kind !== this.kind) {
      this.opts.onException(new EngineConfigError(`shape switched from {${this.kind === 'rate' ? 'rate' : 'users, spawnRate'}} to {${kind === 'rate' ? 'rate' : 'users, spawnRate'}}; one shape drives one model`), 'shape.tick');
      this.end('shape failed');
      return;
    }
    // Only changes are applied: re-applying the same target would restart a spawn ramp.
    const key = JSON.stringify(tick);
    if (key !== this.last) {
      this.last = key;
      if ('rate' in tick) this.opts.onRate(tick.rate);
      else this.opts.onUsers(tick.users, tick.spawnRate);
    }
    this.timer = setTimeout(this.pollLater, this.intervalMs);
  }

  private end(reason: string): void {
    this.stop();
    this.opts.onEnd(reason);
  }
}

/** One step of k6's ramping-vus: ramp linearly to `users` over `durationS`, from the previous step's count (0 before the first). */
export interface UserStage {
  durationS: number;
  users: number;
}

/** What the closed model is told during one stage: the count to reach and the spawn rate that makes the ramp last the stage. */
export interface UserStageStep {
  startS: number;
  endS: number;
  users: number;
  spawnRate: number;
}

/** `"30s:50,1m:50,30s:0"` → stages (durations take ms/s/m/h, bare numbers are seconds; counts are whole users). */
export function parseUserStages(text: string): UserStage[] {
  return parseStageList(text, { flag: '--user-stages', item: 'user stage', valueName: 'USERS', example: '30s:50,1m:50,30s:0', whole: true })
    .map(({ durationS, value }) => ({ durationS, users: value }));
}

/**
 * The stages as closed-model targets. A ramp from a to b over d seconds is
 * "b users at |b - a| / d per second", which the runner spawns (or stops)
 * evenly, so the count moves linearly as in k6; a hold keeps the last rate,
 * so a ramp the target was still pacing carries on unchanged.
 */
export function userStagePlan(stages: readonly UserStage[]): UserStageStep[] {
  let from = 0;
  let startS = 0;
  let rate = 1;
  return stages.map(({ durationS, users }) => {
    if (users !== from) rate = Math.abs(users - from) / durationS;
    const step = { startS, endS: startS + durationS, users, spawnRate: rate };
    from = users;
    startS += durationS;
    return step;
  });
}

/** The stages as a shape: the step in force at each poll, then null (the run ends) after the last. */
export function userStagesShape(plan: readonly UserStageStep[]): LoadShape {
  return (elapsedS) => {
    const step = plan.find((s) => elapsedS < s.endS);
    return step === undefined ? null : { users: step.users, spawnRate: step.spawnRate };
  };
}

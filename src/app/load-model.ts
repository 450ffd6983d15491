/**
 * Which load model a run uses, from its flags and its scenario: the closed
 * model (users + spawn rate, or user-count stages), the open model (a
 * constant arrival rate or ramping stages, with a pool of users), or the
 * scenario's shape function.
 * Also how a model is shared among worker processes.
 */
import { parseStages, segmentsFrom, stagesToSegments, totalDurationS, type RateSegment, ArrivalPlan } from '../engine/arrival-plan.js';
import { parseUserStages, userStagePlan, userStagesShape, type LoadShape, type UserStageStep } from '../engine/shape.js';
import { RunSetupError } from './scenario-setup.js';
import type { TestRun } from './test-run.js';

export interface LoadFlags {
  users: number;
  spawnRate: number;
  /** Iterations per second (open model). */
  arrivalRate?: number;
  /** `"30s:100,2m:500,30s:0"` (open model, ramping). */
  stages?: string;
  /** Pool size of the open model. */
  maxUsers?: number;
  /** `"30s:50,1m:50,30s:0"`: closed model, the user count ramping linearly (k6's ramping-vus). */
  userStages?: string;
}

export type LoadModel =
  | { kind: 'closed'; users: number; spawnRate: number }
  | { kind: 'open'; segments: RateSegment[]; maxUsers: number }
  /** `part`: which share of the shape's ticks this process runs (absent: all of them). */
  | { kind: 'shape'; shape: LoadShape; maxUsers: number; part?: SharePart }
  | { kind: 'user-stages'; steps: UserStageStep[] };

/** Pool size when --max-users is not given. */
export const DEFAULT_MAX_USERS = 100;

export function resolveLoadModel(flags: LoadFlags, shape?: LoadShape): LoadModel {
  if (flags.arrivalRate !== undefined && flags.stages !== undefined) {
    throw new RunSetupError('--arrival-rate and --stages are two open models: give one of them');
  }
  if (flags.userStages !== undefined) {
    if (flags.arrivalRate !== undefined || flags.stages !== undefined) {
      throw new RunSetupError(`--user-stages ramps users, ${flags.stages !== undefined ? '--stages' : '--arrival-rate'} an arrival rate: give one of them`);
    }
    try {
      return { kind: 'user-stages', steps: userStagePlan(parseUserStages(flags.userStages)) };
    } catch (err) {
      throw new RunSetupError((err as Error).message);
    }
  }
  const maxUsers = flags.maxUsers ?? DEFAULT_MAX_USERS;
  if (!Number.isSafeInteger(maxUsers) || maxUsers < 1) throw new RunSetupError(`--max-users must be a whole number >= 1, got ${String(flags.maxUsers)}`);
  if (flags.arrivalRate !== undefined) {
    if (!(flags.arrivalRate > 0) || !Number.isFinite(flags.arrivalRate)) throw new RunSetupError('--arrival-rate must be a number > 0');
    return { kind: 'open', segments: [{ durationS: Infinity, fromRate: flags.arrivalRate, toRate: flags.arrivalRate }], maxUsers };
  }
  if (flags.stages !== undefined) {
    try {
      return { kind: 'open', segments: stagesToSegments(parseStages(flags.stages)), maxUsers };
    } catch (err) {
      throw new RunSetupError((err as Error).message);
    }
  }
  if (shape !== undefined) {
    if (typeof shape !== 'function') throw new RunSetupError('the scenario\'s shape must be a function tick(elapsedS) → {users, spawnRate} | {rate} | null');
    return { kind: 'shape', shape, maxUsers };
  }
  return { kind: 'closed', users: flags.users, spawnRate: flags.spawnRate };
}

/** Seconds an open model lasts by itself (stages); undefined when it runs until stopped. */
export function modelDurationS(model: LoadModel): number | undefined {
  if (model.kind === 'user-stages') return model.steps.at(-1)?.endS;
  if (model.kind !== 'open') return undefined;
  const total = totalDurationS(model.segments);
  return Number.isFinite(total) ? total : undefined;
}

/** One line for the run's header; `shapeLabel`: the scenario's own words for its shape (Scenario.loadDescription). */
export function describeLoadModel(model: LoadModel, shapeLabel?: (maxUsers: number) => string): string {
  switch (model.kind) {
    case 'closed':
      return `${model.users} users at ${model.spawnRate}/s`;
    case 'shape':
      if (shapeLabel !== undefined) return shapeLabel(model.maxUsers);
      return `the scenario's load shape (open-model pool of ${model.maxUsers} users)`;
    case 'user-stages':
      return `user stages ${model.steps.map((s) => `${round(s.endS - s.startS)}s:${s.users}`).join(',')} (users)`;
    case 'open': {
      const first = model.segments[0];
      const rates = model.segments.length === 1 && first
        ? `${round(first.toRate)} iterations/s`
        : `stages ${model.segments.map((s) => `${round(s.durationS)}s:${round(s.toRate)}`).join(',')} (iterations/s)`;
      return `open model: ${rates}, at most ${model.maxUsers} users`;
    }
  }
}

/** How a run without -t ends, for the header: a shape that says how it ends (the replay's label) only adds Ctrl-C. */
export function untilText(model: LoadModel, shapeLabel?: (maxUsers: number) => string): string {
  if (model.kind !== 'shape') return 'until Ctrl-C';
  return shapeLabel !== undefined ? 'or at Ctrl-C' : 'until the shape ends (or Ctrl-C)';
}

function round(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/**
 * Starts `model` on `run`. `fromS`: the plan starts that many seconds in (a
 * worker that replaces a lost one joins the run's timeline where it is): the
 * stages and shapes go on from there; users ramp up from none at the spawn rate.
 */
export async function startLoad(run: TestRun, model: LoadModel, fromS = 0): Promise<void> {
  const later = (shape: LoadShape): LoadShape => (fromS > 0 ? (elapsedS) => shape(elapsedS + fromS) : shape);
  switch (model.kind) {
    case 'closed':
      run.start(model.users, model.spawnRate);
      return;
    case 'open': {
      const segments = segmentsFrom(model.segments, fromS);
      // Joined after the last stage: nothing is left to run, and the run is ending.
      if (segments.length === 0) return;
      run.startArrivals(new ArrivalPlan(segments), model.maxUsers);
      return;
    }
    case 'shape': {
      const { shape, part } = model;
      const scaled: LoadShape = part === undefined ? shape : async (elapsedS) => scaleTick(await shape(elapsedS), part);
      await run.startShape(later(scaled), model.maxUsers);
      return;
    }
    case 'user-stages':
      await run.startShape(later(userStagesShape(model.steps)), 1);
  }
}

/** Worker `index` of `count`. */
export interface SharePart {
  index: number;
  count: number;
}

function scaleTick(tick: Awaited<ReturnType<LoadShape>>, part: SharePart): Awaited<ReturnType<LoadShape>> {
  if (tick === null || tick === undefined || typeof tick !== 'object') return tick;
  if ('rate' in tick && typeof tick.rate === 'number') return { rate: tick.rate / part.count };
  if ('users' in tick && typeof tick.users === 'number') {
    const users = shareOf(tick.users, part.index, part.count);
    return { users, spawnRate: spawnRateShare(tick.spawnRate, users, tick.users, part.count) };
  }
  return tick;
}

/** Splits `total` whole units over `n` parts as evenly as possible; part `index` gets this many. */
export function shareOf(total: number, index: number, n: number): number {
  return Math.floor(total / n) + (index < total % n ? 1 : 0);
}

/**
 * A part's spawn rate: in proportion to its users, so that every part ends
 * its ramp when one process would have, and the rates of the parts that
 * start anyone add up to the whole. A part with no user starts nobody; it
 * gets an even share only because the runner wants a rate above 0.
 */
export function spawnRateShare(spawnRate: number, partUsers: number, totalUsers: number, n: number): number {
  return partUsers > 0 ? spawnRate * partUsers / totalUsers : spawnRate / n;
}

/** Worker `index` of `n`'s part of the load: users, pools and rates divided so the parts add up to the whole. */
export function shareLoadModel(model: LoadModel, index: number, n: number): LoadModel {
  switch (model.kind) {
    case 'closed': {
      const users = shareOf(model.users, index, n);
      return { kind: 'closed', users, spawnRate: spawnRateShare(model.spawnRate, users, model.users, n) };
    }
    case 'open':
      // Every part needs a pool of at least one user: with more parts than --max-users, the pools add up to the part count.
      return {
        kind: 'open',
        maxUsers: Math.max(1, shareOf(model.maxUsers, index, n)),
        segments: model.segments.map((s) => ({ durationS: s.durationS, fromRate: s.fromRate / n, toRate: s.toRate / n })),
      };
    case 'shape':
      return { kind: 'shape', shape: model.shape, maxUsers: Math.max(1, shareOf(model.maxUsers, index, n)), part: { index, count: n } };
    case 'user-stages':
      // Each worker ramps its share of each stage's count over the same stage times.
      return {
        kind: 'user-stages',
        steps: userStagePlan(model.steps.map((s) => ({ durationS: s.endS - s.startS, users: shareOf(s.users, index, n) }))),
      };
  }
}

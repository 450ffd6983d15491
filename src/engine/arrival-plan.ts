/**
 * The open model's plan: when each iteration is due. The arrival rate is a
 * piecewise-linear function of time (k6's ramping-arrival-rate stages, or a
 * constant rate, or the rates a shape function sets as it goes), and
 * iteration k (0-based) is due at the instant the integral of the rate
 * reaches k. Due times come from that integral, never from when a timer
 * happened to fire: a late timer does not move the schedule, which is what
 * lets latency be measured from the intended start (wrk2).
 */
import { EngineConfigError } from './distribution.js';
import { parseStageList } from './stage-list.js';

/** One linear piece of the rate: from `fromRate` to `toRate` iterations/s over `durationS` (Infinity: forever). */
export interface RateSegment {
  durationS: number;
  fromRate: number;
  toRate: number;
}

/** One `--stages` step: ramp linearly to `target` iterations/s over `durationS`. */
export interface Stage {
  durationS: number;
  target: number;
}

/** `"30s:100,2m:500,30s:0"` → stages. Durations take ms/s/m/h (bare numbers are seconds). */
export function parseStages(text: string): Stage[] {
  return parseStageList(text, { flag: '--stages', item: 'stage', valueName: 'RATE', example: '30s:100,2m:500,30s:0', whole: false })
    .map(({ durationS, value }) => ({ durationS, target: value }));
}

/** Stages ramp from the previous stage's target (0 before the first), as in k6. */
export function stagesToSegments(stages: readonly Stage[], startRate = 0): RateSegment[] {
  let from = startRate;
  return stages.map(({ durationS, target }) => {
    const segment = { durationS, fromRate: from, toRate: target };
    from = target;
    return segment;
  });
}

export function totalDurationS(segments: readonly RateSegment[]): number {
  return segments.reduce((sum, s) => sum + s.durationS, 0);
}

/**
 * The plan from `fromS` seconds on, as a plan that starts there: the
 * segments that ended before are dropped, the one running then is cut
 * (its rate at `fromS` to its end rate). An empty list: the plan is over.
 */
export function segmentsFrom(segments: readonly RateSegment[], fromS: number): RateSegment[] {
  if (!(fromS > 0)) return [...segments];
  const rest: RateSegment[] = [];
  let start = 0;
  for (const segment of segments) {
    const end = start + segment.durationS;
    if (end > fromS) {
      const tau = Math.max(0, fromS - start);
      const rate = segment.durationS === Infinity ? segment.fromRate : segment.fromRate + ((segment.toRate - segment.fromRate) * tau) / segment.durationS;
      rest.push(tau > 0 ? { durationS: segment.durationS - tau, fromRate: rate, toRate: segment.toRate } : { ...segment });
    }
    start = end;
  }
  return rest;
}

function checkSegment(segment: RateSegment): void {
  const { durationS, fromRate, toRate } = segment;
  if (!(durationS > 0) || !Number.isFinite(fromRate) || !Number.isFinite(toRate) || fromRate < 0 || toRate < 0) {
    throw new EngineConfigError(`invalid arrival-rate segment ${JSON.stringify(segment)}: need a duration > 0 and finite rates >= 0`);
  }
  if (durationS === Infinity && fromRate !== toRate) throw new EngineConfigError('an endless arrival-rate segment must have a constant rate');
}

/** Iterations in a segment, or in its first `tauS` seconds. */
function areaOf(segment: RateSegment, tauS: number): number {
  if (tauS <= 0) return 0;
  if (segment.fromRate === segment.toRate) return segment.fromRate * tauS;
  const slope = (segment.toRate - segment.fromRate) / segment.durationS;
  return segment.fromRate * tauS + 0.5 * slope * tauS * tauS;
}

/**
 * Walks the due times in order. `next()` gives the due time (seconds from the
 * plan's start) of the next iteration, or undefined once the plan has no more.
 * `setRate` replaces everything from a moment on by one constant rate (how a
 * shape function steers a running plan).
 */
export class ArrivalPlan {
  private segments: RateSegment[];
  /** Start time (s) and cumulative iterations at the start of segment `index`. */
  private index = 0;
  private segmentStartS = 0;
  private segmentStartCount = 0;
  /** The number of the next iteration (0-based). */
  private k = 0;

  constructor(segments: readonly RateSegment[]) {
    segments.forEach(checkSegment);
    this.segments = [...segments];
  }

  /** Iterations handed out so far. */
  get issued(): number {
    return this.k;
  }

  /** Rate (iterations/s) the plan asks for at `atS`; 0 after its end. */
  rateAt(atS: number): number {
    let start = 0;
    for (const segment of this.segments) {
      if (atS < start + segment.durationS) {
        const tau = Math.max(0, atS - start);
        return segment.fromRate === segment.toRate
          ? segment.fromRate
          : segment.fromRate + ((segment.toRate - segment.fromRate) * tau) / segment.durationS;
      }
      start += segment.durationS;
    }
    return 0;
  }

  /** Seconds the plan lasts (Infinity for an endless rate). */
  get durationS(): number {
    return totalDurationS(this.segments);
  }

  next(): number | undefined {
    // Iteration k is due when the integral of the rate reaches k + 1: at a
    // constant rate r the first one starts 1/r s in, and [0, T] holds floor(r·T).
    const want = this.k + 1;
    for (;;) {
      const segment = this.segments[this.index];
      if (segment === undefined) return undefined;
      const need = want - this.segmentStartCount;
      const area = segment.durationS === Infinity ? Infinity : areaOf(segment, segment.durationS);
      if (need <= area + 1e-9) {
        const tau = Math.min(solveTau(segment, need), segment.durationS);
        if (tau === Infinity) return undefined;
        this.k++;
        return this.segmentStartS + tau;
      }
      this.segmentStartS += segment.durationS;
      this.segmentStartCount += area;
      this.index++;
    }
  }

  /** Gives back the iteration last handed out, so that the next `next()` plans it again (after `setRate`). */
  unissue(): void {
    if (this.k > 0) this.k--;
    this.index = 0;
    this.segmentStartS = 0;
    this.segmentStartCount = 0;
  }

  /**
   * From `atS` on, a constant `rate` (forever, or for `durationS`). Iterations
   * not yet handed out that were due after `atS` follow the new rate.
   */
  setRate(atS: number, rate: number, durationS = Infinity): void {
    checkSegment({ durationS, fromRate: rate, toRate: rate });
    // Cut the plan at atS, keeping the exact count of iterations due before it.
    const kept: RateSegment[] = [];
    let start = 0;
    for (const segment of this.segments) {
      if (start >= atS) break;
      const len = Math.min(segment.durationS, atS - start);
      const toRate = segment.fromRate === segment.toRate
        ? segment.toRate
        : segment.fromRate + ((segment.toRate - segment.fromRate) * len) / segment.durationS;
      kept.push({ durationS: len, fromRate: segment.fromRate, toRate });
      start += len;
    }
    if (start < atS) kept.push({ durationS: atS - start, fromRate: 0, toRate: 0 });
    kept.push({ durationS, fromRate: rate, toRate: rate });
    this.segments = kept;
    // Walk again from the beginning so the segment cursor matches the new list.
    this.index = 0;
    this.segmentStartS = 0;
    this.segmentStartCount = 0;
    // The iteration count carries on: any iteration due before atS that was
    // not handed out yet is still due (at once), none is handed out twice.
  }
}

/** Seconds into the segment at which its area reaches `need` (>= 0). */
function solveTau(segment: RateSegment, need: number): number {
  if (need <= 0) return 0;
  const { fromRate, toRate, durationS } = segment;
  if (fromRate === toRate) return fromRate > 0 ? need / fromRate : Infinity;
  const slope = (toRate - fromRate) / durationS;
  const disc = fromRate * fromRate + 2 * slope * need;
  if (disc < 0) return Infinity;
  // 2n / (r0 + sqrt(r0² + 2an)): the root of r0·τ + a·τ²/2 = n that stays exact when a → 0.
  const denom = fromRate + Math.sqrt(disc);
  return denom > 0 ? (2 * need) / denom : Infinity;
}

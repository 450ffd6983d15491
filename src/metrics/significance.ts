/**
 * Is the difference between two runs larger than the noise? The tests
 * `mcpload compare` uses, on what a run keeps: full HDR histograms of the
 * latencies and counts of requests and failures.
 *
 * - A latency percentile: a bootstrap of the difference. Each draw resamples
 *   both runs from their histograms (every recorded value with its count) and
 *   takes the percentile of each; the difference is significant when the
 *   central interval of the draws' differences (99 % by default) leaves out 0.
 *   The percentile of a resample of n values is drawn directly: its rank-k
 *   order statistic is F⁻¹(U) with U ~ Beta(k, n − k + 1), F the histogram's
 *   distribution; the same law as resampling n values and sorting them, at
 *   the cost of a binary search instead of n draws.
 * - An error rate: a two-proportion z-test (pooled), significant at |z| ≥ the
 *   same level's critical value.
 *
 * The draws come from a seeded generator, so the same two files always give
 * the same answer.
 */
import { percentileUs, recordedValues, type Histogram } from './histogram.js';
import { createRng } from '../engine/rng.js';

export type Significance = 'significant' | 'noise' | 'too few samples';

/** Resampling draws per percentile. */
export const BOOTSTRAP_DRAWS = 2000;
/** Confidence of the interval; wider than the usual 95 % because a run's latencies are not independent (a slow second slows many requests). */
export const CONFIDENCE = 0.99;
/** Fewest requests in each run for any test. */
export const MIN_REQUESTS = 20;
/** Fewest requests beyond a percentile in each run (n × (1 − p)) for that percentile to be tested. */
export const MIN_TAIL = 5;
/** Fewest expected failures and successes in each run (pooled rate) for the z-test. */
export const MIN_EXPECTED = 5;
/** The seed of every comparison; fixed, so that output is reproducible. */
export const DEFAULT_SEED = 0x6d63706c;

function standardNormal(random: () => number): number {
  // Box–Muller; 1 − u keeps the logarithm away from 0.
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape, 1) for shape ≥ 1 (Marsaglia and Tsang 2000). */
function gamma(shape: number, random: () => number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Beta(a, b) for a, b ≥ 1. */
export function beta(a: number, b: number, random: () => number): number {
  const x = gamma(a, random);
  const y = gamma(b, random);
  return x / (x + y);
}

/** A histogram's distribution as a lookup: the value below which a fraction u of the requests fall. */
class Distribution {
  readonly total: number;
  private readonly values: number[];
  private readonly cumulative: number[];

  constructor(histogram: Histogram) {
    const { values, counts } = recordedValues(histogram);
    this.values = values;
    this.cumulative = [];
    let sum = 0;
    for (const count of counts) this.cumulative.push((sum += count));
    this.total = sum;
  }

  /** F⁻¹(u): the smallest recorded value with at least u × total requests at or below it. */
  quantile(u: number): number {
    const rank = Math.max(1, Math.ceil(u * this.total));
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] ?? 0) >= rank) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo] ?? 0;
  }

  /** The p-th percentile of a resample of `total` values, drawn through its order statistic. */
  resampledPercentile(p: number, random: () => number): number {
    const n = this.total;
    const k = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
    return this.quantile(beta(k, n - k + 1, random));
  }
}

export interface PercentileTest {
  /** The percentile of each run and their difference (current − base), in µs. */
  baseUs: number;
  currentUs: number;
  diffUs: number;
  /** The interval of the difference (µs) at CONFIDENCE; absent when too few samples. */
  intervalUs?: [number, number];
  significance: Significance;
}

export interface LatencySide {
  histogram: Histogram;
  minUs: number;
  maxUs: number;
}

function quantileOfSorted(sorted: readonly number[], q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[index] ?? 0;
}

/** Whether a percentile has enough requests in a run of n to be tested. */
export function enoughForPercentile(n: number, p: number): boolean {
  return n >= MIN_REQUESTS && n * (1 - p / 100) >= MIN_TAIL;
}

/**
 * Bootstrap test of the difference of the p-th percentile (0 < p < 100).
 * @param seed the generator's seed; the default makes the answer the same on every call.
 */
export function testPercentile(
  base: LatencySide, current: LatencySide, p: number,
  opts: { draws?: number; confidence?: number; seed?: number } = {},
): PercentileTest {
  const baseUs = percentileUs(base.histogram, p, base.minUs, base.maxUs);
  const currentUs = percentileUs(current.histogram, p, current.minUs, current.maxUs);
  const diffUs = currentUs - baseUs;
  if (!enoughForPercentile(base.histogram.totalCount, p) || !enoughForPercentile(current.histogram.totalCount, p)) {
    return { baseUs, currentUs, diffUs, significance: 'too few samples' };
  }
  const draws = opts.draws ?? BOOTSTRAP_DRAWS;
  const confidence = opts.confidence ?? CONFIDENCE;
  const random = createRng(opts.seed ?? DEFAULT_SEED);
  const a = new Distribution(base.histogram);
  const b = new Distribution(current.histogram);
  const diffs: number[] = [];
  for (let i = 0; i < draws; i++) diffs.push(b.resampledPercentile(p, random) - a.resampledPercentile(p, random));
  diffs.sort((x, y) => x - y);
  const tail = (1 - confidence) / 2;
  const low = quantileOfSorted(diffs, tail);
  const high = quantileOfSorted(diffs, 1 - tail);
  return { baseUs, currentUs, diffUs, intervalUs: [low, high], significance: low > 0 || high < 0 ? 'significant' : 'noise' };
}

export interface ProportionTest {
  /** Failure rates as fractions (0–1) and their difference (current − base). */
  baseRate: number;
  currentRate: number;
  diff: number;
  /** The z statistic; absent when too few samples or when both rates are equal and 0 or 1. */
  z?: number;
  significance: Significance;
}

/** The two-sided critical value of the standard normal at `confidence` (0.95 → 1.96, 0.99 → 2.576). */
export function criticalZ(confidence: number): number {
  // The levels used are few and fixed: a table rather than an approximation of the normal quantile.
  const known: Record<string, number> = { '0.9': 1.6449, '0.95': 1.96, '0.99': 2.5758, '0.999': 3.2905 };
  const z = known[String(confidence)];
  if (z === undefined) throw new Error(`criticalZ: no critical value for confidence ${confidence}`);
  return z;
}

/** Two-proportion z-test of the failure rates (failures out of requests) of two runs. */
export function testProportions(
  base: { requests: number; failures: number }, current: { requests: number; failures: number },
  confidence = CONFIDENCE,
): ProportionTest {
  const baseRate = base.requests > 0 ? base.failures / base.requests : 0;
  const currentRate = current.requests > 0 ? current.failures / current.requests : 0;
  const diff = currentRate - baseRate;
  if (base.requests < MIN_REQUESTS || current.requests < MIN_REQUESTS) return { baseRate, currentRate, diff, significance: 'too few samples' };
  if (diff === 0) return { baseRate, currentRate, diff, significance: 'noise' };
  const pooled = (base.failures + current.failures) / (base.requests + current.requests);
  const expected = [base.requests, current.requests].flatMap((n) => [n * pooled, n * (1 - pooled)]);
  if (expected.some((e) => e < MIN_EXPECTED)) return { baseRate, currentRate, diff, significance: 'too few samples' };
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / base.requests + 1 / current.requests));
  const z = diff / se;
  return { baseRate, currentRate, diff, z, significance: Math.abs(z) >= criticalZ(confidence) ? 'significant' : 'noise' };
}

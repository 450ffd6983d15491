/**
 * Two runs side by side (`mcpload compare`, `run --baseline`): for each entry
 * (type + name) in either run and for the Aggregated row, the figures of both,
 * the change, whether it is larger than the noise (src/metrics/significance.ts),
 * and the `--fail-on` conditions judged on them. Every renderer (console,
 * Markdown, JSON, JUnit) draws this one model.
 */
import {
  LATENCY_METRICS, conditionHolds, type ChangeCondition, type CompareMetric,
} from '../metrics/change-conditions.js';
import { runDurationS } from '../metrics/rows.js';
import { testPercentile, testProportions, type Significance } from '../metrics/significance.js';
import {
  AGGREGATED_NAME, compareTypeName, decodeEntryHistogram, entryKey, totalsFromEntry, totalsOf,
  type EntryTotals, type Snapshot,
} from '../metrics/snapshot.js';

/** The metrics shown, in order. */
export const SHOWN_METRICS: readonly CompareMetric[] = ['requests', 'error_rate', 'p50', 'p95', 'p99', 'max', 'rps'];
/** Metrics with a significance test: a condition on them fails only on a significant change (unless failOnNoise). */
export const TESTED_METRICS: ReadonlySet<CompareMetric> = new Set(['error_rate', 'p50', 'p95', 'p99']);

export interface MetricChange {
  metric: CompareMetric;
  /** requests: a count; error_rate: %; p50…max: ms; rps: requests/s. */
  base: number;
  current: number;
  /** current − base, in the metric's unit (error_rate: percentage points). */
  change: number;
  /** The change relative to base, in %; null when base is 0 (and current is not). */
  changePct: number | null;
  /** Absent for metrics without a test (requests, max, rps). */
  significance?: Significance;
  /** The interval of the change at the test's confidence, in the metric's unit (percentiles only). */
  interval?: [number, number];
}

export interface EntryComparison {
  type: string;
  name: string;
  /** `both`: in both runs; `added`: only in the current one; `removed`: only in the base. */
  presence: 'both' | 'added' | 'removed';
  /** Empty unless `presence` is `both`. */
  metrics: MetricChange[];
  /** The requests of the run that has it, for added and removed entries. */
  requests?: number;
}

export interface ConditionCheck {
  /** The condition as written. */
  expr: string;
  type: string;
  name: string;
  outcome: 'pass' | 'fail' | 'skipped';
  /** One line: the change found and why it passed, failed or was not judged. */
  message: string;
}

export interface RunLabel {
  /** The file it came from (or "this run"). */
  label: string;
  startedAt: string;
  durationS: number;
}

export interface Comparison {
  base: RunLabel;
  current: RunLabel;
  /** Entries sorted by type then name. */
  entries: EntryComparison[];
  aggregated: EntryComparison;
  checks: ConditionCheck[];
  /** Some check failed: a regression by the `--fail-on` conditions. */
  failed: boolean;
  /** How "significant" was decided, for the reports. */
  method: string;
}

export interface CompareInput {
  label: string;
  startedAt: string;
  snapshot: Snapshot;
}

export interface CompareOptions {
  conditions?: readonly ChangeCondition[];
  /** Fail on a condition that holds even when its change is within the noise. */
  failOnNoise?: boolean;
}

export const METHOD = 'p50/p95/p99: bootstrap of the percentile difference from both HDR histograms (2000 seeded draws, 99% interval '
  + 'excluding 0); error rate: two-proportion z-test (|z| >= 2.576); requests, max and rps: not tested';

interface Side {
  totals: EntryTotals;
  durationS: number;
}

function relative(base: number, current: number): number | null {
  if (base === 0) return current === 0 ? 0 : null;
  return ((current - base) / base) * 100;
}

function plain(metric: CompareMetric, base: number, current: number): MetricChange {
  return { metric, base, current, change: current - base, changePct: relative(base, current) };
}

function errorRate(t: EntryTotals): number {
  return t.requests > 0 ? (t.failures / t.requests) * 100 : 0;
}

function metricChanges(base: Side, current: Side): MetricChange[] {
  const b = base.totals;
  const c = current.totals;
  const latency = (t: EntryTotals) => ({ histogram: t.histogram, minUs: t.minUs ?? 0, maxUs: t.maxUs ?? 0 });
  return SHOWN_METRICS.map((metric): MetricChange => {
    switch (metric) {
      case 'requests':
        return plain(metric, b.requests, c.requests);
      case 'error_rate': {
        const test = testProportions(b, c);
        return { ...plain(metric, errorRate(b), errorRate(c)), significance: test.significance };
      }
      case 'max':
        return plain(metric, (b.maxUs ?? 0) / 1000, (c.maxUs ?? 0) / 1000);
      case 'rps':
        return plain(metric, base.durationS > 0 ? b.requests / base.durationS : 0, current.durationS > 0 ? c.requests / current.durationS : 0);
      default: {
        const p = Number(metric.slice(1));
        const test = testPercentile(latency(b), latency(c), p);
        return {
          ...plain(metric, test.baseUs / 1000, test.currentUs / 1000),
          significance: test.significance,
          ...(test.intervalUs ? { interval: [test.intervalUs[0] / 1000, test.intervalUs[1] / 1000] as [number, number] } : {}),
        };
      }
    }
  });
}

function entryTotals(snapshot: Snapshot): Map<string, { type: string; name: string; totals: EntryTotals }> {
  const out = new Map<string, { type: string; name: string; totals: EntryTotals }>();
  for (const entry of snapshot.entries) {
    out.set(entryKey(entry.type, entry.name), { type: entry.type, name: entry.name, totals: totalsFromEntry(entry, decodeEntryHistogram(entry)) });
  }
  return out;
}

/** The change in the condition's unit; +Infinity for a relative rise from 0. */
function changeIn(condition: ChangeCondition, m: MetricChange): number {
  if (condition.unit === '%') return m.changePct ?? (m.change > 0 ? Infinity : 0);
  return m.change;
}

const UNITS: Record<CompareMetric, string> = { requests: '', error_rate: 'pp', p50: ' ms', p95: ' ms', p99: ' ms', max: ' ms', rps: ' req/s' };

/** "+12.5% (+3.10 ms)": the change as a reader wants it. */
export function describeChange(m: MetricChange): string {
  const signed = (n: number, digits: number) => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${Math.abs(n).toFixed(digits)}`;
  const abs = `${signed(m.change, m.metric === 'requests' ? 0 : 2)}${UNITS[m.metric]}`;
  if (m.metric === 'error_rate') return abs;
  if (m.changePct === null) return `${abs} (from 0)`;
  return `${signed(m.changePct, 1)}% (${abs})`;
}

function judge(condition: ChangeCondition, entry: EntryComparison, failOnNoise: boolean): ConditionCheck {
  const where = { expr: condition.expr, type: entry.type, name: entry.name };
  if (entry.presence !== 'both') {
    return { ...where, outcome: 'skipped', message: `only in the ${entry.presence === 'added' ? 'current' : 'base'} run: nothing to compare` };
  }
  const m = entry.metrics.find((x) => x.metric === condition.metric);
  if (!m) return { ...where, outcome: 'skipped', message: `no ${condition.metric} figures` };
  const change = `${condition.metric} ${describeChange(m)}`;
  if (!conditionHolds(condition, changeIn(condition, m))) return { ...where, outcome: 'pass', message: `${change}: the condition does not hold` };
  if (!TESTED_METRICS.has(condition.metric)) return { ...where, outcome: 'fail', message: `${change}: the condition holds (${condition.metric} has no noise test)` };
  if (failOnNoise) return { ...where, outcome: 'fail', message: `${change}: the condition holds (${m.significance ?? 'untested'}; --fail-on-noise)` };
  if (m.significance === 'significant') return { ...where, outcome: 'fail', message: `${change}: the condition holds and the change is significant` };
  if (m.significance === 'too few samples') return { ...where, outcome: 'skipped', message: `${change}: the condition holds but there are too few samples to tell it from noise` };
  return { ...where, outcome: 'pass', message: `${change}: the condition holds but the change is within the noise` };
}

/** The entries a condition is judged on. */
function targets(condition: ChangeCondition, entries: readonly EntryComparison[], aggregated: EntryComparison): EntryComparison[] {
  const { scope } = condition;
  if (scope.kind === 'aggregated') return [aggregated];
  if (scope.kind === 'every') return [...entries.filter((e) => e.presence === 'both'), aggregated];
  return entries.filter((e) => (scope.type === undefined || scope.type === e.type) && (scope.name === undefined || scope.name === e.name));
}

export function compareRuns(base: CompareInput, current: CompareInput, opts: CompareOptions = {}): Comparison {
  const baseDuration = runDurationS(base.snapshot);
  const currentDuration = runDurationS(current.snapshot);
  const a = entryTotals(base.snapshot);
  const b = entryTotals(current.snapshot);
  const entries: EntryComparison[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(key);
    const y = b.get(key);
    if (x && y) {
      entries.push({ type: x.type, name: x.name, presence: 'both', metrics: metricChanges({ totals: x.totals, durationS: baseDuration }, { totals: y.totals, durationS: currentDuration }) });
    } else {
      const only = (x ?? y)!;
      entries.push({ type: only.type, name: only.name, presence: x ? 'removed' : 'added', metrics: [], requests: only.totals.requests });
    }
  }
  entries.sort(compareTypeName);
  const aggregated: EntryComparison = {
    type: '', name: AGGREGATED_NAME, presence: 'both',
    metrics: metricChanges({ totals: totalsOf(base.snapshot.entries), durationS: baseDuration }, { totals: totalsOf(current.snapshot.entries), durationS: currentDuration }),
  };
  const checks: ConditionCheck[] = [];
  for (const condition of opts.conditions ?? []) {
    const chosen = targets(condition, entries, aggregated);
    if (chosen.length === 0) {
      const scope = condition.scope.kind === 'select' ? [condition.scope.type && `type=${condition.scope.type}`, condition.scope.name && `name=${condition.scope.name}`].filter(Boolean).join(',') : '';
      checks.push({ expr: condition.expr, type: '', name: scope, outcome: 'fail', message: `no entry matches ${scope} in either run` });
      continue;
    }
    for (const entry of chosen) checks.push(judge(condition, entry, opts.failOnNoise === true));
  }
  return {
    base: { label: base.label, startedAt: base.startedAt, durationS: baseDuration },
    current: { label: current.label, startedAt: current.startedAt, durationS: currentDuration },
    entries,
    aggregated,
    checks,
    failed: checks.some((c) => c.outcome === 'fail'),
    method: METHOD,
  };
}

/** Whether a metric's figures are latencies in ms (for formatting). */
export function isLatency(metric: CompareMetric): boolean {
  return LATENCY_METRICS.has(metric);
}

/**
 * Live request statistics: what transports record, per (type, name), kept
 * cheap on the hot path and read through JSON snapshots.
 *
 * Locust's model: per entry counts, latency distribution, failures grouped by
 * error, a per-second history and a windowed "current" request rate. Unlike
 * Locust, latencies keep microsecond resolution in HDR histograms with three
 * significant digits, and snapshots merge exactly.
 */
import { errorLabel, type Recorder, type SampleError } from './sample.js';
import { clampUs, encodeHistogram, newHistogram, percentileUs, type Histogram } from './histogram.js';
import { describeException } from './exceptions.js';
import { DEFAULT_MAX_HISTORY_ROWS, HistoryLog } from './history.js';
import { PERCENTILES, percentileKey } from './percentiles.js';
import { rowFromTotals, type StatsRow } from './rows.js';
import {
  AGGREGATED_NAME, SNAPSHOT_VERSION, compareTypeName, entryKey,
  type EntryTotals, type ErrorGroup, type ExceptionGroup, type EntrySnapshot, type HistoryRow, type Snapshot,
} from './snapshot.js';
import type { EntryUpdate, SnapshotUpdate, UpdateBaseline } from './snapshot-update.js';

export { PERCENTILES } from './percentiles.js';
export { statsRows, type StatsRow } from './rows.js';
export {
  mergeSnapshots, AGGREGATED_NAME,
  type Snapshot, type EntrySnapshot, type ErrorGroup, type ExceptionGroup, type HistoryRow,
} from './snapshot.js';

/** Per-second request counts kept for the current rate: a power of two above the 10 s window + 1. */
const RING_SIZE = 16;
const RING_MASK = RING_SIZE - 1;
/** Beyond this many distinct errors for one entry, new ones are counted together (protects memory). */
const MAX_ERROR_GROUPS_PER_ENTRY = 100;
/** History rows divide by at least this many seconds (ticks are a second apart; see `tick`). */
const MIN_INTERVAL_S = 1;
const OVERFLOW_ERROR_LABEL = `other: more than ${MAX_ERROR_GROUPS_PER_ENTRY} distinct errors`;
/** Error texts are kept whole up to this many characters (one line), so reports show the part that explains the failure. */
export const MAX_ERROR_LABEL_CHARS = 4096;

export interface StatsOptions {
  /** Epoch milliseconds; injectable for tests. Defaults to Date.now. */
  now?: () => number;
  /** Name of this process in exception reports ("local" unless a worker). */
  node?: string;
  /** Upper bound on history rows kept in memory (see history.ts). */
  maxHistoryRows?: number;
}

/** Stands for an interval without samples; never written to. */
const EMPTY_HISTOGRAM = newHistogram();

/**
 * An interval's latencies are kept as values up to this many: an entry never
 * sampled more often than that in a second (names that carry IDs) needs no
 * second histogram.
 */
const FEW_SAMPLES = 32;

/** Mutable per-(type, name) state. Plain fields and typed arrays: `record` allocates nothing here but an entry's first copy of its histogram. */
class Entry {
  requests = 0;
  failures = 0;
  sumUs = 0;
  minUs = Infinity;
  maxUs = 0;
  bytes = 0;
  firstAt = 0;
  lastAt = 0;
  /** Checks that held; failed ones are the failures of kind `check`. */
  checksPassed = 0;
  checksFailed = 0;
  /** Requests cut at the stop: the failures of kind `cut`. */
  cut = 0;
  readonly histogram: Histogram = newHistogram();
  /** Since the last tick. */
  intervalRequests = 0;
  intervalFailures = 0;
  intervalMinUs = Infinity;
  intervalMaxUs = 0;
  /**
   * `histogram` as it was at the last tick, from the first interval with more
   * than FEW_SAMPLES samples on. The interval's histogram is the difference,
   * computed once per tick, which keeps `record` to one histogram update
   * instead of two. Until then, `intervalValues` holds the interval's latencies.
   */
  private histogramAtLastTick: Histogram | undefined;
  private readonly intervalValues = new Float64Array(FEW_SAMPLES);
  private intervalValueCount = 0;
  /** Ring of per-second counts, indexed by Unix second & RING_MASK. */
  readonly ringSecond = new Float64Array(RING_SIZE).fill(-1);
  readonly ringRequests = new Float64Array(RING_SIZE);
  readonly ringFailures = new Float64Array(RING_SIZE);
  /** errorLabel → occurrences. */
  readonly errors = new Map<string, number>();

  constructor(readonly type: string, readonly name: string) {}

  /** After `histogram.recordValue(us)`: keeps the interval's latency, while the entry has no copy of its histogram. */
  noteSample(us: number): void {
    if (this.histogramAtLastTick !== undefined) return;
    if (this.intervalValueCount < FEW_SAMPLES) {
      this.intervalValues[this.intervalValueCount++] = us;
      return;
    }
    // One more than it keeps: the copy from now on. At the last tick the histogram was what it is less this interval's samples.
    const copy = newHistogram();
    copy.add(this.histogram);
    for (let i = 0; i < this.intervalValueCount; i++) copy.recordValueWithCount(this.intervalValues[i]!, -1);
    copy.recordValueWithCount(us, -1);
    this.histogramAtLastTick = copy;
  }

  /** Records the interval's latencies into `into`: the values kept, or the histogram less its copy at the last tick. */
  private addInterval(into: Histogram): void {
    if (this.histogramAtLastTick === undefined) {
      for (let i = 0; i < this.intervalValueCount; i++) into.recordValue(this.intervalValues[i]!);
      return;
    }
    into.add(this.histogram);
    into.subtract(this.histogramAtLastTick);
  }

  /**
   * The figures of the closing interval (its latencies written into `into`;
   * with no sample since the last tick, `intervalHistogram` is an empty one
   * that must not be written), then starts a new interval.
   */
  closeInterval(into: Histogram): RowFigures {
    // An entry without a sample since the last tick (most of them, when names carry IDs) costs no histogram pass.
    const sampled = this.intervalRequests > 0;
    if (sampled) {
      into.reset();
      this.addInterval(into);
      this.histogramAtLastTick?.add(into);
    }
    this.intervalValueCount = 0;
    const figures: RowFigures = {
      requests: this.requests, failures: this.failures, sumUs: this.sumUs, minUs: this.minUs, maxUs: this.maxUs,
      bytes: this.bytes, histogram: this.histogram,
      intervalRequests: this.intervalRequests, intervalFailures: this.intervalFailures,
      intervalMinUs: this.intervalMinUs, intervalMaxUs: this.intervalMaxUs, intervalHistogram: sampled ? into : EMPTY_HISTOGRAM,
    };
    this.intervalRequests = 0;
    this.intervalFailures = 0;
    this.intervalMinUs = Infinity;
    this.intervalMaxUs = 0;
    return figures;
  }

  /** Adds what the histogram gained since the last tick to `into`. */
  addSinceTick(into: Histogram): void {
    if (this.intervalRequests > 0) this.addInterval(into);
  }

  resetAll(): void {
    this.requests = 0;
    this.failures = 0;
    this.sumUs = 0;
    this.minUs = Infinity;
    this.maxUs = 0;
    this.bytes = 0;
    this.firstAt = 0;
    this.lastAt = 0;
    this.checksPassed = 0;
    this.checksFailed = 0;
    this.cut = 0;
    this.histogram.reset();
    this.histogramAtLastTick?.reset();
    this.intervalValueCount = 0;
    this.intervalRequests = 0;
    this.intervalFailures = 0;
    this.intervalMinUs = Infinity;
    this.intervalMaxUs = 0;
    this.ringSecond.fill(-1);
    this.ringRequests.fill(0);
    this.ringFailures.fill(0);
    this.errors.clear();
  }

  countError(error: SampleError): void {
    let label = errorLabel(error);
    // One line, whole up to the cap: the end of a message often says why (e.g. "... received \"bravo\" at nextThoughtNeeded").
    if (/[\r\n\t]/.test(label)) label = label.replace(/\s+/g, ' ');
    if (label.length > MAX_ERROR_LABEL_CHARS) label = `${label.slice(0, MAX_ERROR_LABEL_CHARS - 1)}…`;
    const seen = this.errors.get(label);
    if (seen !== undefined) this.errors.set(label, seen + 1);
    else if (this.errors.size < MAX_ERROR_GROUPS_PER_ENTRY) this.errors.set(label, 1);
    else this.errors.set(OVERFLOW_ERROR_LABEL, (this.errors.get(OVERFLOW_ERROR_LABEL) ?? 0) + 1);
  }
}

/** Sums used for one history row (an entry's, or all entries' for Aggregated). */
export interface RowFigures {
  requests: number;
  failures: number;
  sumUs: number;
  minUs: number;
  maxUs: number;
  bytes: number;
  histogram: Histogram;
  intervalRequests: number;
  intervalFailures: number;
  intervalMinUs: number;
  intervalMaxUs: number;
  intervalHistogram: Histogram;
}

/** An entry's figures as a snapshot has them, all but its histogram. */
function entryFigures(entry: Entry, oldestRecentSecond: number): Omit<EntrySnapshot, 'histogram'> {
  const recent: Array<[number, number, number]> = [];
  for (let slot = 0; slot < RING_SIZE; slot++) {
    const second = entry.ringSecond[slot] ?? -1;
    if (second >= oldestRecentSecond) recent.push([second, entry.ringRequests[slot] ?? 0, entry.ringFailures[slot] ?? 0]);
  }
  recent.sort((a, b) => a[0] - b[0]);
  const hasRequests = entry.requests > 0;
  return {
    type: entry.type,
    name: entry.name,
    requests: entry.requests,
    failures: entry.failures,
    sumUs: entry.sumUs,
    minUs: hasRequests ? entry.minUs : null,
    maxUs: hasRequests ? entry.maxUs : null,
    bytes: entry.bytes,
    firstAt: hasRequests ? entry.firstAt : null,
    lastAt: hasRequests ? entry.lastAt : null,
    recent,
    ...(entry.checksPassed + entry.checksFailed > 0 ? { checksPassed: entry.checksPassed, checksFailed: entry.checksFailed } : {}),
    ...(entry.cut > 0 ? { cut: entry.cut } : {}),
  };
}

export class Stats implements Recorder {
  private readonly now: () => number;
  private readonly node: string;
  /** type → name → entry: two lookups on strings the caller already has, no key string built per sample. */
  private readonly entries = new Map<string, Map<string, Entry>>();
  private sorted: Entry[] | null = [];
  private readonly exceptions = new Map<string, { count: number; traceback: string }>();
  private readonly history: HistoryLog;
  private startedAt: number;
  /** Set by `finish()`: the run's end, which rates divide by. */
  private endedAt: number | undefined;
  private intervalStartedAt: number;
  /** How many times the stats were reset: an update's generation (snapshot-update.ts). */
  private generation = 0;
  // Reused at each tick: one entry's interval, and the Aggregated row's interval.
  private readonly entryIntervalScratch = newHistogram();
  private readonly intervalScratch = newHistogram();
  /**
   * Every entry's histogram added up, as of the last tick: the Aggregated
   * row's. Kept by adding each closed interval, so that a tick costs
   * histogram passes only for the entries sampled since the last one.
   */
  private readonly aggregateAtTick = newHistogram();
  // The Aggregated row's histogram for `liveRows`.
  private readonly liveTotalScratch = newHistogram();

  constructor(opts: StatsOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.node = opts.node ?? 'local';
    this.history = new HistoryLog(opts.maxHistoryRows ?? DEFAULT_MAX_HISTORY_ROWS);
    this.startedAt = this.now();
    this.intervalStartedAt = this.startedAt;
  }

  record(type: string, name: string, latencyUs: number, bytes: number, error?: SampleError): void {
    const entry = this.entryFor(type, name);
    const us = clampUs(latencyUs);
    const at = this.now();
    entry.requests++;
    entry.sumUs += us;
    if (us < entry.minUs) entry.minUs = us;
    if (us > entry.maxUs) entry.maxUs = us;
    if (bytes > 0 && bytes < Number.MAX_SAFE_INTEGER) entry.bytes += Math.round(bytes);
    if (entry.firstAt === 0) entry.firstAt = at;
    entry.lastAt = at;
    entry.histogram.recordValue(us);
    entry.noteSample(us);

    entry.intervalRequests++;
    if (us < entry.intervalMinUs) entry.intervalMinUs = us;
    if (us > entry.intervalMaxUs) entry.intervalMaxUs = us;

    const second = Math.floor(at / 1000);
    const slot = second & RING_MASK;
    if (entry.ringSecond[slot] !== second) {
      entry.ringSecond[slot] = second;
      entry.ringRequests[slot] = 0;
      entry.ringFailures[slot] = 0;
    }
    entry.ringRequests[slot]!++;

    if (error !== undefined) {
      if (error.kind === 'check') entry.checksFailed++;
      else if (error.kind === 'cut') entry.cut++;
      entry.failures++;
      entry.intervalFailures++;
      entry.ringFailures[slot]!++;
      entry.countError(error);
    }
  }

  checkPassed(type: string, name: string): void {
    this.entryFor(type, name).checksPassed++;
  }

  /** Starts the run's clock now (rates divide by the time since); the stats are left as they are. */
  markStart(): void {
    this.startedAt = this.now();
    this.intervalStartedAt = this.startedAt;
    this.endedAt = undefined;
  }

  /** Stops the run's clock: later snapshots carry `endedAt`, so rates stay those of the run. */
  finish(): void {
    this.endedAt ??= this.now();
  }

  exception(err: unknown, where: string): void {
    const { message, traceback } = describeException(err, where);
    const group = this.exceptions.get(message);
    if (group) group.count++;
    else this.exceptions.set(message, { count: 1, traceback });
  }

  /** Closes the current interval and appends one history row per entry plus Aggregated; returns those rows. */
  tick(userCount: number): HistoryRow[] {
    const at = this.now();
    // At least a second: the closing tick at the stop can come a few ms after the last one, and
    // 3 requests over 5 ms is not 600 req/s; over the second the run ended in, they were 3 req/s.
    const intervalS = Math.max((at - this.intervalStartedAt) / 1000, MIN_INTERVAL_S);
    this.intervalStartedAt = at;
    const timestamp = Math.floor(at / 1000);
    const users = Number.isFinite(userCount) && userCount > 0 ? Math.round(userCount) : 0;

    const total: RowFigures = {
      requests: 0, failures: 0, sumUs: 0, minUs: Infinity, maxUs: 0, bytes: 0, histogram: this.aggregateAtTick,
      intervalRequests: 0, intervalFailures: 0, intervalMinUs: Infinity, intervalMaxUs: 0, intervalHistogram: this.intervalScratch,
    };
    total.intervalHistogram.reset();

    const rows: HistoryRow[] = [];
    for (const entry of this.sortedEntries()) {
      const f = entry.closeInterval(this.entryIntervalScratch);
      rows.push(historyRow(entry.type, entry.name, f, timestamp, intervalS, users));
      total.requests += f.requests;
      total.failures += f.failures;
      total.sumUs += f.sumUs;
      total.minUs = Math.min(total.minUs, f.minUs);
      total.maxUs = Math.max(total.maxUs, f.maxUs);
      total.bytes += f.bytes;
      total.intervalRequests += f.intervalRequests;
      total.intervalFailures += f.intervalFailures;
      total.intervalMinUs = Math.min(total.intervalMinUs, f.intervalMinUs);
      total.intervalMaxUs = Math.max(total.intervalMaxUs, f.intervalMaxUs);
      if (f.intervalRequests > 0) {
        total.histogram.add(f.intervalHistogram);
        total.intervalHistogram.add(f.intervalHistogram);
      }
    }
    rows.push(historyRow('', AGGREGATED_NAME, total, timestamp, intervalS, users));
    this.history.append(timestamp, intervalS, rows);
    return rows;
  }

  /** Locust's "reset stats": zeroes every entry (they stay listed), errors, exceptions and history. */
  reset(): void {
    this.generation++;
    for (const entry of this.sortedEntries()) entry.resetAll();
    this.aggregateAtTick.reset();
    this.exceptions.clear();
    this.history.clear();
    this.endedAt = undefined;
    this.startedAt = this.now();
    this.intervalStartedAt = this.startedAt;
  }

  /**
   * Everything recorded so far as plain JSON.
   * @param opts.history false leaves history out (cheaper for a live view that does not chart).
   * @param opts.historyAfter only history rows with a later timestamp (Unix s), for incremental readers.
   * @param opts.histograms false leaves every entry's histogram empty (`''`): for a live view that takes
   *   its rows from `liveRows()` and needs no percentiles from the snapshot. Never merge such a snapshot.
   */
  snapshot(opts: { history?: boolean; historyAfter?: number; histograms?: boolean } = {}): Snapshot {
    const takenAt = this.now();
    const oldestRecentSecond = Math.floor(takenAt / 1000) - RING_SIZE + 1;
    const entries: EntrySnapshot[] = this.sortedEntries().map((entry) => ({
      ...entryFigures(entry, oldestRecentSecond),
      histogram: opts.histograms === false ? '' : encodeHistogram(entry.histogram),
    }));
    return {
      version: SNAPSHOT_VERSION, ...this.clockAndGroups(takenAt), entries,
      history: opts.history === false ? [] : this.history.rows(opts.historyAfter),
    };
  }

  /**
   * What changed since the last update `baseline` made (a worker's message
   * to its leader, snapshot-update.ts): the entries with new requests or
   * checks, each histogram as the buckets it gained, and the history rows
   * after `historyAfter`. After a reset the updates start from zero again.
   */
  update(baseline: UpdateBaseline, opts: { historyAfter?: number } = {}): SnapshotUpdate {
    const takenAt = this.now();
    const oldestRecentSecond = Math.floor(takenAt / 1000) - RING_SIZE + 1;
    baseline.follow(this.generation);
    const entries: EntryUpdate[] = [];
    for (const entry of this.sortedEntries()) {
      const key = entryKey(entry.type, entry.name);
      // Seconds before the previous update's were sent whole already.
      const since = baseline.knows(key) ? Math.max(oldestRecentSecond, baseline.lastSecond) : oldestRecentSecond;
      const sent = baseline.added(key, entry.histogram, entry.requests, entry.checksPassed);
      if (sent !== null) entries.push({ ...entryFigures(entry, since), ...sent });
    }
    baseline.lastSecond = Math.floor(takenAt / 1000);
    return { generation: this.generation, ...this.clockAndGroups(takenAt), entries, history: this.history.rows(opts.historyAfter) };
  }

  /** What a snapshot and an update both hold besides entries and history: the clock, every error group and exception. */
  private clockAndGroups(takenAt: number): Pick<Snapshot, 'startedAt' | 'takenAt' | 'endedAt' | 'errors' | 'exceptions'> {
    return {
      startedAt: this.startedAt,
      takenAt,
      ...(this.endedAt !== undefined ? { endedAt: this.endedAt } : {}),
      errors: this.errorGroups(),
      exceptions: this.exceptionGroups(),
    };
  }

  private errorGroups(): ErrorGroup[] {
    const errors: ErrorGroup[] = [];
    for (const entry of this.sortedEntries()) {
      for (const [error, occurrences] of entry.errors) errors.push({ type: entry.type, name: entry.name, error, occurrences });
    }
    return errors.sort((a, b) => b.occurrences - a.occurrences || compareTypeName(a, b));
  }

  private exceptionGroups(): ExceptionGroup[] {
    return [...this.exceptions]
      .map(([message, { count, traceback }]) => ({ message, traceback, count, nodes: [this.node] }))
      .sort((a, b) => b.count - a.count);
  }

  /**
   * The stats table (`statsRows` of a snapshot, same figures) read straight from
   * the live histograms: nothing is encoded or decoded, so a live view costs
   * a few percentile lookups per entry instead of a snapshot round trip.
   * @param opts.now epoch ms that "current" rates are relative to; defaults to now.
   */
  liveRows(opts: { now?: number } = {}): { rows: StatsRow[]; aggregated: StatsRow } {
    const now = opts.now ?? this.now();
    const entries = this.sortedEntries();
    // The run's elapsed time, as runDurationS gives it for a snapshot taken now (opts.now moves only the "current" window).
    const end = this.endedAt ?? this.now();
    const durationS = end > this.startedAt ? (end - this.startedAt) / 1000 : 0;
    const oldestRecentSecond = Math.floor(now / 1000) - RING_SIZE + 1;
    const all: EntryTotals = {
      requests: 0, failures: 0, sumUs: 0, minUs: null, maxUs: null, bytes: 0,
      firstAt: null, lastAt: null, histogram: this.liveTotalScratch, recent: new Map(), checksPassed: 0, checksFailed: 0, cut: 0,
    };
    // The Aggregated histogram: every entry's added up (a pass each), or, when fewer passes, every entry's as
    // of the last tick plus what the entries sampled since gained (two passes each).
    let counted = 0;
    let sampled = 0;
    for (const entry of entries) {
      if (entry.requests > 0) counted++;
      if (entry.intervalRequests > 0) sampled++;
    }
    const sinceTick = 1 + 2 * sampled < counted;
    all.histogram.reset();
    if (sinceTick) all.histogram.add(this.aggregateAtTick);
    const rows: StatsRow[] = [];
    for (const entry of entries) {
      const has = entry.requests > 0;
      const totals: EntryTotals = {
        requests: entry.requests, failures: entry.failures, sumUs: entry.sumUs,
        minUs: has ? entry.minUs : null, maxUs: has ? entry.maxUs : null, bytes: entry.bytes,
        firstAt: has ? entry.firstAt : null, lastAt: has ? entry.lastAt : null,
        histogram: entry.histogram, recent: new Map(), checksPassed: entry.checksPassed, checksFailed: entry.checksFailed, cut: entry.cut,
      };
      for (let slot = 0; slot < RING_SIZE; slot++) {
        const second = entry.ringSecond[slot] ?? -1;
        if (second < oldestRecentSecond) continue;
        const requests = entry.ringRequests[slot] ?? 0;
        const failures = entry.ringFailures[slot] ?? 0;
        totals.recent.set(second, [requests, failures]);
        const sum = all.recent.get(second);
        if (sum) {
          sum[0] += requests;
          sum[1] += failures;
        } else {
          all.recent.set(second, [requests, failures]);
        }
      }
      rows.push(rowFromTotals(entry.type, entry.name, totals, durationS, now, this.startedAt));
      if (!has) continue;
      all.requests += entry.requests;
      all.failures += entry.failures;
      all.sumUs += entry.sumUs;
      all.minUs = all.minUs === null || entry.minUs < all.minUs ? entry.minUs : all.minUs;
      all.maxUs = all.maxUs === null || entry.maxUs > all.maxUs ? entry.maxUs : all.maxUs;
      all.bytes += entry.bytes;
      if (sinceTick) entry.addSinceTick(all.histogram);
      else all.histogram.add(entry.histogram);
    }
    return { rows, aggregated: rowFromTotals('', AGGREGATED_NAME, all, durationS, now, this.startedAt) };
  }

  /** How many (type, name) entries there are: each keeps its own histograms. */
  get entryCount(): number {
    let count = 0;
    for (const byName of this.entries.values()) count += byName.size;
    return count;
  }

  private entryFor(type: string, name: string): Entry {
    let byName = this.entries.get(type);
    if (byName === undefined) {
      byName = new Map();
      this.entries.set(type, byName);
    }
    let entry = byName.get(name);
    if (entry === undefined) {
      entry = new Entry(type, name);
      byName.set(name, entry);
      this.sorted = null;
    }
    return entry;
  }

  private sortedEntries(): Entry[] {
    if (this.sorted === null) {
      const all: Entry[] = [];
      for (const byName of this.entries.values()) for (const entry of byName.values()) all.push(entry);
      this.sorted = all.sort(compareTypeName);
    }
    return this.sorted;
  }
}

/** One history row from an entry's figures: the interval's rates and percentiles beside the totals so far. */
export function historyRow(type: string, name: string, f: RowFigures, timestamp: number, intervalS: number, userCount: number): HistoryRow {
  const percentilesMs: Record<string, number | null> = {};
  for (const p of PERCENTILES) {
    percentilesMs[percentileKey(p)] = f.intervalRequests > 0
      ? percentileUs(f.intervalHistogram, p, f.intervalMinUs, f.intervalMaxUs) / 1000
      : null;
  }
  const has = f.requests > 0;
  return {
    timestamp,
    intervalS,
    userCount,
    type,
    name,
    requestsPerSec: f.intervalRequests / intervalS,
    failuresPerSec: f.intervalFailures / intervalS,
    percentilesMs,
    totalRequests: f.requests,
    totalFailures: f.failures,
    totalMedianMs: has ? percentileUs(f.histogram, 50, f.minUs, f.maxUs) / 1000 : 0,
    totalAvgMs: has ? f.sumUs / f.requests / 1000 : 0,
    totalMinMs: has ? f.minUs / 1000 : 0,
    totalMaxMs: has ? f.maxUs / 1000 : 0,
    totalAvgContentSize: has ? f.bytes / f.requests : 0,
  };
}

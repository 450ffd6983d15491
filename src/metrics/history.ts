/**
 * The per-second time series (Locust's stats history), kept in bounded memory.
 *
 * Bounding choice: the log holds at most `maxRows` rows. When it grows past
 * that, the oldest half of the ticks is merged pairwise into ticks twice as
 * long. Recent history keeps its 1 s resolution, the whole run stays covered,
 * and older stretches get coarser each time (2 s, 4 s, ...). With the default
 * of 200 000 rows (about 40 MB, rows are packed into typed arrays) a run with
 * 3 entries (+ Aggregated) keeps 1 s rows for about 14 h before the first
 * merge, one with 20 entries for about 2.6 h.
 *
 * Rows hold already-reduced figures, so merging them is exact for counts,
 * rates, totals and the interval maximum (p100), and an estimate for the other
 * interval percentiles (a request-weighted mean, which always lies between the
 * percentiles of the parts).
 */
import { PERCENTILES, percentileKey } from './percentiles.js';

/** One entry's figures over one interval of the run's time series. */
export interface HistoryRow {
  /** Unix seconds at the end of the interval. */
  timestamp: number;
  /** Length of the interval in seconds (about 1; longer for compacted old rows). */
  intervalS: number;
  userCount: number;
  type: string;
  name: string;
  requestsPerSec: number;
  failuresPerSec: number;
  /** Percentiles of the interval alone, ms; null when the interval had no requests. */
  percentilesMs: Record<string, number | null>;
  totalRequests: number;
  totalFailures: number;
  totalMedianMs: number;
  totalAvgMs: number;
  totalMinMs: number;
  totalMaxMs: number;
  totalAvgContentSize: number;
}

export const DEFAULT_MAX_HISTORY_ROWS = 200_000;
const MAX_KEY = percentileKey(100);

function intervalRequests(row: HistoryRow): number {
  return row.requestsPerSec * row.intervalS;
}

/** Request-weighted mean of the non-null values; null when every value is null. */
function weightedPercentile(values: Array<{ value: number | null; weight: number }>): number | null {
  let sum = 0;
  let weight = 0;
  let plainSum = 0;
  let count = 0;
  for (const { value, weight: w } of values) {
    if (value === null) continue;
    sum += value * w;
    weight += w;
    plainSum += value;
    count++;
  }
  if (count === 0) return null;
  return weight > 0 ? sum / weight : plainSum / count;
}

function combinePercentiles(rows: readonly HistoryRow[]): Record<string, number | null> {
  const keys = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row.percentilesMs)) keys.add(key);
  const out: Record<string, number | null> = {};
  for (const key of keys) {
    if (key === MAX_KEY) {
      // The maximum of a union is exact: the largest of the parts.
      const values = rows.map((row) => row.percentilesMs[key]).filter((v): v is number => typeof v === 'number');
      out[key] = values.length ? Math.max(...values) : null;
      continue;
    }
    out[key] = weightedPercentile(rows.map((row) => ({ value: row.percentilesMs[key] ?? null, weight: intervalRequests(row) })));
  }
  return out;
}

function weightedByTotal(rows: readonly HistoryRow[], pick: (row: HistoryRow) => number): number {
  let sum = 0;
  let weight = 0;
  for (const row of rows) {
    sum += pick(row) * row.totalRequests;
    weight += row.totalRequests;
  }
  return weight > 0 ? sum / weight : 0;
}

/**
 * Rows of the same (timestamp, type, name) from different sources (workers,
 * machines): rates and totals add up; the user count is left to the caller.
 */
export function combineParallelRows(rows: readonly HistoryRow[]): HistoryRow {
  const first = rows[0];
  if (!first) throw new Error('combineParallelRows: no rows');
  if (rows.length === 1) return { ...first, percentilesMs: { ...first.percentilesMs } };
  const withRequests = rows.filter((row) => row.totalRequests > 0);
  return {
    timestamp: first.timestamp,
    intervalS: Math.max(...rows.map((row) => row.intervalS)),
    userCount: rows.reduce((sum, row) => sum + row.userCount, 0),
    type: first.type,
    name: first.name,
    requestsPerSec: rows.reduce((sum, row) => sum + row.requestsPerSec, 0),
    failuresPerSec: rows.reduce((sum, row) => sum + row.failuresPerSec, 0),
    percentilesMs: combinePercentiles(rows),
    totalRequests: rows.reduce((sum, row) => sum + row.totalRequests, 0),
    totalFailures: rows.reduce((sum, row) => sum + row.totalFailures, 0),
    totalMedianMs: weightedByTotal(rows, (row) => row.totalMedianMs),
    totalAvgMs: weightedByTotal(rows, (row) => row.totalAvgMs),
    totalMinMs: withRequests.length ? Math.min(...withRequests.map((row) => row.totalMinMs)) : 0,
    totalMaxMs: withRequests.length ? Math.max(...withRequests.map((row) => row.totalMaxMs)) : 0,
    totalAvgContentSize: weightedByTotal(rows, (row) => row.totalAvgContentSize),
  };
}

/**
 * Two consecutive rows of one (type, name) from one source, as one longer
 * interval: rates are time-weighted, totals are those at the end.
 */
export function combineSequentialRows(older: HistoryRow, newer: HistoryRow): HistoryRow {
  const intervalS = older.intervalS + newer.intervalS;
  const rate = (pick: (row: HistoryRow) => number): number =>
    intervalS > 0 ? (pick(older) * older.intervalS + pick(newer) * newer.intervalS) / intervalS : 0;
  return {
    ...newer,
    intervalS,
    requestsPerSec: rate((row) => row.requestsPerSec),
    failuresPerSec: rate((row) => row.failuresPerSec),
    percentilesMs: combinePercentiles([older, newer]),
  };
}

/** A stand-in for an entry that had no row in a tick (it did not exist yet). */
function idleRow(like: HistoryRow, timestamp: number, intervalS: number): HistoryRow {
  const percentilesMs: Record<string, number | null> = {};
  for (const key of Object.keys(like.percentilesMs)) percentilesMs[key] = null;
  return { ...like, timestamp, intervalS, requestsPerSec: 0, failuresPerSec: 0, percentilesMs };
}

function mergeTickRows(older: Tick, newer: Tick): HistoryRow[] {
  const olderByKey = new Map(unpack(older).map((row) => [`${row.type}\u0000${row.name}`, row]));
  const rows: HistoryRow[] = [];
  for (const row of unpack(newer)) {
    const key = `${row.type}\u0000${row.name}`;
    const before = olderByKey.get(key) ?? idleRow(row, older.timestamp, older.intervalS);
    olderByKey.delete(key);
    rows.push(combineSequentialRows(before, row));
  }
  // Entries present only in the older tick keep their last totals.
  for (const row of olderByKey.values()) rows.push(combineSequentialRows(row, idleRow(row, newer.timestamp, newer.intervalS)));
  return rows;
}

/*
 * Packed storage: a row as plain objects costs about 1.6 kB (the percentile
 * record is the expensive part), packed it costs 8 bytes per number. Ticks
 * keep the numbers of all their rows in one Float64Array; (type, name) pairs
 * are shared between ticks while the set of entries does not change.
 */
interface RowKey {
  type: string;
  name: string;
}

interface Tick {
  timestamp: number;
  intervalS: number;
  keys: readonly RowKey[];
  data: Float64Array;
}

const PERCENTILE_KEYS = PERCENTILES.map(percentileKey);
const F_INTERVAL = 0;
const F_USERS = 1;
const F_RPS = 2;
const F_FPS = 3;
const F_PERCENTILES = 4;
const F_TOTALS = F_PERCENTILES + PERCENTILE_KEYS.length;
const TOTAL_FIELDS = ['totalRequests', 'totalFailures', 'totalMedianMs', 'totalAvgMs', 'totalMinMs', 'totalMaxMs', 'totalAvgContentSize'] as const;
const ROW_WIDTH = F_TOTALS + TOTAL_FIELDS.length;

function sameKeys(keys: readonly RowKey[], rows: readonly HistoryRow[]): boolean {
  if (keys.length !== rows.length) return false;
  return rows.every((row, i) => keys[i]?.type === row.type && keys[i]?.name === row.name);
}

function pack(timestamp: number, intervalS: number, rows: readonly HistoryRow[], previousKeys: readonly RowKey[]): Tick {
  const keys = sameKeys(previousKeys, rows) ? previousKeys : rows.map(({ type, name }) => ({ type, name }));
  const data = new Float64Array(rows.length * ROW_WIDTH);
  rows.forEach((row, i) => {
    const at = i * ROW_WIDTH;
    data[at + F_INTERVAL] = row.intervalS;
    data[at + F_USERS] = row.userCount;
    data[at + F_RPS] = row.requestsPerSec;
    data[at + F_FPS] = row.failuresPerSec;
    PERCENTILE_KEYS.forEach((key, k) => {
      data[at + F_PERCENTILES + k] = row.percentilesMs[key] ?? Number.NaN;
    });
    TOTAL_FIELDS.forEach((field, k) => {
      data[at + F_TOTALS + k] = row[field];
    });
  });
  return { timestamp, intervalS, keys, data };
}

function unpack(tick: Tick): HistoryRow[] {
  return tick.keys.map(({ type, name }, i) => {
    const at = i * ROW_WIDTH;
    const value = (offset: number): number => tick.data[at + offset] ?? 0;
    const percentilesMs: Record<string, number | null> = {};
    PERCENTILE_KEYS.forEach((key, k) => {
      const v = value(F_PERCENTILES + k);
      percentilesMs[key] = Number.isNaN(v) ? null : v;
    });
    return {
      timestamp: tick.timestamp,
      intervalS: value(F_INTERVAL),
      userCount: value(F_USERS),
      type,
      name,
      requestsPerSec: value(F_RPS),
      failuresPerSec: value(F_FPS),
      percentilesMs,
      totalRequests: value(F_TOTALS),
      totalFailures: value(F_TOTALS + 1),
      totalMedianMs: value(F_TOTALS + 2),
      totalAvgMs: value(F_TOTALS + 3),
      totalMinMs: value(F_TOTALS + 4),
      totalMaxMs: value(F_TOTALS + 5),
      totalAvgContentSize: value(F_TOTALS + 6),
    };
  });
}

export class HistoryLog {
  private ticks: Tick[] = [];
  private rowCount = 0;

  constructor(private readonly maxRows: number = DEFAULT_MAX_HISTORY_ROWS) {
    if (!(maxRows >= 2)) throw new Error(`maxHistoryRows must be at least 2, got ${maxRows}`);
  }

  /** Appends the rows of one tick (all with the same timestamp and interval, percentiles keyed by PERCENTILES). */
  append(timestamp: number, intervalS: number, rows: readonly HistoryRow[]): void {
    this.ticks.push(pack(timestamp, intervalS, rows, this.ticks.at(-1)?.keys ?? []));
    this.rowCount += rows.length;
    if (this.rowCount > this.maxRows) this.compact();
  }

  /** Merges the oldest half of the ticks pairwise (see the module comment). */
  private compact(): void {
    const half = Math.floor(this.ticks.length / 2);
    if (half < 2) {
      // Too few ticks to merge (each tick alone is huge): drop the oldest.
      const dropped = this.ticks.shift();
      this.rowCount -= dropped?.keys.length ?? 0;
      return;
    }
    const merged: Tick[] = [];
    let i = 0;
    for (; i + 1 < half; i += 2) {
      const older = this.ticks[i] as Tick;
      const newer = this.ticks[i + 1] as Tick;
      merged.push(pack(newer.timestamp, older.intervalS + newer.intervalS, mergeTickRows(older, newer), newer.keys));
    }
    this.ticks = merged.concat(this.ticks.slice(i));
    this.rowCount = this.ticks.reduce((sum, tick) => sum + tick.keys.length, 0);
  }

  /** The rows, oldest first; only those with a timestamp after `afterTimestamp` when given (for incremental readers). */
  rows(afterTimestamp = -Infinity): HistoryRow[] {
    const out: HistoryRow[] = [];
    for (const tick of this.ticks) if (tick.timestamp > afterTimestamp) out.push(...unpack(tick));
    return out;
  }

  get size(): number {
    return this.rowCount;
  }

  clear(): void {
    this.ticks = [];
    this.rowCount = 0;
  }
}

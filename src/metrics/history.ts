/**
 * The per-second time series (Locust's stats history), kept in bounded memory.
 *
 * Bounding choice: the log holds at most `maxRows` rows. When it grows past
 * that, the oldest half of the ticks is merged pairwise into ticks twice as
 * long. Recent history keeps its 1 s resolution, the whole run stays covered,
 * and older stretches get coarser each time (2 s, 4 s, ...). With the default
 * of 200 000 rows a run with 3 entries (+ Aggregated) keeps 1 s rows for about
 * 14 h before the first merge; one row costs roughly 0.5 kB.
 *
 * Rows hold already-reduced figures, so merging them is exact for counts,
 * rates and totals and an estimate for interval percentiles (a request-weighted
 * mean, which always lies between the percentiles of the parts).
 */
import type { HistoryRow } from './snapshot.js';

export const DEFAULT_MAX_HISTORY_ROWS = 200_000;

interface Tick {
  timestamp: number;
  intervalS: number;
  rows: HistoryRow[];
}

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
function idleRow(like: HistoryRow, tick: Tick): HistoryRow {
  const percentilesMs: Record<string, number | null> = {};
  for (const key of Object.keys(like.percentilesMs)) percentilesMs[key] = null;
  return { ...like, timestamp: tick.timestamp, intervalS: tick.intervalS, requestsPerSec: 0, failuresPerSec: 0, percentilesMs };
}

function mergeTicks(older: Tick, newer: Tick): Tick {
  const olderByKey = new Map(older.rows.map((row) => [`${row.type}\u0000${row.name}`, row]));
  const rows: HistoryRow[] = [];
  for (const row of newer.rows) {
    const key = `${row.type}\u0000${row.name}`;
    const before = olderByKey.get(key) ?? idleRow(row, older);
    olderByKey.delete(key);
    rows.push(combineSequentialRows(before, row));
  }
  // Entries present only in the older tick keep their last totals.
  for (const row of olderByKey.values()) rows.push(combineSequentialRows(row, idleRow(row, newer)));
  return { timestamp: newer.timestamp, intervalS: older.intervalS + newer.intervalS, rows };
}

export class HistoryLog {
  private ticks: Tick[] = [];
  private rowCount = 0;

  constructor(private readonly maxRows: number = DEFAULT_MAX_HISTORY_ROWS) {
    if (!(maxRows >= 2)) throw new Error(`maxHistoryRows must be at least 2, got ${maxRows}`);
  }

  /** Appends the rows of one tick (all with the same timestamp and interval). */
  append(timestamp: number, intervalS: number, rows: HistoryRow[]): void {
    this.ticks.push({ timestamp, intervalS, rows });
    this.rowCount += rows.length;
    if (this.rowCount > this.maxRows) this.compact();
  }

  /** Merges the oldest half of the ticks pairwise (see the module comment). */
  private compact(): void {
    const half = Math.floor(this.ticks.length / 2);
    if (half < 2) {
      // Too few ticks to merge (each tick alone is huge): drop the oldest.
      const dropped = this.ticks.shift();
      this.rowCount -= dropped?.rows.length ?? 0;
      return;
    }
    const merged: Tick[] = [];
    let i = 0;
    for (; i + 1 < half; i += 2) merged.push(mergeTicks(this.ticks[i] as Tick, this.ticks[i + 1] as Tick));
    const rest = this.ticks.slice(i);
    this.ticks = merged.concat(rest);
    this.rowCount = this.ticks.reduce((sum, tick) => sum + tick.rows.length, 0);
  }

  rows(): HistoryRow[] {
    const out: HistoryRow[] = [];
    for (const tick of this.ticks) for (const row of tick.rows) out.push(row);
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

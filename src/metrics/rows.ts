/**
 * The stats table every reporter shows (console, CSV, web UI), computed from a
 * snapshot: one row per (type, name) plus Locust's "Aggregated" row.
 */
import { percentileUs } from './histogram.js';
import { PERCENTILES, percentileKey } from './percentiles.js';
import {
  AGGREGATED_NAME, addDecoded, addSecond, addTotals, compareTypeName, decodeEntryHistogram, emptyTotals, totalsFromEntry,
  type EntryTotals, type Snapshot,
} from './snapshot.js';

/** "Current" rates average the last this many complete seconds (Locust uses about 10). */
export const CURRENT_WINDOW_S = 10;

export interface StatsRow {
  type: string;
  name: string;
  requests: number;
  failures: number;
  medianMs: number;
  avgMs: number;
  minMs: number;
  maxMs: number;
  avgContentSize: number;
  /** Requests per second over the whole run (its elapsed time, see runDurationS). */
  rps: number;
  fps: number;
  /** Requests per second over the last CURRENT_WINDOW_S complete seconds. */
  currentRps: number;
  currentFps: number;
  /** Keys "50", "66", ..., "99.9", "99.99", "100"; 0 when there were no requests. */
  percentilesMs: Record<string, number>;
}

/**
 * Whole-run duration for rates: the run's elapsed time, from its start to its
 * end (or to the snapshot while it runs). Not to the last request: two quick
 * failures in a 2 s run are 1 req/s, not 150.
 */
export function runDurationS(snapshot: Snapshot): number {
  const seconds = ((snapshot.endedAt ?? snapshot.takenAt) - snapshot.startedAt) / 1000;
  return seconds > 0 ? seconds : 0;
}

/** Mean per-second counts over the last complete seconds, never reaching back before the start. */
function currentRates(totals: EntryTotals, nowMs: number, startedAt: number): { rps: number; fps: number } {
  const nowSecond = Math.floor(nowMs / 1000);
  const from = Math.max(nowSecond - CURRENT_WINDOW_S, Math.floor(startedAt / 1000));
  const to = nowSecond - 1;
  const seconds = to - from + 1;
  if (seconds <= 0) return { rps: 0, fps: 0 };
  let requests = 0;
  let failures = 0;
  for (const [second, [r, f]] of totals.recent) {
    if (second >= from && second <= to) {
      requests += r;
      failures += f;
    }
  }
  return { rps: requests / seconds, fps: failures / seconds };
}

export function rowFromTotals(type: string, name: string, totals: EntryTotals, durationS: number, nowMs: number, startedAt: number): StatsRow {
  const has = totals.requests > 0;
  const minUs = totals.minUs ?? 0;
  const maxUs = totals.maxUs ?? 0;
  const percentilesMs: Record<string, number> = {};
  for (const p of PERCENTILES) percentilesMs[percentileKey(p)] = has ? percentileUs(totals.histogram, p, minUs, maxUs) / 1000 : 0;
  const current = currentRates(totals, nowMs, startedAt);
  return {
    type,
    name,
    requests: totals.requests,
    failures: totals.failures,
    medianMs: has ? percentileUs(totals.histogram, 50, minUs, maxUs) / 1000 : 0,
    avgMs: has ? totals.sumUs / totals.requests / 1000 : 0,
    minMs: minUs / 1000,
    maxMs: maxUs / 1000,
    avgContentSize: has ? totals.bytes / totals.requests : 0,
    rps: durationS > 0 ? totals.requests / durationS : 0,
    fps: durationS > 0 ? totals.failures / durationS : 0,
    currentRps: current.rps,
    currentFps: current.fps,
    percentilesMs,
  };
}

/**
 * Rows sorted by type then name, and the Aggregated row over every entry.
 * @param opts.now epoch ms that "current" rates are relative to; defaults to the snapshot's takenAt.
 */
export function statsRows(snapshot: Snapshot, opts: { now?: number } = {}): { rows: StatsRow[]; aggregated: StatsRow } {
  const now = opts.now ?? snapshot.takenAt;
  const durationS = runDurationS(snapshot);
  const all = emptyTotals();
  const rows: StatsRow[] = [];
  for (const entry of [...snapshot.entries].sort(compareTypeName)) {
    const histogram = decodeEntryHistogram(entry);
    const totals = totalsFromEntry(entry, histogram);
    addDecoded(all, entry, histogram);
    rows.push(rowFromTotals(entry.type, entry.name, totals, durationS, now, snapshot.startedAt));
  }
  return { rows, aggregated: rowFromTotals('', AGGREGATED_NAME, all, durationS, now, snapshot.startedAt) };
}

/** The Aggregated row's current requests/s of a snapshot, from its per-second counts alone (no histogram decoded). */
export function currentRpsOf(snapshot: Snapshot, nowMs: number = snapshot.takenAt): number {
  const recent = new Map<number, [number, number]>();
  for (const entry of snapshot.entries) for (const [second, requests, failures] of entry.recent) addSecond(recent, second, requests, failures);
  return currentRates({ ...emptyTotals(), recent }, nowMs, snapshot.startedAt).rps;
}

/**
 * The table of entries already added up (sorted by type and name) over a run's clock, and their Aggregated row.
 * @param opts.now epoch ms that "current" rates are relative to; defaults to the clock's takenAt.
 */
export function totalsRows(
  clock: Pick<Snapshot, 'startedAt' | 'takenAt' | 'endedAt'>, entries: ReadonlyArray<{ type: string; name: string; totals: EntryTotals }>,
  opts: { now?: number } = {},
): { rows: StatsRow[]; aggregated: StatsRow } {
  const now = opts.now ?? clock.takenAt;
  const durationS = runDurationS({ ...clock, version: 1, entries: [], errors: [], exceptions: [], history: [] });
  const all = emptyTotals();
  const rows: StatsRow[] = [];
  for (const { type, name, totals } of entries) {
    addTotals(all, totals);
    rows.push(rowFromTotals(type, name, totals, durationS, now, clock.startedAt));
  }
  return { rows, aggregated: rowFromTotals('', AGGREGATED_NAME, all, durationS, now, clock.startedAt) };
}

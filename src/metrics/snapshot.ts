/**
 * What the metrics hold at one instant, as plain JSON, and the exact merge of
 * several of them (worker processes, other machines, saved runs).
 *
 * Entry figures are kept in whole microseconds and histograms are HDR with one
 * fixed shape, so merging snapshots gives exactly what one Stats object would
 * have held had it recorded every sample itself. History rows hold figures that
 * are already reduced (rates, percentiles), so their merge is exact for counts
 * and rates and an estimate for percentiles (see `combineParallelRows`).
 */
import type { Histogram } from './histogram.js';
import { addEncodedHistogram, decodeHistogram, encodeHistogram, newHistogram } from './histogram.js';
import { combineParallelRows, type HistoryRow } from './history.js';

export type { HistoryRow } from './history.js';

export const SNAPSHOT_VERSION = 1;
/** Name of the row that sums every entry, as in Locust. Its type is "". */
export const AGGREGATED_NAME = 'Aggregated';

export interface EntrySnapshot {
  type: string;
  name: string;
  requests: number;
  failures: number;
  /** Sum of latencies, whole µs. */
  sumUs: number;
  /** Exact smallest and largest latency in µs; null before the first request. */
  minUs: number | null;
  maxUs: number | null;
  /** Sum of response sizes in bytes. */
  bytes: number;
  /** Epoch ms of the first and last request; null before the first request. */
  firstAt: number | null;
  lastAt: number | null;
  /** All latencies (µs) as an HDR histogram, `encodeIntoCompressedBase64`. */
  histogram: string;
  /** Requests and failures per Unix second for the last seconds, oldest first: [second, requests, failures]. */
  recent: Array<[number, number, number]>;
  /** Checks on replies that held (a `validate` that found nothing wrong); absent in older snapshots. */
  checksPassed?: number;
  /** Checks that failed: the failures of kind `check` (also counted in `failures`). */
  checksFailed?: number;
  /** Requests cut at the stop, still waiting for their reply: the failures of kind `cut` (also counted in `failures`); absent when none. */
  cut?: number;
}

export interface ErrorGroup {
  type: string;
  name: string;
  /** `errorLabel(error)`: "kind: detail". */
  error: string;
  occurrences: number;
}

export interface ExceptionGroup {
  message: string;
  traceback: string;
  count: number;
  /** Where it happened: "local", or worker / machine ids after a merge. */
  nodes: string[];
}

export interface Snapshot {
  version: 1;
  /** Epoch ms when recording started (or was last reset). */
  startedAt: number;
  /** Epoch ms when the snapshot was taken. */
  takenAt: number;
  /** Epoch ms when the run ended (its clock stopped); absent while it runs. Rates divide by endedAt (or takenAt) − startedAt. */
  endedAt?: number;
  entries: EntrySnapshot[];
  errors: ErrorGroup[];
  exceptions: ExceptionGroup[];
  history: HistoryRow[];
}

/** An entry (or several added together) with its histogram decoded, ready for arithmetic. */
export interface EntryTotals {
  requests: number;
  failures: number;
  sumUs: number;
  minUs: number | null;
  maxUs: number | null;
  bytes: number;
  firstAt: number | null;
  lastAt: number | null;
  histogram: Histogram;
  /** Unix second → [requests, failures]. */
  recent: Map<number, [number, number]>;
  checksPassed: number;
  checksFailed: number;
  /** Requests cut at the stop (also counted in `failures`). */
  cut: number;
}

export function emptyTotals(): EntryTotals {
  return {
    requests: 0, failures: 0, sumUs: 0, minUs: null, maxUs: null, bytes: 0,
    firstAt: null, lastAt: null, histogram: newHistogram(), recent: new Map(), checksPassed: 0, checksFailed: 0, cut: 0,
  };
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

function maxOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** One entry's figures around its already decoded histogram (no copy). */
export function totalsFromEntry(entry: EntrySnapshot, histogram: Histogram): EntryTotals {
  return {
    requests: entry.requests, failures: entry.failures, sumUs: entry.sumUs,
    minUs: entry.minUs, maxUs: entry.maxUs, bytes: entry.bytes,
    firstAt: entry.firstAt, lastAt: entry.lastAt, histogram,
    recent: new Map(entry.recent.map(([second, requests, failures]) => [second, [requests, failures]])),
    checksPassed: entry.checksPassed ?? 0, checksFailed: entry.checksFailed ?? 0, cut: entry.cut ?? 0,
  };
}

/** Adds one snapshot entry into `target`, its histogram added straight from its encoding. */
export function addEntry(target: EntryTotals, entry: EntrySnapshot): void {
  try {
    addEncodedHistogram(target.histogram, entry.histogram);
  } catch (err) {
    throw new Error(`invalid snapshot: histogram of ${entry.type} ${entry.name} cannot be decoded (${(err as Error).message})`);
  }
  addFigures(target, entry);
}

/** Like `addEntry` for an entry whose histogram is already decoded (avoids decoding twice). */
export function addDecoded(target: EntryTotals, entry: EntrySnapshot, histogram: Histogram): void {
  target.histogram.add(histogram);
  addFigures(target, entry);
}

/** The figures an entry and added-up totals both have, one number each. */
export type Counts = Pick<EntrySnapshot, 'requests' | 'failures' | 'sumUs' | 'minUs' | 'maxUs' | 'bytes' | 'firstAt' | 'lastAt' | 'checksPassed' | 'checksFailed' | 'cut'>;

/**
 * Adds (sign 1) or takes away (sign -1) the figures of `from`. The smallest
 * and largest latency and the first and last instant only widen: taking
 * away leaves them, for the caller to work out again.
 */
export function addCounts(target: EntryTotals, from: Counts, sign: 1 | -1 = 1): void {
  target.requests += sign * from.requests;
  target.failures += sign * from.failures;
  target.sumUs += sign * from.sumUs;
  target.bytes += sign * from.bytes;
  target.checksPassed += sign * (from.checksPassed ?? 0);
  target.checksFailed += sign * (from.checksFailed ?? 0);
  target.cut += sign * (from.cut ?? 0);
  if (sign > 0) widen(target, from);
}

/** Widens the smallest and largest latency and the first and last instant of `target` to take in those of `from`. */
export function widen(target: EntryTotals, from: Pick<Counts, 'minUs' | 'maxUs' | 'firstAt' | 'lastAt'>): void {
  target.minUs = minOf(target.minUs, from.minUs);
  target.maxUs = maxOf(target.maxUs, from.maxUs);
  target.firstAt = minOf(target.firstAt, from.firstAt);
  target.lastAt = maxOf(target.lastAt, from.lastAt);
}

/** Everything of an entry but its histogram. */
function addFigures(target: EntryTotals, entry: EntrySnapshot): void {
  addCounts(target, entry);
  for (const [second, requests, failures] of entry.recent) addSecond(target.recent, second, requests, failures);
}

/** Adds one second's requests and failures into per-second counts. */
export function addSecond(recent: Map<number, [number, number]>, second: number, requests: number, failures: number): void {
  const slot = recent.get(second);
  if (slot) {
    slot[0] += requests;
    slot[1] += failures;
  } else {
    recent.set(second, [requests, failures]);
  }
}

/** Adds totals already added up (an entry's over several snapshots) into `target`: the Aggregated row of a merge. */
export function addTotals(target: EntryTotals, totals: EntryTotals): void {
  addCounts(target, totals);
  target.histogram.add(totals.histogram);
  for (const [second, [requests, failures]] of totals.recent) addSecond(target.recent, second, requests, failures);
}

export function decodeEntryHistogram(entry: EntrySnapshot): Histogram {
  try {
    return decodeHistogram(entry.histogram);
  } catch (err) {
    throw new Error(`invalid snapshot: histogram of ${entry.type} ${entry.name} cannot be decoded (${(err as Error).message})`);
  }
}

/** Decodes and adds entries together (the Aggregated figures, or a threshold's selection). */
export function totalsOf(entries: readonly EntrySnapshot[]): EntryTotals {
  const totals = emptyTotals();
  for (const entry of entries) addEntry(totals, entry);
  return totals;
}

export function entryKey(type: string, name: string): string {
  return `${type}\u0000${name}`;
}

export function compareTypeName(a: { type: string; name: string }, b: { type: string; name: string }): number {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return 0;
}

/** Added-up totals as a snapshot entry, histogram encoded, per-second counts in order. */
export function totalsToEntry(type: string, name: string, totals: EntryTotals): EntrySnapshot {
  const recent = [...totals.recent.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([second, [requests, failures]]): [number, number, number] => [second, requests, failures]);
  return {
    type, name,
    requests: totals.requests, failures: totals.failures, sumUs: totals.sumUs,
    minUs: totals.minUs, maxUs: totals.maxUs, bytes: totals.bytes,
    firstAt: totals.firstAt, lastAt: totals.lastAt,
    histogram: encodeHistogram(totals.histogram),
    recent,
    ...(totals.checksPassed + totals.checksFailed > 0 ? { checksPassed: totals.checksPassed, checksFailed: totals.checksFailed } : {}),
    ...(totals.cut > 0 ? { cut: totals.cut } : {}),
  };
}

function checkSnapshot(snapshot: Snapshot, index: number): void {
  if (!snapshot || typeof snapshot !== 'object' || snapshot.version !== SNAPSHOT_VERSION) {
    throw new Error(`invalid snapshot #${index + 1}: expected an object with version ${SNAPSHOT_VERSION}`);
  }
  for (const field of ['entries', 'errors', 'exceptions', 'history'] as const) {
    if (!Array.isArray(snapshot[field])) throw new Error(`invalid snapshot #${index + 1}: "${field}" is not an array`);
  }
}

/** A snapshot of nothing recorded yet, its clock started at `startedAt`. */
export function emptySnapshot(startedAt: number = Date.now()): Snapshot {
  return { version: SNAPSHOT_VERSION, startedAt, takenAt: Math.max(startedAt, Date.now()), entries: [], errors: [], exceptions: [], history: [] };
}

/** The start, the instant and the end of several snapshots together (a merge's). */
export function mergedClock(snapshots: readonly Snapshot[]): { startedAt: number; takenAt: number; endedAt?: number } {
  let startedAt = Infinity;
  let takenAt = -Infinity;
  let ended = false;
  let endedAt = -Infinity;
  for (const s of snapshots) {
    startedAt = Math.min(startedAt, s.startedAt);
    takenAt = Math.max(takenAt, s.takenAt);
    ended ||= s.endedAt !== undefined;
    // Once one has ended, one still running counts to its takenAt.
    endedAt = Math.max(endedAt, s.endedAt ?? s.takenAt);
  }
  return { startedAt, takenAt, ...(ended ? { endedAt } : {}) };
}

/** Every (type, name)'s entries of several snapshots added together, histograms decoded. */
export function mergeEntryTotals(snapshots: readonly Snapshot[]): Map<string, { type: string; name: string; totals: EntryTotals }> {
  const entryTotals = new Map<string, { type: string; name: string; totals: EntryTotals }>();
  for (const snapshot of snapshots) {
    for (const entry of snapshot.entries) {
      const key = entryKey(entry.type, entry.name);
      let slot = entryTotals.get(key);
      if (!slot) {
        slot = { type: entry.type, name: entry.name, totals: emptyTotals() };
        entryTotals.set(key, slot);
      }
      addEntry(slot.totals, entry);
    }
  }
  return entryTotals;
}

/** Throws, as mergeSnapshots does, on an empty list or a malformed snapshot. */
export function checkSnapshots(snapshots: readonly Snapshot[]): void {
  if (snapshots.length === 0) throw new Error('mergeSnapshots: no snapshots to merge');
  snapshots.forEach(checkSnapshot);
}

/**
 * Combines snapshots into one. Entries, errors and exceptions are exact sums;
 * history rows with the same timestamp and (type, name) are combined, with the
 * user counts of all sources at that timestamp summed.
 * @throws Error on an empty list or a malformed snapshot.
 */
export function mergeSnapshots(snapshots: readonly Snapshot[]): Snapshot {
  checkSnapshots(snapshots);

  const entryTotals = mergeEntryTotals(snapshots);
  return {
    version: SNAPSHOT_VERSION,
    ...mergedClock(snapshots),
    entries: [...entryTotals.values()]
      .map(({ type, name, totals }) => totalsToEntry(type, name, totals))
      .sort(compareTypeName),
    ...mergeGroups(snapshots),
    history: mergeHistories(snapshots.map((s) => s.history)),
  };
}

/** The error groups and exceptions of several sources as one: occurrences summed, nodes listed once. */
export function mergeGroups(sources: ReadonlyArray<Pick<Snapshot, 'errors' | 'exceptions'>>): Pick<Snapshot, 'errors' | 'exceptions'> {
  const errors = new Map<string, ErrorGroup>();
  const exceptions = new Map<string, ExceptionGroup>();
  for (const source of sources) {
    for (const group of source.errors) {
      const key = `${entryKey(group.type, group.name)}\u0000${group.error}`;
      const existing = errors.get(key);
      if (existing) existing.occurrences += group.occurrences;
      else errors.set(key, { ...group });
    }
    for (const group of source.exceptions) {
      const existing = exceptions.get(group.message);
      if (existing) {
        existing.count += group.count;
        if (!existing.traceback) existing.traceback = group.traceback;
        for (const node of group.nodes) if (!existing.nodes.includes(node)) existing.nodes.push(node);
      } else {
        exceptions.set(group.message, { ...group, nodes: [...group.nodes] });
      }
    }
  }
  return {
    errors: [...errors.values()].sort((a, b) => b.occurrences - a.occurrences || compareTypeName(a, b)),
    exceptions: [...exceptions.values()].sort((a, b) => b.count - a.count),
  };
}

/** Orders history rows by time, each tick's entries by type and name, Aggregated last. */
export function compareHistoryRows(a: HistoryRow, b: HistoryRow): number {
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  const aAgg = a.type === '' && a.name === AGGREGATED_NAME;
  const bAgg = b.type === '' && b.name === AGGREGATED_NAME;
  if (aAgg !== bAgg) return aAgg ? 1 : -1;
  return compareTypeName(a, b);
}

/** Several sources' history rows as one: rows of the same second and entry combined, their user counts summed. */
export function mergeHistories(histories: readonly HistoryRow[][]): HistoryRow[] {
  if (histories.length === 1) return [...(histories[0] ?? [])];
  // Each source reports one user count per timestamp; the merged count is their sum.
  const usersAt = new Map<number, number>();
  const rowsByKey = new Map<string, HistoryRow[]>();
  for (const history of histories) {
    const seen = new Map<number, number>();
    for (const row of history) {
      seen.set(row.timestamp, row.userCount);
      const key = `${row.timestamp}\u0000${entryKey(row.type, row.name)}`;
      const list = rowsByKey.get(key);
      if (list) list.push(row);
      else rowsByKey.set(key, [row]);
    }
    for (const [timestamp, users] of seen) usersAt.set(timestamp, (usersAt.get(timestamp) ?? 0) + users);
  }
  const merged: HistoryRow[] = [];
  for (const rows of rowsByKey.values()) {
    const row = combineParallelRows(rows);
    row.userCount = usersAt.get(row.timestamp) ?? row.userCount;
    merged.push(row);
  }
  return merged.sort(compareHistoryRows);
}

/**
 * A leader's merged figures over many workers, kept current as their
 * updates come (snapshot-update.ts) instead of merged again from their
 * whole snapshots for each view. Each update's histogram buckets are added
 * once into the merged histogram of its entry; the other figures are
 * cumulative and replace the worker's last ones. A view then sums small
 * figures per worker and reads percentiles from histograms that are
 * already merged.
 *
 * One worker's own histograms are needed only now and then (it is lost,
 * reset, or sends its result): for those the leader keeps, per entry, the
 * whole histogram the worker last sent (encoded, unread) and the buckets
 * sent after it, never a decoded copy per worker and entry.
 *
 * Exact: at any moment each merged histogram is the sum of every worker's
 * histogram as of its latest update (or its final result), bucket for
 * bucket, as `mergeSnapshots` of their snapshots would give.
 */
import { addBucketPairs, addEncodedHistogram, bucketPairsProblem, decodeHistogram, encodeHistogram, newHistogram, type Histogram } from './histogram.js';
import {
  addCounts, addSecond, compareTypeName, emptyTotals, entryKey, mergedClock, mergeGroups, SNAPSHOT_VERSION, totalsToEntry, widen,
  type Counts, type EntrySnapshot, type EntryTotals, type ErrorGroup, type ExceptionGroup, type HistoryRow, type Snapshot,
} from './snapshot.js';
import type { SnapshotUpdate } from './snapshot-update.js';

/** Per-second counts kept, as in a snapshot's `recent`. */
const RECENT_SECONDS = 16;

type Clock = Pick<Snapshot, 'startedAt' | 'takenAt' | 'endedAt'>;

/**
 * One worker's entry as its updates gave it: the cumulative figures, the
 * per-second counts of its last seconds, and its histogram as the whole one
 * last sent (encoded, unread) with the buckets sent since. Plain fields
 * changed in place: 500 workers x 50 entries come through here each second.
 */
interface OwnEntry extends Required<Counts> {
  type: string;
  name: string;
  /** Unix second → [requests, failures]. */
  recent: Map<number, [number, number]>;
  whole: string;
  since: number[][];
}

/** One worker's entries and clock as its latest update gave them. */
interface Source {
  generation: number;
  clock: Clock;
  errors: ErrorGroup[];
  exceptions: ExceptionGroup[];
  entries: Map<string, OwnEntry>;
  /** Its final snapshot (its result): no update changes it any more. */
  final?: Snapshot;
}

/** One entry over every worker: its figures added up (the histogram merged) and how many workers have it. */
interface Slot {
  type: string;
  name: string;
  totals: EntryTotals;
  holders: number;
}

export class RunningMerge {
  private readonly sources = new Map<number, Source>();
  private readonly slots = new Map<string, Slot>();
  /** Updates of an older generation were sent before the leader's last reset reached that worker. */
  private readonly minGeneration = new Map<number, number>();

  /**
   * Takes a worker's update. False when it is dropped: sent before a reset
   * reached the worker, or after its final snapshot.
   * @throws Error on an update that is not one (nothing of it is kept).
   */
  apply(source: number, update: SnapshotUpdate): boolean {
    const problem = updateProblem(update);
    if (problem !== undefined) throw new Error(`invalid update: ${problem}`);
    if (update.generation < (this.minGeneration.get(source) ?? 0)) return false;
    let state = this.sources.get(source);
    if (state?.final !== undefined) return false;
    if (state !== undefined && update.generation < state.generation) return false;
    if (state === undefined || update.generation !== state.generation) {
      // Its stats started again from zero: what it had sent counts no more.
      if (state !== undefined) this.drop(state);
      state = { generation: update.generation, clock: clockOf(update), errors: [], exceptions: [], entries: new Map() };
      this.sources.set(source, state);
    }
    const oldestSecond = Math.floor(update.takenAt / 1000) - RECENT_SECONDS + 1;
    for (const entry of update.entries) {
      const key = entryKey(entry.type, entry.name);
      const slot = this.slotOf(key, entry.type, entry.name);
      let own = state.entries.get(key);
      if (own === undefined) {
        own = newOwnEntry(entry.type, entry.name);
        state.entries.set(key, own);
        slot.holders++;
      }
      const totals = slot.totals;
      // Cumulative figures: the merge moves by what they grew since the last update.
      addCounts(totals, own, -1);
      addCounts(totals, entry);
      copyCounts(own, entry);
      // The seconds since the previous update: each replaces what that second held.
      for (const [second, requests, failures] of entry.recent) {
        const was = own.recent.get(second);
        if (was !== undefined) {
          shiftSecond(totals.recent, second, requests - was[0], failures - was[1]);
          was[0] = requests;
          was[1] = failures;
        } else {
          shiftSecond(totals.recent, second, requests, failures);
          own.recent.set(second, [requests, failures]);
        }
      }
      if (own.recent.size > RECENT_SECONDS) for (const second of own.recent.keys()) if (second < oldestSecond) own.recent.delete(second);
      addBucketPairs(totals.histogram, entry.added);
      // A whole histogram includes this update's buckets: what came before it is in it.
      if (entry.histogram !== undefined) {
        own.whole = entry.histogram;
        own.since = [];
      } else if (entry.added.length > 0) {
        own.since.push(entry.added);
      }
    }
    state.clock = clockOf(update);
    state.errors = update.errors;
    state.exceptions = update.exceptions;
    return true;
  }

  /** A worker's final snapshot (its result) replaces, exactly, what its updates brought. */
  settle(source: number, snapshot: Snapshot): void {
    const state = this.sources.get(source);
    if (state !== undefined) this.drop(state, false);
    const settled: Source = {
      generation: state?.generation ?? 0, clock: clockOf(snapshot), errors: snapshot.errors, exceptions: snapshot.exceptions, entries: new Map(), final: snapshot,
    };
    for (const entry of snapshot.entries) {
      const key = entryKey(entry.type, entry.name);
      const slot = this.slotOf(key, entry.type, entry.name);
      slot.holders++;
      addCounts(slot.totals, entry);
      for (const [second, requests, failures] of entry.recent) addSecond(slot.totals.recent, second, requests, failures);
      addEncodedHistogram(slot.totals.histogram, entry.histogram);
      const own = newOwnEntry(entry.type, entry.name);
      copyCounts(own, entry);
      for (const [second, requests, failures] of entry.recent) own.recent.set(second, [requests, failures]);
      own.whole = entry.histogram;
      settled.entries.set(key, own);
    }
    this.sources.set(source, settled);
  }

  /**
   * The leader's reset of these workers: what they sent counts no more, and
   * their updates from before the reset reached them are dropped (each
   * reset moves a worker's generation on by at least one).
   */
  reset(sources: Iterable<number>): void {
    for (const source of sources) {
      const state = this.sources.get(source);
      if (state?.final !== undefined) continue;
      const known = Math.max(state?.generation ?? 0, this.minGeneration.get(source) ?? 0);
      this.minGeneration.set(source, known + 1);
      if (state !== undefined) this.drop(state);
      this.sources.delete(source);
    }
  }

  has(source: number): boolean {
    return this.sources.has(source);
  }

  /** Epoch ms of the worker's latest update (or final snapshot); undefined before its first. */
  takenAt(source: number): number | undefined {
    return this.sources.get(source)?.clock.takenAt;
  }

  /** A worker's figures without histograms (`''`): counts and per-second counts, for what needs no percentile. */
  figuresOf(source: number): Snapshot | undefined {
    const state = this.sources.get(source);
    return state !== undefined ? snapshotOf(state, () => '') : undefined;
  }

  /** A worker's own snapshot, histograms included: what it had sent (a lost worker's rebuild). */
  sourceSnapshot(source: number): Snapshot | undefined {
    const state = this.sources.get(source);
    if (state === undefined) return undefined;
    if (state.final !== undefined) return state.final;
    return snapshotOf(state, (own) => (own.since.length === 0 ? own.whole : encodeHistogram(histogramOf(own))));
  }

  /**
   * Every worker's entries added up (sorted by type and name, histograms
   * merged) and the clock over them; undefined before any update. The
   * totals are the merge's own: read them, never change them.
   */
  totals(): { clock: Clock; entries: Array<{ type: string; name: string; totals: EntryTotals }> } | undefined {
    if (this.sources.size === 0) return undefined;
    const clock = mergedClock([...this.sources.values()].map((s) => ({ ...emptyFigures(), ...s.clock })));
    const oldestSecond = Math.floor(clock.takenAt / 1000) - RECENT_SECONDS + 1;
    const entries = [...this.slots.values()].filter((slot) => slot.holders > 0).sort(compareTypeName);
    for (const { totals } of entries) for (const second of totals.recent.keys()) if (second < oldestSecond) totals.recent.delete(second);
    return { clock, entries };
  }

  /** The merged snapshot, histograms encoded, with `history` (merged by the caller) as its history. */
  snapshot(history: HistoryRow[] = []): Snapshot | undefined {
    const totals = this.totals();
    if (totals === undefined) return undefined;
    return {
      ...emptyFigures(),
      ...totals.clock,
      entries: totals.entries.map(({ type, name, totals: t }) => totalsToEntry(type, name, t)),
      ...mergeGroups([...this.sources.values()]),
      history,
    };
  }

  private slotOf(key: string, type: string, name: string): Slot {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = { type, name, totals: emptyTotals(), holders: 0 };
      this.slots.set(key, slot);
    }
    return slot;
  }

  /**
   * Takes a source's figures and histograms back out of the merged ones.
   * `rewiden` false: the figures that replace them cover the same seconds and
   * more (its result), so the smallest, largest, first and last stand.
   */
  private drop(state: Source, rewiden = true): void {
    for (const [key, own] of state.entries) {
      const slot = this.slots.get(key);
      if (slot === undefined) continue;
      slot.holders--;
      addCounts(slot.totals, own, -1);
      for (const [second, [requests, failures]] of own.recent) shiftSecond(slot.totals.recent, second, -requests, -failures);
      const histogram = histogramOf(own);
      if (histogram.totalCount > 0) slot.totals.histogram.subtract(histogram);
    }
    state.entries.clear();
    if (rewiden) this.widenAgain();
  }

  /** Works out each entry's smallest and largest latency, first and last instant again, from the workers left. */
  private widenAgain(): void {
    for (const slot of this.slots.values()) {
      const t = slot.totals;
      t.minUs = t.maxUs = t.firstAt = t.lastAt = null;
    }
    for (const state of this.sources.values()) {
      for (const [key, own] of state.entries) {
        const t = this.slots.get(key)?.totals;
        if (t !== undefined) widen(t, own);
      }
    }
  }
}

function newOwnEntry(type: string, name: string): OwnEntry {
  return {
    type, name, requests: 0, failures: 0, sumUs: 0, minUs: null, maxUs: null, bytes: 0, firstAt: null, lastAt: null,
    checksPassed: 0, checksFailed: 0, cut: 0, recent: new Map(), whole: '', since: [],
  };
}

/** An entry's cumulative figures, copied into the worker's own. */
function copyCounts(own: OwnEntry, from: Counts): void {
  own.requests = from.requests;
  own.failures = from.failures;
  own.sumUs = from.sumUs;
  own.minUs = from.minUs;
  own.maxUs = from.maxUs;
  own.bytes = from.bytes;
  own.firstAt = from.firstAt;
  own.lastAt = from.lastAt;
  own.checksPassed = from.checksPassed ?? 0;
  own.checksFailed = from.checksFailed ?? 0;
  own.cut = from.cut ?? 0;
}

/** Moves one second's counts by a difference; a second back at zero is gone, as if never counted. */
function shiftSecond(recent: Map<number, [number, number]>, second: number, requests: number, failures: number): void {
  addSecond(recent, second, requests, failures);
  const slot = recent.get(second);
  if (slot !== undefined && slot[0] === 0 && slot[1] === 0) recent.delete(second);
}

function clockOf(from: Clock): Clock {
  return { startedAt: from.startedAt, takenAt: from.takenAt, ...(from.endedAt !== undefined ? { endedAt: from.endedAt } : {}) };
}

function emptyFigures(): Snapshot {
  return { version: SNAPSHOT_VERSION, startedAt: 0, takenAt: 0, entries: [], errors: [], exceptions: [], history: [] };
}

/** A source as a snapshot, each entry's histogram as `histogram` gives it. */
function snapshotOf(state: Source, histogram: (own: OwnEntry) => string): Snapshot {
  const entries = [...state.entries.values()].map((own): EntrySnapshot => {
    const { checksPassed, checksFailed, cut } = own;
    return {
      type: own.type, name: own.name, requests: own.requests, failures: own.failures, sumUs: own.sumUs, minUs: own.minUs, maxUs: own.maxUs,
      bytes: own.bytes, firstAt: own.firstAt, lastAt: own.lastAt, histogram: histogram(own),
      recent: [...own.recent].sort((a, b) => a[0] - b[0]).map(([second, [requests, failures]]) => [second, requests, failures]),
      ...(checksPassed + checksFailed > 0 ? { checksPassed, checksFailed } : {}),
      ...(cut > 0 ? { cut } : {}),
    };
  });
  return { ...emptyFigures(), ...state.clock, entries, errors: state.errors, exceptions: state.exceptions };
}

function histogramOf(own: Pick<OwnEntry, 'whole' | 'since'>): Histogram {
  const histogram = own.whole === '' ? newHistogram() : decodeHistogram(own.whole);
  for (const pairs of own.since) addBucketPairs(histogram, pairs);
  return histogram;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const FIGURES = ['requests', 'failures', 'sumUs', 'bytes'] as const;
const OPTIONAL_FIGURES = ['minUs', 'maxUs', 'firstAt', 'lastAt'] as const;

/** Why `update` is not an update a worker sends; undefined when it is. */
export function updateProblem(update: SnapshotUpdate): string | undefined {
  if (update === null || typeof update !== 'object') return 'not an object';
  if (!Number.isSafeInteger(update.generation) || update.generation < 0) return 'no generation';
  if (!Number.isFinite(update.startedAt) || !Number.isFinite(update.takenAt)) return 'no clock';
  for (const field of ['entries', 'errors', 'exceptions', 'history'] as const) {
    if (!Array.isArray(update[field])) return `"${field}" is not an array`;
  }
  for (const entry of update.entries) {
    if (entry === null || typeof entry !== 'object' || typeof entry.type !== 'string' || typeof entry.name !== 'string') return 'an entry without a type and name';
    for (const field of FIGURES) if (!Number.isFinite(entry[field])) return `${entry.type} ${entry.name}: "${field}" is not a number`;
    for (const field of OPTIONAL_FIGURES) if (entry[field] !== null && !Number.isFinite(entry[field])) return `${entry.type} ${entry.name}: "${field}" is not a number`;
    if (!Array.isArray(entry.recent) || !entry.recent.every(isSecondCount)) return `${entry.type} ${entry.name}: "recent" is not a list of [second, requests, failures]`;
    const problem = bucketPairsProblem(entry.added);
    if (problem !== undefined) return `${entry.type} ${entry.name}: ${problem}`;
    if (entry.histogram !== undefined && (typeof entry.histogram !== 'string' || !BASE64.test(entry.histogram))) return `${entry.type} ${entry.name}: "histogram" is not an encoded histogram`;
  }
  return undefined;
}

function isSecondCount(item: unknown): boolean {
  return Array.isArray(item) && item.length === 3 && item.every((n) => Number.isFinite(n));
}

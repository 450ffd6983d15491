/**
 * What a worker sends its leader each second: the figures of a snapshot,
 * but each entry's HDR histogram only as the buckets it gained since the
 * previous update. A leader that adds these up keeps the merged histograms
 * of hundreds of workers current at a few additions per entry, instead of
 * decoding and adding every worker's whole cumulative histograms for each
 * view (issue 16: 500 workers x 50 entries, most of a core).
 *
 * Exactness: an update's buckets are the difference between the entry's
 * histogram now and the sum of the buckets sent before in the same
 * generation, so the leader's sum of them equals the worker's histogram at
 * the update's instant, bucket for bucket. A generation ends when the
 * worker's stats start again from zero (a reset): its next update counts
 * from zero, and the leader drops what it held of that worker.
 *
 * Every WHOLE_EVERY updates of an entry, it also carries the entry's whole
 * histogram, encoded: the leader keeps that text unread with the buckets
 * sent after it, which is all it needs to rebuild one worker's histograms
 * (a lost worker, a reset) without a copy of each one kept up to date.
 */
import type { Histogram } from './histogram.js';
import { encodeHistogram, newHistogram, takeAddedBuckets } from './histogram.js';
import type { EntrySnapshot, ErrorGroup, ExceptionGroup, HistoryRow } from './snapshot.js';

/**
 * An entry's figures as a snapshot has them (cumulative), but `recent` only
 * from the second of the previous update on (all it has in its first), and
 * its histogram as the buckets it gained.
 */
export interface EntryUpdate extends Omit<EntrySnapshot, 'histogram'> {
  /** Flat pairs [bucket index, count, bucket index, count, ...]: what the histogram gained since the previous update. */
  added: number[];
  /** Now and then (WHOLE_EVERY): the whole histogram, `added` included, encoded as in a snapshot. */
  histogram?: string;
}

/** An entry's update carries its whole histogram once in this many. */
export const WHOLE_EVERY = 10;

export interface SnapshotUpdate {
  /** How many times the worker's stats started again from zero before this update. */
  generation: number;
  startedAt: number;
  takenAt: number;
  endedAt?: number;
  /** The entries that changed since the previous update of this generation (every entry in its first). */
  entries: EntryUpdate[];
  /** Every error group and exception, whole (they are few). */
  errors: ErrorGroup[];
  exceptions: ExceptionGroup[];
  /** The history rows since the previous update. */
  history: HistoryRow[];
}

/** What a worker has sent so far in its current generation: per entry, its counts and its histogram as sent. */
export class UpdateBaseline {
  generation = -1;
  /** The Unix second of the previous update: its per-second counts may have grown since. */
  lastSecond = -Infinity;
  private readonly sent = new Map<string, { requests: number; checksPassed: number; histogram: Histogram; sinceWhole: number }>();

  /** Starts over for `generation` when it is not the one sent so far (the stats were reset). */
  follow(generation: number): void {
    if (generation === this.generation) return;
    this.generation = generation;
    this.lastSecond = -Infinity;
    this.sent.clear();
  }

  /** Whether an update of this generation carried `key`. */
  knows(key: string): boolean {
    return this.sent.has(key);
  }

  /**
   * The buckets `histogram` gained since the last call for `key`, as flat
   * pairs, and now and then the whole histogram; null when the entry has
   * neither a new request nor a new check (it is then left out of the update).
   */
  added(key: string, histogram: Histogram, requests: number, checksPassed: number): Pick<EntryUpdate, 'added' | 'histogram'> | null {
    let sent = this.sent.get(key);
    if (sent === undefined) {
      // A random phase: workers started together do not all send their whole histograms in the same second.
      sent = { requests: 0, checksPassed: 0, histogram: newHistogram(), sinceWhole: Math.floor(Math.random() * WHOLE_EVERY) };
      this.sent.set(key, sent);
    } else if (sent.requests === requests && sent.checksPassed === checksPassed) {
      return null;
    }
    sent.requests = requests;
    sent.checksPassed = checksPassed;
    const added = takeAddedBuckets(histogram, sent.histogram);
    if (++sent.sinceWhole < WHOLE_EVERY) return { added };
    sent.sinceWhole = 0;
    return { added, histogram: encodeHistogram(histogram) };
  }
}

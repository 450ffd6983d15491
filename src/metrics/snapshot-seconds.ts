/**
 * History rows made from successive cumulative snapshots of one run: what
 * happened between each and the one before. The leader of a run spread over
 * workers streams `--out` from these, one call a second on the merged
 * snapshot: counts and totals are exact (the workers' own figures added
 * up), and an interval's percentiles come from the difference of the two
 * HDR histograms, exact to the histogram's precision. A row per entry, then
 * Aggregated, as Stats.tick writes them.
 */
import { newHistogram, type Histogram } from './histogram.js';
import { addDecoded, AGGREGATED_NAME, decodeEntryHistogram, emptyTotals, entryKey, type EntryTotals, type HistoryRow, type Snapshot } from './snapshot.js';
import { historyRow, type RowFigures } from './stats.js';

interface Seen {
  requests: number;
  failures: number;
  histogram: Histogram;
}

/** The interval's figures of `now` after `before`: the differences of counts and histograms. */
function figures(now: EntryTotals, before: Seen | undefined): RowFigures {
  const interval = newHistogram();
  interval.add(now.histogram);
  if (before) interval.subtract(before.histogram);
  const intervalRequests = now.requests - (before?.requests ?? 0);
  return {
    requests: now.requests, failures: now.failures, sumUs: now.sumUs, minUs: now.minUs ?? 0, maxUs: now.maxUs ?? 0, bytes: now.bytes,
    histogram: now.histogram,
    intervalRequests,
    intervalFailures: now.failures - (before?.failures ?? 0),
    intervalMinUs: intervalRequests > 0 ? interval.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : interval.minNonZeroValue : 0,
    intervalMaxUs: intervalRequests > 0 ? interval.maxValue : 0,
    intervalHistogram: interval,
  };
}

export class SnapshotSeconds {
  private readonly seen = new Map<string, Seen>();
  private lastAt: number | undefined;
  private startedAt: number | undefined;

  /** The rows of the time since the previous call (since the snapshot's start, the first time). */
  rows(snapshot: Snapshot, users: number): HistoryRow[] {
    const at = snapshot.endedAt ?? snapshot.takenAt;
    // A later start, or counts that went down, is a reset of the stats: the interval starts again from nothing.
    // (An earlier one is a worker's first snapshot joining the merge: it started a little before the others.)
    const reset = this.startedAt === undefined || snapshot.startedAt > this.startedAt ||
      snapshot.entries.some((e) => e.requests < (this.seen.get(entryKey(e.type, e.name))?.requests ?? 0));
    this.startedAt = snapshot.startedAt;
    if (reset) {
      this.seen.clear();
      this.lastAt = snapshot.startedAt;
    }
    const intervalS = Math.max((at - (this.lastAt ?? snapshot.startedAt)) / 1000, 1);
    this.lastAt = at;
    const timestamp = Math.floor(at / 1000);
    const total = emptyTotals();
    const rows: HistoryRow[] = [];
    for (const entry of snapshot.entries) {
      const now = emptyTotals();
      addDecoded(now, entry, decodeEntryHistogram(entry));
      addDecoded(total, entry, now.histogram);
      const key = entryKey(entry.type, entry.name);
      rows.push(historyRow(entry.type, entry.name, figures(now, this.seen.get(key)), timestamp, intervalS, users));
      this.seen.set(key, now);
    }
    const aggregatedKey = entryKey('', AGGREGATED_NAME);
    rows.push(historyRow('', AGGREGATED_NAME, figures(total, this.seen.get(aggregatedKey)), timestamp, intervalS, users));
    this.seen.set(aggregatedKey, total);
    return rows;
  }
}

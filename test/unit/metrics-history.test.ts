import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combineParallelRows, combineSequentialRows, HistoryLog } from '../../src/metrics/history.js';
import { PERCENTILES, percentileKey } from '../../src/metrics/percentiles.js';
import type { HistoryRow } from '../../src/metrics/snapshot.js';

/** A 1 s row of `name` whose interval percentiles are all `ms` (null: no request in it). */
function row(timestamp: number, rps: number, ms: number | null, extra: Partial<HistoryRow> = {}): HistoryRow {
  const percentilesMs: Record<string, number | null> = {};
  for (const p of PERCENTILES) percentilesMs[percentileKey(p)] = ms === null ? null : ms * (p === 100 ? 2 : 1);
  return {
    timestamp, intervalS: 1, userCount: 1, type: 'tools/call', name: 'echo', requestsPerSec: rps, failuresPerSec: 0, percentilesMs,
    totalRequests: rps * timestamp, totalFailures: 0, totalMedianMs: ms ?? 0, totalAvgMs: ms ?? 0, totalMinMs: ms ?? 0, totalMaxMs: ms ?? 0, totalAvgContentSize: 10,
    ...extra,
  };
}

const requestsIn = (rows: HistoryRow[]) => rows.reduce((n, r) => n + r.requestsPerSec * r.intervalS, 0);

describe('combineParallelRows', () => {
  it('adds rates, totals and users; takes the largest maximum; weights the other percentiles by requests', () => {
    const a = row(10, 30, 10, { userCount: 2, totalRequests: 300, totalMinMs: 4, totalMaxMs: 50 });
    const b = row(10, 10, 30, { userCount: 3, totalRequests: 100, totalMinMs: 2, totalMaxMs: 40 });
    const both = combineParallelRows([a, b]);
    assert.equal(both.requestsPerSec, 40);
    assert.equal(both.userCount, 5);
    assert.equal(both.totalRequests, 400);
    assert.equal(both.percentilesMs['100'], 60, 'the maximum of a union is the largest of the parts');
    assert.equal(both.percentilesMs['50'], (10 * 30 + 30 * 10) / 40);
    assert.equal(both.totalMinMs, 2);
    assert.equal(both.totalMaxMs, 50);
    assert.equal(both.totalAvgMs, (10 * 300 + 30 * 100) / 400);
  });

  it('leaves rows without requests out of the minimum, and refuses an empty list', () => {
    const idle = row(10, 0, null, { totalRequests: 0, totalMinMs: 0 });
    const busy = row(10, 5, 7, { totalRequests: 50, totalMinMs: 3 });
    assert.equal(combineParallelRows([idle, busy]).totalMinMs, 3);
    assert.equal(combineParallelRows([idle, idle]).percentilesMs['50'], null);
    assert.throws(() => combineParallelRows([]), /no rows/);
  });
});

describe('combineSequentialRows', () => {
  it('weights rates by time and keeps the newer totals', () => {
    const older = row(10, 10, 5, { intervalS: 1 });
    const newer = row(12, 40, 5, { intervalS: 2, totalRequests: 999 });
    const merged = combineSequentialRows(older, newer);
    assert.equal(merged.intervalS, 3);
    assert.equal(merged.requestsPerSec, (10 + 80) / 3);
    assert.equal(merged.timestamp, 12);
    assert.equal(merged.totalRequests, 999);
  });
});

describe('HistoryLog', () => {
  it('gives back what was appended, null percentiles included, and only the newer rows when asked', () => {
    const log = new HistoryLog();
    log.append(1, 1, [row(1, 5, null)]);
    log.append(2, 1, [row(2, 5, 3)]);
    assert.deepEqual(log.rows(), [row(1, 5, null), row(2, 5, 3)]);
    assert.deepEqual(log.rows(1).map((r) => r.timestamp), [2]);
    assert.equal(log.size, 2);
    log.clear();
    assert.deepEqual(log.rows(), []);
  });

  it('merges the oldest half pairwise past its bound, keeping the time covered and every request', () => {
    const log = new HistoryLog(8);
    const appended: HistoryRow[] = [];
    for (let t = 1; t <= 9; t++) {
      const r = row(t, t, 1);
      appended.push(r);
      log.append(t, 1, [r]);
    }
    const rows = log.rows();
    assert.equal(log.size, 7, 'ticks 1-2 and 3-4 became one each');
    assert.deepEqual(rows.map((r) => r.intervalS), [2, 2, 1, 1, 1, 1, 1]);
    assert.deepEqual(rows.map((r) => r.timestamp), [2, 4, 5, 6, 7, 8, 9]);
    assert.equal(rows.reduce((s, r) => s + r.intervalS, 0), 9);
    assert.equal(requestsIn(rows), requestsIn(appended));
  });

  it('gives an entry missing from one of two merged ticks an idle stand-in', () => {
    const log = new HistoryLog(4);
    log.append(1, 1, [row(1, 6, 1, { name: 'old' })]);
    log.append(2, 1, [row(2, 4, 1, { name: 'new' })]);
    log.append(3, 1, [row(3, 1, 1)]);
    log.append(4, 1, [row(4, 1, 1)]);
    log.append(5, 1, [row(5, 1, 1)]);
    const merged = log.rows().filter((r) => r.timestamp === 2);
    assert.deepEqual(merged.map((r) => [r.name, r.requestsPerSec, r.intervalS]), [['new', 2, 2], ['old', 3, 2]]);
  });

  it('refuses a bound below 2', () => {
    assert.throws(() => new HistoryLog(1), /at least 2/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PERCENTILES, percentileKey } from '../../src/metrics/percentiles.js';
import { CURRENT_WINDOW_S, runDurationS, statsRows } from '../../src/metrics/rows.js';
import { AGGREGATED_NAME } from '../../src/metrics/snapshot.js';
import { Stats } from '../../src/metrics/stats.js';

const T0 = 1_700_000_000_000;

/** A 4 s run on an injected clock: `b` gets 4, 2 (one failed) and 6 requests in seconds 0, 1 and 2; `a` one in second 0. */
function fourSecondRun(): { stats: Stats; at: (ms: number) => void } {
  let now = T0;
  const stats = new Stats({ now: () => now });
  const at = (ms: number) => void (now = T0 + ms);
  for (let i = 0; i < 4; i++) stats.record('tools/call', 'b', 2000, 100);
  stats.record('tools/call', 'a', 8000, 0);
  at(1000);
  stats.record('tools/call', 'b', 2000, 100);
  stats.record('tools/call', 'b', 2000, 100, { kind: 'tool', detail: 'no' });
  at(2500);
  for (let i = 0; i < 6; i++) stats.record('tools/call', 'b', 2000, 100);
  return { stats, at };
}

describe('statsRows', () => {
  it('gives one row per entry, sorted, and the Aggregated row over all of them', () => {
    const { stats, at } = fourSecondRun();
    at(4000);
    stats.finish();
    const { rows, aggregated } = statsRows(stats.snapshot());
    assert.deepEqual(rows.map((r) => r.name), ['a', 'b']);
    const b = rows[1]!;
    assert.equal(b.requests, 12);
    assert.equal(b.failures, 1);
    assert.equal(b.avgMs, 2);
    assert.equal(b.minMs, 2);
    assert.equal(b.maxMs, 2);
    assert.equal(b.avgContentSize, 100);
    assert.equal(b.rps, 3, 'over the run\'s 4 s, not to the last request');
    assert.equal(b.fps, 0.25);
    assert.equal(aggregated.name, AGGREGATED_NAME);
    assert.equal(aggregated.requests, 13);
    assert.equal(aggregated.rps, 13 / 4);
    assert.equal(aggregated.minMs, 2);
    assert.equal(aggregated.maxMs, 8);
    assert.deepEqual(Object.keys(aggregated.percentilesMs).sort(), PERCENTILES.map(percentileKey).sort());
  });

  it('averages current rates over the last complete seconds, never before the start', () => {
    const { stats, at } = fourSecondRun();
    at(1000);
    // Only second 0 is complete: 4 + 1 requests in it.
    assert.equal(statsRows(stats.snapshot()).aggregated.currentRps, 5);
    at(4000);
    // Seconds 0 to 3: 13 requests over 4 s, 1 failure.
    const { aggregated } = statsRows(stats.snapshot());
    assert.equal(aggregated.currentRps, 13 / 4);
    assert.equal(aggregated.currentFps, 1 / 4);
    at((CURRENT_WINDOW_S + 3) * 1000);
    // The window has moved past every request.
    assert.equal(statsRows(stats.snapshot()).aggregated.currentRps, 0);
  });

  it('shows zeros for a run without requests', () => {
    const { aggregated, rows } = statsRows(new Stats({ now: () => T0 }).snapshot());
    assert.deepEqual(rows, []);
    assert.equal(aggregated.requests, 0);
    assert.equal(aggregated.medianMs, 0);
    assert.equal(aggregated.rps, 0);
    assert.ok(Object.values(aggregated.percentilesMs).every((v) => v === 0));
  });
});

describe('runDurationS', () => {
  it('runs to the snapshot while the run goes, and stops at its end', () => {
    const { stats, at } = fourSecondRun();
    at(3000);
    assert.equal(runDurationS(stats.snapshot()), 3);
    stats.finish();
    at(9000);
    assert.equal(runDurationS(stats.snapshot()), 3);
  });
});

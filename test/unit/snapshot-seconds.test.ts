import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeSnapshots } from '../../src/metrics/snapshot.js';
import { SnapshotSeconds } from '../../src/metrics/snapshot-seconds.js';
import { Stats } from '../../src/metrics/stats.js';

function clockedStats(clock: { now: number }): Stats {
  return new Stats({ now: () => clock.now });
}

test('rows between two merged snapshots: the counts gained, the interval\'s percentiles from the histograms\' difference, totals so far', () => {
  const clock = { now: 1_000_000 };
  const a = clockedStats(clock);
  const b = clockedStats(clock);
  const seconds = new SnapshotSeconds();
  // First second: 10 fast calls on each worker.
  clock.now += 1000;
  for (let i = 0; i < 10; i++) {
    a.record('tools/call', 'add', 1000, 10);
    b.record('tools/call', 'add', 2000, 10);
  }
  const first = seconds.rows(mergeSnapshots([a.snapshot(), b.snapshot()]), 4);
  const add1 = first.find((r) => r.name === 'add')!;
  assert.equal(add1.totalRequests, 20);
  assert.equal(add1.requestsPerSec * add1.intervalS, 20);
  assert.equal(add1.userCount, 4);
  // Second second: 5 slow calls on one worker, one of them failed.
  clock.now += 1000;
  for (let i = 0; i < 5; i++) a.record('tools/call', 'add', 50_000, 10, i === 0 ? { kind: 'tool', detail: 'no' } : undefined);
  const second = seconds.rows(mergeSnapshots([a.snapshot(), b.snapshot()]), 4);
  const add2 = second.find((r) => r.name === 'add')!;
  assert.equal(Math.round(add2.requestsPerSec * add2.intervalS), 5, 'only what the second added');
  assert.equal(Math.round(add2.failuresPerSec * add2.intervalS), 1);
  assert.equal(add2.totalRequests, 25);
  assert.equal(add2.totalFailures, 1);
  // The interval held only 50 ms calls; the whole run's median is still a fast one.
  assert.ok(Math.abs((add2.percentilesMs['50'] ?? 0) - 50) < 0.1, `interval median ${add2.percentilesMs['50']}`);
  assert.ok(add2.totalMedianMs < 3);
  const aggregated = second.at(-1)!;
  assert.equal(aggregated.name, 'Aggregated');
  assert.equal(aggregated.totalRequests, 25);
});

test('a second with no new requests has null percentiles; counts that go down (a reset) start over', () => {
  const clock = { now: 5_000_000 };
  const stats = clockedStats(clock);
  const seconds = new SnapshotSeconds();
  clock.now += 1000;
  stats.record('GET', '/health', 3000, 0);
  seconds.rows(stats.snapshot(), 1);
  clock.now += 1000;
  const quiet = seconds.rows(stats.snapshot(), 1).find((r) => r.name === '/health')!;
  assert.equal(quiet.requestsPerSec, 0);
  assert.equal(quiet.percentilesMs['95'], null);
  stats.reset();
  clock.now += 1000;
  stats.record('GET', '/health', 4000, 0);
  stats.record('GET', '/health', 4000, 0);
  const fresh = seconds.rows(stats.snapshot(), 1).find((r) => r.name === '/health')!;
  assert.equal(fresh.totalRequests, 2);
  assert.equal(Math.round(fresh.requestsPerSec * fresh.intervalS), 2);
});

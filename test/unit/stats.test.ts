import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PERCENTILES, Stats, mergeSnapshots, statsRows, type Snapshot } from '../../src/metrics/stats.js';
import { decodeHistogram, MAX_TRACKED_US } from '../../src/metrics/histogram.js';
import type { SampleError } from '../../src/metrics/sample.js';

const T0 = 1_700_000_000_000; // a whole second, so second boundaries are easy to reason about

/** A Stats with a hand-driven clock. */
function clocked(start = T0): { stats: Stats; clock: { t: number } } {
  const clock = { t: start };
  return { stats: new Stats({ now: () => clock.t }), clock };
}

/** HDR keeps 3 significant digits: a percentile is within 0.1 % of the exact value. */
function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= expected * 0.001, `${what}: ${actual} not within 0.1% of ${expected}`);
}

test('latencies 1..100 ms give the hand-computed median, avg, min, max and p95', () => {
  const { stats, clock } = clocked();
  for (let ms = 1; ms <= 100; ms++) {
    clock.t += 10;
    stats.record('GET', '/x', ms * 1000, 200);
  }
  const { rows, aggregated } = statsRows(stats.snapshot());
  assert.equal(rows.length, 1);
  const row = rows[0]!;
  assert.equal(row.requests, 100);
  assert.equal(row.failures, 0);
  assert.equal(row.avgMs, 50.5);
  assert.equal(row.minMs, 1);
  assert.equal(row.maxMs, 100);
  assertClose(row.medianMs, 50, 'median');
  assertClose(row.percentilesMs['95']!, 95, 'p95');
  assertClose(row.percentilesMs['99.9']!, 100, 'p99.9');
  assert.equal(row.percentilesMs['100'], 100, 'p100 is the exact max');
  assert.equal(row.avgContentSize, 200);
  // 100 requests between start and the last one, 1 s later: 100 req/s over the run.
  assert.equal(row.rps, 100);
  assert.deepEqual(Object.keys(row.percentilesMs).sort(), PERCENTILES.map(String).sort());
  assert.equal(aggregated.name, 'Aggregated');
  assert.equal(aggregated.type, '');
  assert.equal(aggregated.requests, 100);
});

test('microsecond precision survives: sub-millisecond latencies are not rounded to whole ms', () => {
  const { stats } = clocked();
  stats.record('tools/call', 'echo', 250, 0);
  stats.record('tools/call', 'echo', 750, 0);
  const row = statsRows(stats.snapshot()).rows[0]!;
  assert.equal(row.minMs, 0.25);
  assert.equal(row.maxMs, 0.75);
  assert.equal(row.avgMs, 0.5);
});

test('failures count as requests, go into the histogram, and are grouped by (type, name, error)', () => {
  const { stats } = clocked();
  const e500: SampleError = { kind: 'http', detail: '500 Internal Server Error' };
  const timeout: SampleError = { kind: 'timeout', detail: 'after 30s' };
  stats.record('POST', '/a', 1000, 0, e500);
  stats.record('POST', '/a', 2000, 0, e500);
  stats.record('POST', '/a', 3000, 0, timeout);
  stats.record('POST', '/a', 4000, 0);
  stats.record('POST', '/b', 9000, 0, e500);
  const snapshot = stats.snapshot();
  const a = snapshot.entries.find((e) => e.name === '/a')!;
  assert.equal(a.requests, 4);
  assert.equal(a.failures, 3);
  assert.equal(a.maxUs, 4000);
  assert.equal(decodeHistogram(a.histogram).totalCount, 4, 'failed requests are in the latency histogram');
  assert.deepEqual(snapshot.errors, [
    { type: 'POST', name: '/a', error: 'http: 500 Internal Server Error', occurrences: 2 },
    { type: 'POST', name: '/a', error: 'timeout: after 30s', occurrences: 1 },
    { type: 'POST', name: '/b', error: 'http: 500 Internal Server Error', occurrences: 1 },
  ]);
  const { aggregated } = statsRows(snapshot);
  assert.equal(aggregated.requests, 5);
  assert.equal(aggregated.failures, 4);
  assert.equal(aggregated.minMs, 1);
  assert.equal(aggregated.maxMs, 9);
  assert.equal(aggregated.avgMs, 19 / 5);
});

test('rows are sorted by type then name; Aggregated merges every entry', () => {
  const { stats } = clocked();
  stats.record('tools/call', 'b', 1000, 10);
  stats.record('GET', '/z', 3000, 30);
  stats.record('tools/call', 'a', 2000, 20);
  stats.record('GET', '/a', 4000, 40);
  const { rows, aggregated } = statsRows(stats.snapshot());
  assert.deepEqual(rows.map((r) => `${r.type} ${r.name}`), ['GET /a', 'GET /z', 'tools/call a', 'tools/call b']);
  assert.equal(aggregated.requests, 4);
  assert.equal(aggregated.avgContentSize, 25);
  assert.equal(aggregated.avgMs, 2.5);
  assert.equal(aggregated.minMs, 1);
  assert.equal(aggregated.maxMs, 4);
});

test('rps divides by the run\'s elapsed time (to the snapshot, or to finish()); no time gives 0', () => {
  const { stats, clock } = clocked();
  assert.equal(statsRows(stats.snapshot()).aggregated.rps, 0);
  stats.record('GET', '/', 1000, 0); // at the start instant: zero duration
  assert.equal(statsRows(stats.snapshot()).aggregated.rps, 0);
  clock.t = T0 + 4000;
  stats.record('GET', '/', 1000, 0, { kind: 'http', detail: '503' });
  const row = statsRows(stats.snapshot()).aggregated;
  assert.equal(row.rps, 2 / 4);
  assert.equal(row.fps, 1 / 4);
});

test('two quick failures in a 2 s run are 1 req/s, not the rate between the two requests', () => {
  // The case: 2 requests against a dead port 13 ms apart read 153.85 req/s when rates divided by first-to-last request.
  const { stats, clock } = clocked();
  clock.t = T0 + 1;
  stats.record('GET', '/', 1000, 0, { kind: 'connect', detail: 'ECONNREFUSED' });
  clock.t = T0 + 14;
  stats.record('GET', '/', 1000, 0, { kind: 'connect', detail: 'ECONNREFUSED' });
  clock.t = T0 + 2000;
  stats.finish();
  clock.t = T0 + 60_000; // read long after the end (a report, the web UI): the run's time still divides
  const snapshot = stats.snapshot();
  assert.equal(snapshot.endedAt, T0 + 2000);
  assert.equal(statsRows(snapshot).aggregated.rps, 1);
  assert.equal(stats.liveRows().aggregated.rps, 1);
  assert.equal(statsRows(mergeSnapshots([snapshot, snapshot])).aggregated.rps, 2, 'merged: the same span, twice the requests');
  // markStart: the clock restarts when the load starts, not when the stats were built.
  const late = clocked();
  late.clock.t = T0 + 30_000;
  late.stats.markStart();
  late.stats.record('GET', '/', 1000, 0);
  late.clock.t = T0 + 32_000;
  assert.equal(late.stats.liveRows().aggregated.rps, 0.5);
});

test('checks that held and checks that failed are counted per entry and survive a merge', () => {
  const { stats } = clocked();
  stats.checkPassed('tools/call', 'add');
  stats.record('tools/call', 'add', 1000, 0);
  stats.record('tools/call', 'add', 1000, 0, { kind: 'check', detail: 'wrong sum' });
  stats.record('tools/call', 'add', 1000, 0, { kind: 'tool', detail: 'isError' });
  stats.record('GET', '/', 1000, 0);
  const snapshot = stats.snapshot();
  const add = snapshot.entries.find((e) => e.name === 'add')!;
  assert.equal(add.checksPassed, 1);
  assert.equal(add.checksFailed, 1);
  assert.equal(add.failures, 2);
  assert.equal('checksPassed' in snapshot.entries.find((e) => e.name === '/')!, false, 'no checks, no fields');
  const merged = mergeSnapshots([snapshot, snapshot]).entries.find((e) => e.name === 'add')!;
  assert.deepEqual([merged.checksPassed, merged.checksFailed], [2, 2]);
  stats.reset();
  assert.equal(stats.snapshot().entries.find((e) => e.name === 'add')!.checksPassed, undefined);
});

test('error texts are kept whole up to 4 KB, on one line', () => {
  const { stats } = clocked();
  const long = `Expected boolean or "true"/"false" string,\n${'x'.repeat(600)}\treceived "bravo" at nextThoughtNeeded`;
  stats.record('tools/call', 'think', 1000, 0, { kind: 'tool', detail: long });
  stats.record('tools/call', 'huge', 1000, 0, { kind: 'tool', detail: 'y'.repeat(10_000) });
  const errors = stats.snapshot().errors;
  const think = errors.find((e) => e.name === 'think')!.error;
  assert.ok(think.endsWith('received "bravo" at nextThoughtNeeded'), think);
  assert.ok(!/[\n\t]/.test(think));
  assert.equal(errors.find((e) => e.name === 'huge')!.error.length, 4096);
});

test('current rps averages the last 10 complete seconds', () => {
  const { stats, clock } = clocked();
  // 20 s of load: 5 req/s for the first 10 s, then 20 req/s (one failure per second).
  for (let second = 0; second < 20; second++) {
    const perSecond = second < 10 ? 5 : 20;
    for (let i = 0; i < perSecond; i++) {
      clock.t = T0 + second * 1000 + i * 10;
      stats.record('GET', '/', 1000, 0, second >= 10 && i === 0 ? { kind: 'http', detail: '500' } : undefined);
    }
  }
  clock.t = T0 + 20_500; // half-way through second 20: seconds 10..19 are the window
  const row = statsRows(stats.snapshot()).rows[0]!;
  assert.equal(row.currentRps, 20);
  assert.equal(row.currentFps, 1);
  // Five seconds later only seconds 15..19 had traffic: (5 * 20) / 10.
  const later = statsRows(stats.snapshot(), { now: T0 + 25_500 }).rows[0]!;
  assert.equal(later.currentRps, 10);
  // Early in a run the window never reaches back before the start.
  const { stats: early, clock: earlyClock } = clocked();
  for (let i = 0; i < 30; i++) {
    earlyClock.t = T0 + i * 100; // 10 req/s for 3 s
    early.record('GET', '/', 1000, 0);
  }
  earlyClock.t = T0 + 3_200;
  assert.equal(statsRows(early.snapshot()).rows[0]!.currentRps, 10);
});

test('tick appends one row per entry plus Aggregated, with interval rates and percentiles', () => {
  const { stats, clock } = clocked();
  for (let i = 1; i <= 10; i++) {
    clock.t = T0 + i * 100;
    stats.record('GET', '/a', i * 1000, 100, i <= 2 ? { kind: 'http', detail: '500' } : undefined);
  }
  clock.t = T0 + 2000; // a 2 s interval
  stats.tick(7);
  clock.t = T0 + 2500;
  stats.record('GET', '/b', 50_000, 0);
  clock.t = T0 + 3000;
  stats.tick(8);

  const history = stats.snapshot().history;
  assert.equal(history.length, 2 + 3, 'first tick: /a + Aggregated; second: /a, /b, Aggregated');
  const [a1, agg1, a2, b2, agg2] = history;
  assert.equal(a1!.timestamp, T0 / 1000 + 2);
  assert.equal(a1!.userCount, 7);
  assert.equal(a1!.intervalS, 2);
  assert.equal(a1!.requestsPerSec, 5);
  assert.equal(a1!.failuresPerSec, 1);
  assert.equal(a1!.percentilesMs['100'], 10);
  assertClose(a1!.percentilesMs['50']!, 5, 'interval median');
  assert.equal(a1!.totalRequests, 10);
  assert.equal(a1!.totalAvgMs, 5.5);
  assert.equal(a1!.totalAvgContentSize, 100);
  assert.equal(agg1!.name, 'Aggregated');
  assert.equal(agg1!.requestsPerSec, 5);

  // Second interval: /a idle (percentiles N/A, totals kept), /b one request.
  assert.equal(a2!.name, '/a');
  assert.equal(a2!.requestsPerSec, 0);
  assert.equal(a2!.percentilesMs['50'], null);
  assert.equal(a2!.totalRequests, 10);
  assert.equal(b2!.name, '/b');
  assert.equal(b2!.requestsPerSec, 1);
  assert.equal(b2!.percentilesMs['95'], 50);
  assert.equal(agg2!.userCount, 8);
  assert.equal(agg2!.totalRequests, 11);
  assert.equal(agg2!.totalMaxMs, 50);
  assert.equal(agg2!.percentilesMs['50'], 50, 'Aggregated interval percentiles see only this interval');
});

test('history stays bounded: old ticks merge pairwise, rates stay time-weighted', () => {
  const clock = { t: T0 };
  const stats = new Stats({ now: () => clock.t, maxHistoryRows: 40 });
  // 100 ticks of 1 s, each with (tick index) requests; 2 rows per tick.
  for (let tick = 1; tick <= 100; tick++) {
    for (let i = 0; i < tick; i++) stats.record('GET', '/', 1000, 0);
    clock.t = T0 + tick * 1000;
    stats.tick(1);
  }
  const history = stats.snapshot().history;
  assert.ok(history.length <= 40, `kept ${history.length} rows`);
  const entryRows = history.filter((row) => row.name === '/');
  const covered = entryRows.reduce((sum, row) => sum + row.intervalS, 0);
  assert.equal(covered, 100, 'the whole run is still covered');
  const requests = entryRows.reduce((sum, row) => sum + row.requestsPerSec * row.intervalS, 0);
  assert.ok(Math.abs(requests - 5050) < 1e-6, `request count preserved (${requests})`);
  const last = entryRows.at(-1)!;
  assert.equal(last.intervalS, 1, 'the newest rows keep 1 s resolution');
  assert.equal(last.requestsPerSec, 100);
  assert.equal(last.totalRequests, 5050);
});

test('reset zeroes entries (keeping them listed), errors, exceptions and history', () => {
  const { stats, clock } = clocked();
  stats.record('GET', '/', 1000, 10, { kind: 'connect', detail: 'ECONNREFUSED' });
  stats.exception(new Error('boom'), 'task');
  clock.t += 1000;
  stats.tick(1);
  clock.t += 5000;
  stats.reset();
  const snapshot = stats.snapshot();
  assert.equal(snapshot.startedAt, T0 + 6000);
  assert.equal(snapshot.entries.length, 1);
  assert.equal(snapshot.entries[0]!.requests, 0);
  assert.equal(snapshot.entries[0]!.minUs, null);
  assert.equal(decodeHistogram(snapshot.entries[0]!.histogram).totalCount, 0);
  assert.deepEqual(snapshot.errors, []);
  assert.deepEqual(snapshot.exceptions, []);
  assert.deepEqual(snapshot.history, []);
  const row = statsRows(snapshot).rows[0]!;
  assert.equal(row.requests, 0);
  assert.equal(row.medianMs, 0);
  stats.record('GET', '/', 2000, 0);
  assert.equal(statsRows(stats.snapshot()).rows[0]!.minMs, 2);
});

test('bad latencies and sizes are clamped instead of breaking the run', () => {
  const { stats } = clocked();
  stats.record('GET', '/', -5, -1);
  stats.record('GET', '/', Number.NaN, Number.NaN);
  stats.record('GET', '/', 10 * MAX_TRACKED_US, Infinity);
  const entry = stats.snapshot().entries[0]!;
  assert.equal(entry.requests, 3);
  assert.equal(entry.minUs, 0);
  assert.equal(entry.maxUs, MAX_TRACKED_US);
  assert.equal(entry.bytes, 0);
});

test('exceptions are grouped by message with a short traceback starting at `where`', () => {
  const { stats } = clocked();
  stats.exception(new TypeError('x is undefined'), 'scenario.ts:12');
  stats.exception(new TypeError('x is undefined'), 'scenario.ts:12');
  stats.exception('plain string', 'task b');
  const [first, second] = stats.snapshot().exceptions;
  assert.equal(first!.message, 'TypeError: x is undefined');
  assert.equal(first!.count, 2);
  assert.deepEqual(first!.nodes, ['local']);
  const lines = first!.traceback.split('\n');
  assert.equal(lines[0], 'scenario.ts:12');
  assert.ok(lines.length <= 4);
  assert.match(lines[1]!, /stats\.test\.ts/, 'points at the code that threw');
  assert.equal(second!.message, 'plain string');
  assert.equal(second!.traceback, 'task b');
});

test('distinct error labels per entry are capped so a noisy server cannot exhaust memory', () => {
  const { stats } = clocked();
  for (let i = 0; i < 150; i++) stats.record('GET', '/', 1000, 0, { kind: 'http', detail: `id ${i}` });
  const errors = stats.snapshot().errors;
  assert.equal(errors.length, 101);
  assert.equal(errors.reduce((sum, e) => sum + e.occurrences, 0), 150);
  assert.equal(errors[0]!.occurrences, 50);
  assert.match(errors[0]!.error, /more than 100 distinct errors/);
});

test('a snapshot is plain JSON', () => {
  const { stats, clock } = clocked();
  stats.record('GET', '/', 1234, 5, { kind: 'http', detail: '404' });
  stats.exception(new Error('e'), 'w');
  clock.t += 1000;
  stats.tick(3);
  const snapshot = stats.snapshot();
  assert.deepEqual(JSON.parse(JSON.stringify(snapshot)), snapshot);
  assert.equal(snapshot.version, 1);
  assert.deepEqual(stats.snapshot({ history: false }).history, []);
  assert.equal(stats.snapshot({ historyAfter: T0 / 1000 + 1 }).history.length, 0);
  assert.equal(stats.snapshot({ historyAfter: T0 / 1000 }).history.length, 2);
});

/** Deterministic pseudo-random numbers (mulberry32), so the test data is the same on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('merging split snapshots gives exactly what one Stats recording everything holds', () => {
  const random = prng(42);
  const clock = { t: T0 };
  const all = new Stats({ now: () => clock.t });
  const parts = [new Stats({ now: () => clock.t }), new Stats({ now: () => clock.t })];
  const names = ['/a', '/b', '/c'];
  for (let i = 0; i < 5000; i++) {
    clock.t = T0 + i * 3;
    // Log-uniform latencies from 50 µs to ~5 s, fractional µs included.
    const latencyUs = 50 * Math.pow(10, random() * 5) + random();
    const name = names[Math.floor(random() * names.length)]!;
    const bytes = Math.floor(random() * 5000);
    const error: SampleError | undefined = random() < 0.05 ? { kind: 'http', detail: random() < 0.5 ? '500' : '502' } : undefined;
    const type = name === '/c' ? 'tools/call' : 'GET';
    all.record(type, name, latencyUs, bytes, error);
    // The samples of /c go only to the second part, so some entries exist on one side only.
    const part = name === '/c' ? parts[1]! : parts[Math.floor(random() * 2)]!;
    part.record(type, name, latencyUs, bytes, error);
  }
  const single = all.snapshot();
  const merged = mergeSnapshots(parts.map((p) => p.snapshot()));

  assert.equal(merged.entries.length, single.entries.length);
  for (const [i, expected] of single.entries.entries()) {
    const actual = merged.entries[i]!;
    for (const field of ['type', 'name', 'requests', 'failures', 'sumUs', 'minUs', 'maxUs', 'bytes', 'firstAt', 'lastAt'] as const) {
      assert.equal(actual[field], expected[field], `${expected.name} ${field}`);
    }
    const a = decodeHistogram(actual.histogram);
    const b = decodeHistogram(expected.histogram);
    assert.equal(a.totalCount, b.totalCount);
    for (const p of [1, 10, 50, 66, 90, 95, 99, 99.9, 99.99, 100]) {
      assert.equal(a.getValueAtPercentile(p), b.getValueAtPercentile(p), `${expected.name} p${p}`);
    }
  }
  assert.deepEqual(merged.errors, single.errors);
  // And so the reported rows are identical too.
  assert.deepEqual(statsRows(merged, { now: single.takenAt }), statsRows(single));
});

test('merge sums errors and exceptions, and sums user counts of history rows with the same timestamp', () => {
  const clock = { t: T0 };
  const a = new Stats({ now: () => clock.t, node: 'worker-1' });
  const b = new Stats({ now: () => clock.t, node: 'worker-2' });
  a.record('GET', '/', 1000, 0, { kind: 'http', detail: '500' });
  b.record('GET', '/', 3000, 0, { kind: 'http', detail: '500' });
  b.record('GET', '/', 5000, 0);
  a.exception(new Error('same'), 'x');
  b.exception(new Error('same'), 'x');
  clock.t = T0 + 1000;
  a.tick(10);
  b.tick(15);
  clock.t = T0 + 2000;
  b.tick(20); // only b ticked at this second
  const merged = mergeSnapshots([a.snapshot(), b.snapshot()]);
  assert.deepEqual(merged.errors, [{ type: 'GET', name: '/', error: 'http: 500', occurrences: 2 }]);
  assert.equal(merged.exceptions.length, 1);
  assert.equal(merged.exceptions[0]!.count, 2);
  assert.deepEqual(merged.exceptions[0]!.nodes, ['worker-1', 'worker-2']);

  const first = merged.history.filter((row) => row.timestamp === T0 / 1000 + 1);
  assert.deepEqual(first.map((row) => row.name), ['/', 'Aggregated']);
  assert.equal(first[0]!.userCount, 25);
  assert.equal(first[0]!.requestsPerSec, 3);
  assert.equal(first[0]!.totalRequests, 3);
  assert.equal(first[0]!.totalMinMs, 1);
  assert.equal(first[0]!.totalMaxMs, 5);
  assert.equal(first[0]!.percentilesMs['100'], 5);
  const second = merged.history.filter((row) => row.timestamp === T0 / 1000 + 2);
  assert.equal(second[0]!.userCount, 20);
});

test('merge rejects what is not a snapshot', () => {
  assert.throws(() => mergeSnapshots([]), /no snapshots/);
  assert.throws(() => mergeSnapshots([{ version: 2 } as unknown as Snapshot]), /invalid snapshot #1/);
  const { stats } = clocked();
  stats.record('GET', '/', 1, 0);
  const broken = stats.snapshot();
  broken.entries[0]!.histogram = 'not base64 at all';
  assert.throws(() => mergeSnapshots([broken]), /histogram of GET \/ cannot be decoded/);
});

test('liveRows gives exactly the rows statsRows computes from a snapshot, without the snapshot', () => {
  const { stats, clock } = clocked();
  const empty = stats.liveRows();
  assert.deepEqual(empty, statsRows(stats.snapshot()));
  // Three entries over 12 s with failures, so current rates, percentiles and Aggregated all have something to show.
  for (let second = 0; second < 12; second++) {
    for (let i = 0; i < 7; i++) {
      clock.t = T0 + second * 1000 + i * 37;
      stats.record('tools/call', i % 2 ? 'add' : 'echo', 300 + second * 1000 + i * 113, 40, i === 3 ? { kind: 'http', detail: '503' } : undefined);
      if (i === 0) stats.record('initialize', '', 5000 + second, 900);
    }
  }
  clock.t = T0 + 12_400;
  const live = stats.liveRows();
  assert.deepEqual(live, statsRows(stats.snapshot()));
  assert.equal(live.rows.length, 3);
  assert.equal(live.aggregated.requests, 12 * 8);
  assert.ok(live.aggregated.currentRps > 0);
  assert.deepEqual(stats.liveRows({ now: T0 + 15_000 }), statsRows(stats.snapshot(), { now: T0 + 15_000 }));
  // After a reset the entries stay listed with zeroes, as in a snapshot.
  stats.reset();
  assert.deepEqual(stats.liveRows(), statsRows(stats.snapshot()));
});

test('a snapshot without histograms keeps every other figure', () => {
  const { stats } = clocked();
  stats.record('tools/call', 'add', 1234, 10);
  const full = stats.snapshot();
  const light = stats.snapshot({ histograms: false });
  assert.equal(light.entries[0]!.histogram, '');
  assert.notEqual(full.entries[0]!.histogram, '');
  assert.deepEqual({ ...light.entries[0], histogram: 'x' }, { ...full.entries[0], histogram: 'x' });
});

test('a history row closed a few ms after the last divides by a second, not by the sliver', () => {
  const { stats, clock } = clocked();
  clock.t = T0 + 1000;
  stats.tick(1);
  clock.t = T0 + 1004;
  for (let i = 0; i < 3; i++) stats.record('GET', '/', 1000, 0);
  clock.t = T0 + 1005; // the closing tick at the stop
  stats.tick(0);
  const last = stats.snapshot().history.filter((row) => row.name === '/').at(-1)!;
  assert.equal(last.requestsPerSec, 3);
  assert.equal(last.intervalS, 1);
});

test('entryCount counts (type, name) pairs; from MANY_NAMES on, a run note says what they cost and how to name them as one', async () => {
  const { manyNamesNote, MANY_NAMES } = await import('../../src/app/test-run.js');
  const { stats } = clocked();
  for (let i = 0; i < 5; i++) stats.record('GET', `/items/${i}`, 1000, 10);
  stats.record('POST', '/items/0', 1000, 10);
  stats.record('GET', '/items/0', 2000, 10);
  assert.equal(stats.entryCount, 6);
  assert.equal(manyNamesNote(MANY_NAMES - 1), undefined);
  const note = manyNamesNote(2000);
  assert.match(note ?? '', /^2000 request names, each with latency histograms of its own \(about 359 MB in all\)/);
  assert.match(note ?? '', /name: '\/items\/\{id\}'/);
});

test('ticks that skip idle entries keep the Aggregated figures exact: history rows and live rows equal a from-scratch count', () => {
  const { stats, clock } = clocked();
  const names = ['a', 'b', 'c', 'd', 'e'];
  for (let second = 0; second < 12; second++) {
    // Entry k is sampled one second in k+1: most entries are idle at most ticks, as when names carry IDs.
    const fresh = new Stats({ now: () => clock.t });
    for (const [k, name] of names.entries()) {
      if (second % (k + 1) !== 0) continue;
      for (let i = 0; i < 3 + k; i++) {
        clock.t = T0 + second * 1000 + 100 + k * 50 + i;
        const us = 200 + 977 * ((second * 7 + k * 13 + i * 31) % 101);
        stats.record('GET', name, us, 10);
        fresh.record('GET', name, us, 10);
      }
    }
    // One entry goes from a few samples a second to more than an entry keeps as values (32), in the middle of second 3.
    const hot = second < 3 ? 5 : second === 3 ? 40 : 50;
    for (let i = 0; i < hot; i++) {
      clock.t = T0 + second * 1000 + 400 + i;
      if (second === 3 && i === 20) assert.deepEqual(stats.liveRows(), statsRows(stats.snapshot()), 'live rows before the switch');
      const us = 150 + 611 * ((second * 11 + i * 17) % 97);
      stats.record('POST', 'hot', us, 10);
      fresh.record('POST', 'hot', us, 10);
    }
    clock.t = T0 + second * 1000 + 600;
    assert.deepEqual(stats.liveRows(), statsRows(stats.snapshot()), `live rows between ticks, second ${second}`);
    clock.t = T0 + (second + 1) * 1000;
    const whole = statsRows(stats.snapshot()).aggregated;
    const rows = stats.tick(1);
    const aggregated = rows[rows.length - 1]!;
    assert.equal(aggregated.name, 'Aggregated');
    assert.equal(aggregated.totalRequests, whole.requests);
    assert.equal(aggregated.totalMedianMs, whole.medianMs, `the whole run's median at tick ${second}`);
    // The interval's percentiles: those of a Stats that saw only this second's samples.
    const own = fresh.liveRows();
    for (const key of ['50', '90', '99', '100']) assert.equal(aggregated.percentilesMs[key], own.aggregated.percentilesMs[key], `p${key} of second ${second}`);
    const hotRow = rows.find((row) => row.name === 'hot')!;
    const hotOwn = own.rows.find((row) => row.name === 'hot')!;
    for (const key of ['50', '95', '100']) assert.equal(hotRow.percentilesMs[key], hotOwn.percentilesMs[key], `hot p${key} of second ${second}`);
    assert.deepEqual(stats.liveRows(), statsRows(stats.snapshot()), `live rows right after tick ${second}`);
  }
  stats.reset();
  stats.record('GET', 'a', 5000, 1);
  clock.t += 1000;
  const afterReset = stats.tick(1);
  assert.equal(afterReset[afterReset.length - 1]!.totalRequests, 1);
  assert.equal(afterReset[afterReset.length - 1]!.totalMedianMs, 5);
});

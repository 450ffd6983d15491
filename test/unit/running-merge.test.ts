/**
 * A leader's running merge of its workers' updates (running-merge.ts, fed by
 * Stats.update through snapshot-update.ts) against the exact merge of their
 * whole snapshots (mergeSnapshots): the same figures and the same histogram
 * buckets, after many updates, a worker's own reset, a final result, a lost
 * worker's rebuild; an update that is not one changes nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../../src/engine/rng.js';
import { decodeHistogram, recordedValues } from '../../src/metrics/histogram.js';
import { RunningMerge } from '../../src/metrics/running-merge.js';
import { statsRows, totalsRows } from '../../src/metrics/rows.js';
import { mergeSnapshots, type Snapshot } from '../../src/metrics/snapshot.js';
import { UpdateBaseline, WHOLE_EVERY, type SnapshotUpdate } from '../../src/metrics/snapshot-update.js';
import { Stats } from '../../src/metrics/stats.js';

const ENTRIES: Array<[string, string]> = [['MCP', 'tools/call echo'], ['MCP', 'tools/call add'], ['GET', '/health'], ['MCP', 'resources/read']];

class FakeWorker {
  clock = 1_700_000_000_000;
  readonly stats = new Stats({ now: () => this.clock });
  readonly baseline = new UpdateBaseline();
  constructor(private readonly rng: () => number) {}

  /** `n` requests with spread latencies (µs) over random entries, some failed, some checked. */
  work(n: number): void {
    for (let i = 0; i < n; i++) {
      this.clock += Math.floor(this.rng() * 40);
      const [type, name] = ENTRIES[Math.floor(this.rng() * ENTRIES.length)]!;
      const latencyUs = Math.exp(6 + this.rng() * 8);
      const failed = this.rng() < 0.05;
      this.stats.record(type, name, latencyUs, Math.floor(this.rng() * 500), failed ? { kind: 'http', detail: '500 boom' } : undefined);
      if (!failed && this.rng() < 0.3) this.stats.checkPassed(type, name);
    }
  }

  update(): SnapshotUpdate {
    return this.stats.update(this.baseline, { historyAfter: Infinity });
  }
}

/** The figures and histogram buckets of each entry, for comparison. */
function comparable(snapshot: Snapshot) {
  return snapshot.entries.map(({ histogram, ...figures }) => ({ figures, buckets: recordedValues(decodeHistogram(histogram)) }));
}

function workers(count: number, seed: number): FakeWorker[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => new FakeWorker(rng));
}

describe('a running merge of updates', () => {
  it('equals the merge of the workers\' whole snapshots, figure for figure and bucket for bucket', () => {
    const pool = workers(3, 7);
    const merge = new RunningMerge();
    for (let round = 0; round < 12; round++) {
      pool.forEach((w, i) => {
        if (round % 4 !== i) w.work(1 + Math.floor(round * 37 % 90));
        assert.equal(merge.apply(i, w.update()), true);
      });
      const expected = mergeSnapshots(pool.map((w) => w.stats.snapshot({ history: false })));
      const merged = merge.snapshot();
      assert.ok(merged);
      assert.deepEqual(comparable(merged), comparable(expected), `round ${round}`);
      assert.deepEqual(merged.errors, expected.errors);
      const totals = merge.totals();
      assert.ok(totals);
      assert.deepEqual(totalsRows(totals.clock, totals.entries), statsRows(expected), `the live table, round ${round}`);
    }
  });

  it('sends only the entries with something new, and every entry again after a reset', () => {
    const [w] = workers(1, 3);
    w!.work(200);
    assert.equal(w!.update().entries.length, ENTRIES.length);
    assert.deepEqual(w!.update().entries, [], 'nothing new: no entry');
    w!.stats.record('GET', '/health', 1000, 10);
    assert.deepEqual(w!.update().entries.map((e) => [e.name, e.added]), [['/health', [bucketOf(1000), 1]]]);
    w!.stats.reset();
    const after = w!.update();
    assert.equal(after.generation, 1);
    assert.equal(after.entries.length, ENTRIES.length, 'a new generation starts with every entry');
    assert.ok(after.entries.every((e) => e.requests === 0 && e.added.length === 0));
  });

  it('starts a worker over when its own stats were reset, and drops its updates from before the leader\'s reset', () => {
    const pool = workers(2, 11);
    const merge = new RunningMerge();
    pool.forEach((w, i) => {
      w.work(150);
      merge.apply(i, w.update());
    });
    // Worker 1 resets itself (--reset-stats once its users spawned).
    pool[1]!.stats.reset();
    pool[1]!.work(40);
    merge.apply(1, pool[1]!.update());
    assert.deepEqual(comparable(merge.snapshot()!), comparable(mergeSnapshots(pool.map((w) => w.stats.snapshot()))));

    // The leader resets both; worker 0's next update was sent before the reset reached it.
    pool[0]!.work(30);
    const stale = pool[0]!.update();
    merge.reset([0, 1]);
    assert.equal(merge.snapshot(), undefined, 'nothing counts until the workers speak again');
    assert.equal(merge.apply(0, stale), false, 'sent before the reset: dropped');
    for (const w of pool) w.stats.reset();
    pool.forEach((w, i) => {
      w.work(25);
      assert.equal(merge.apply(i, w.update()), true);
    });
    assert.deepEqual(comparable(merge.snapshot()!), comparable(mergeSnapshots(pool.map((w) => w.stats.snapshot()))));
  });

  it('takes a final result in place of what its updates brought, and rebuilds a lost worker from what it sent', () => {
    const pool = workers(2, 5);
    const merge = new RunningMerge();
    // Past WHOLE_EVERY updates: what the leader holds of a worker is a whole histogram and the buckets since.
    let wholes = 0;
    for (let round = 0; round < WHOLE_EVERY + 3; round++) {
      pool.forEach((w, i) => {
        w.work(30);
        const update = w.update();
        wholes += update.entries.filter((e) => e.histogram !== undefined).length;
        merge.apply(i, update);
      });
    }
    assert.ok(wholes > 0, 'some updates carried whole histograms');
    const lostAsSent = pool[1]!.stats.snapshot();
    // Worker 0 works on and ends with its result; worker 1 is lost: what it did after its last update is gone.
    pool[0]!.work(120);
    pool[1]!.work(500);
    pool[0]!.stats.finish();
    const result = pool[0]!.stats.snapshot();
    merge.settle(0, result);
    assert.equal(merge.apply(0, pool[0]!.update()), false, 'nothing after the result');
    assert.deepEqual(comparable(merge.sourceSnapshot(1)!), comparable(lostAsSent));
    const expected = mergeSnapshots([result, lostAsSent]);
    assert.deepEqual(comparable(merge.snapshot()!), comparable(expected));
    const totals = merge.totals()!;
    assert.deepEqual(totalsRows(totals.clock, totals.entries), statsRows(expected), 'the rates of one worker ended, one running');
  });

  it('refuses an update that is not one, whole', () => {
    const [w] = workers(1, 9);
    const merge = new RunningMerge();
    w!.work(100);
    merge.apply(0, w!.update());
    const before = comparable(merge.snapshot()!);
    w!.work(100);
    const good = w!.update();
    const bad = (change: (u: SnapshotUpdate) => void): SnapshotUpdate => {
      const copy = structuredClone(good);
      change(copy);
      return copy;
    };
    const cases: Array<[string, SnapshotUpdate]> = [
      ['a bucket past the end', bad((u) => u.entries.at(-1)!.added.push(10_000_000, 1))],
      ['a negative count', bad((u) => u.entries.at(-1)!.added.push(5, -3))],
      ['odd pairs', bad((u) => u.entries.at(-1)!.added.push(5))],
      ['a count that is not a number', bad((u) => u.entries.at(-1)!.added.push(5, 'x' as unknown as number))],
      ['recent that is not seconds', bad((u) => (u.entries[0]!.recent = [[1, 2]] as unknown as Array<[number, number, number]>))],
      ['no generation', bad((u) => (u.generation = -1))],
    ];
    for (const [what, update] of cases) {
      assert.throws(() => merge.apply(0, update), /^Error: invalid update: /, what);
      assert.deepEqual(comparable(merge.snapshot()!), before, `${what}: nothing of it kept`);
    }
    assert.equal(merge.apply(0, good), true);
  });
});

/** The bucket index of a value in our histograms' shape. */
function bucketOf(us: number): number {
  const h = decodeHistogram('') as unknown as { countsArrayIndex(v: number): number };
  return h.countsArrayIndex(us);
}

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { mergeRunResults, readRunResult } from '../../src/app/merge-results.js';
import { decodeHistogram } from '../../src/metrics/histogram.js';
import { parseThreshold } from '../../src/metrics/thresholds.js';
import { Stats } from '../../src/metrics/stats.js';
import type { RunResult } from '../../src/report/run-result.js';
import { writeJsonReport } from '../../src/reporters/json.js';

function result(stats: Stats, dropped?: number): RunResult {
  const snapshot = stats.snapshot();
  return {
    tool: 'mcpload', version: 'test', settings: {}, startedAt: new Date(0).toISOString(), endedAt: new Date(1000).toISOString(),
    snapshot, thresholds: [{ expr: 'p(99)<1000', passed: true, actual: 1, detail: '' }], security: [], passed: true,
    ...(dropped !== undefined ? { droppedIterations: dropped } : {}),
  };
}

/** A deterministic spread of latencies (1 µs to ~2 s) and a few failures. */
function recordSet(stats: Stats, seed: number, n: number): void {
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const us = 1 + (x % 2_000_000);
    const name = i % 3 === 0 ? 'add' : 'echo';
    stats.record('tools/call', name, us, 10, i % 17 === 0 ? { kind: 'tool', detail: 'boom' } : undefined);
  }
}

describe('merging result files', () => {
  it('gives exactly the histogram counts of one run that recorded both sets', async () => {
    const a = new Stats();
    const b = new Stats();
    const both = new Stats();
    recordSet(a, 1, 3000);
    recordSet(b, 2, 2000);
    recordSet(both, 1, 3000);
    recordSet(both, 2, 2000);

    // Through files, as `mcpload merge` reads them.
    const dir = await mkdtemp(path.join(tmpdir(), 'mcpload-merge-'));
    try {
      await writeJsonReport(path.join(dir, 'a.json'), result(a, 3));
      await writeJsonReport(path.join(dir, 'b.json'), result(b, 4));
      const merged = mergeRunResults([await readRunResult(path.join(dir, 'a.json')), await readRunResult(path.join(dir, 'b.json'))]);
      const single = both.snapshot();
      assert.equal(merged.snapshot.entries.length, single.entries.length);
      for (const [i, entry] of merged.snapshot.entries.entries()) {
        const expected = single.entries[i]!;
        assert.equal(entry.name, expected.name);
        assert.equal(entry.requests, expected.requests);
        assert.equal(entry.failures, expected.failures);
        assert.equal(entry.sumUs, expected.sumUs);
        assert.equal(entry.minUs, expected.minUs);
        assert.equal(entry.maxUs, expected.maxUs);
        const h1 = decodeHistogram(entry.histogram);
        const h2 = decodeHistogram(expected.histogram);
        assert.equal(h1.totalCount, h2.totalCount);
        for (const p of [50, 90, 99, 99.9, 100]) assert.equal(h1.getValueAtPercentile(p), h2.getValueAtPercentile(p));
      }
      assert.deepEqual(merged.snapshot.errors.map((e) => e.occurrences), single.errors.map((e) => e.occurrences));
      assert.equal(merged.droppedIterations, 7);
      // mcpload's default rules are judged beside the run's own, as in a single run.
      assert.deepEqual(merged.thresholds.map((t) => t.expr), ['error_rate<1%', 'checks==100%', 'exceptions==0', 'p(99)<1000']);
      assert.equal(merged.thresholds.find((t) => t.expr === 'p(99)<1000')!.passed, false); // judged again on the whole: p99 is ~2 s
      assert.equal(merged.passed, false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('judges by the thresholds it is given, and refuses files that are not results', async () => {
    const a = new Stats();
    recordSet(a, 3, 100);
    const merged = mergeRunResults([result(a)], [parseThreshold('error_rate<0.5')]);
    assert.equal(merged.thresholds[0]!.passed, true);
    assert.equal(merged.droppedIterations, undefined);
    await assert.rejects(readRunResult('/nonexistent/x.json'), /no such file/);
  });

  it('adds up first-byte snapshots and scenario figures where parts have them', () => {
    const a = new Stats();
    const b = new Stats();
    recordSet(a, 3, 100);
    recordSet(b, 4, 50);
    const withExtras = { ...result(a), firstByteSnapshot: a.snapshot(), scenarioFigures: { sessionsAccepted: 5, sessionsRefused: 1 } };
    const without = result(b);
    const merged = mergeRunResults([withExtras, without, { ...result(b), scenarioFigures: { sessionsAccepted: 2 } }]);
    assert.deepEqual(merged.scenarioFigures, { sessionsAccepted: 7, sessionsRefused: 1 });
    assert.equal(merged.firstByteSnapshot!.entries.reduce((n, e) => n + e.requests, 0), 100);
    const none = mergeRunResults([without, without]);
    assert.equal(none.scenarioFigures, undefined);
    assert.equal(none.firstByteSnapshot, undefined);
  });
});

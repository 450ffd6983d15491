/**
 * `quitting` at the end of concludeRun (app/conclude.ts): the listeners see
 * the exit code last and may change it; a listener that throws, or sets no
 * valid exit code, never turns a run into a pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concludeRun } from '../../src/app/conclude.js';
import { RunEvents, type RunListeners } from '../../src/metrics/events.js';
import { Stats } from '../../src/metrics/stats.js';
import { judgeRun } from '../../src/report/verdict.js';
import type { RunResult } from '../../src/report/run-result.js';

function passingResult(): RunResult {
  const stats = new Stats();
  for (let i = 0; i < 5; i++) stats.record('tools/call', 'add', 1000, 10);
  stats.finish();
  const snapshot = stats.snapshot();
  const judged = judgeRun([], snapshot);
  return {
    tool: 'mcpload', version: 't', settings: {}, startedAt: '', endedAt: '', snapshot, notes: [], peakUsers: 1,
    thresholds: judged.thresholds, security: judged.security, passed: judged.passed, verdict: judged.verdict,
  };
}

async function conclude(listeners: RunListeners | RunListeners[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (text: string) => (out += text), err: (text: string) => (err += `${text}\n`) };
  const code = await concludeRun(passingResult(), {}, io, [], new RunEvents(listeners, () => {}));
  return { code, out, err };
}

test('quitting sees the exit code and the whole run\'s stats, and the last code set wins', async () => {
  const seen: Array<[number, boolean, number]> = [];
  const r = await conclude([
    { quitting: (q) => { seen.push([q.exitCode, q.passed, q.stats.aggregated.requests]); q.exitCode = 4; } },
    { quitting: async (q) => { await Promise.resolve(); q.exitCode = 3; } },
  ]);
  assert.deepEqual(seen, [[0, true, 5]]);
  assert.equal(r.code, 3);
  assert.match(r.out, /exit code 3: set by a quitting listener\n$/);
});

test('a quitting listener that throws turns 0 into 1 and is named', async () => {
  const r = await conclude({ quitting: () => { throw new Error('listener bug'); } });
  assert.equal(r.code, 1);
  assert.match(r.err, /error: a quitting listener failed: listener bug/);
});

test('an exit code that is not a whole number from 0 to 255 is refused', async () => {
  for (const bad of [256, -1, 1.5, Number.NaN]) {
    const r = await conclude({ quitting: (q) => { q.exitCode = bad; } });
    assert.equal(r.code, 1, String(bad));
    assert.match(r.err, /an exit code is a whole number from 0 to 255/);
  }
});

test('no quitting listener: the exit code is the verdict\'s', async () => {
  const r = await conclude({ request: () => {} });
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.out, /set by a quitting listener/);
});

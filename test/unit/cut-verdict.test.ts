/**
 * Requests cut at the stop in the verdict: counted per row and merged, left
 * out of error_rate, and failing the run only when nothing (or a whole row)
 * ever completed. A SECURITY probe that got no answer is a connect failure,
 * never "let through".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stats } from '../../src/metrics/stats.js';
import { CUT_AT_STOP } from '../../src/metrics/sample.js';
import { mergeSnapshots } from '../../src/metrics/snapshot.js';
import { securityResults } from '../../src/security/verdicts.js';
import { judgeRun } from '../../src/report/verdict.js';
import { formatSummary } from '../../src/reporters/console.js';
import { InFlight } from '../../src/transports/in-flight.js';

const T0 = 1_700_000_000_000;

function stats(): Stats {
  return new Stats({ now: () => T0 });
}

test('a run where nothing completed and requests were cut fails, saying how many were still waiting', () => {
  const s = stats();
  for (let i = 0; i < 20; i++) s.record('initialize', '/mcp', 9_000_000, 0, CUT_AT_STOP);
  const snap = s.snapshot();
  assert.equal(snap.entries[0]!.cut, 20);
  const judged = judgeRun([], snap);
  assert.equal(judged.passed, false);
  assert.deepEqual(judged.verdict.failures, ['no request completed: 20 requests were still waiting for a reply when the run stopped (the target did not answer)']);
  assert.equal(judged.verdict.onlyDefaults, true);
  const summary = formatSummary(snap, judged.thresholds, judged.security, { verdict: judged.verdict });
  assert.match(summary, /Cut at the stop: 20 requests were still waiting for a reply when the run stopped/);
  assert.match(summary, /\nFAILED: requests never answered\n/);
  assert.ok(!summary.includes('PASSED'));
});

test('the few requests in flight at a healthy run\'s stop are shown but judge nothing, and error_rate leaves them out', () => {
  const s = stats();
  for (let i = 0; i < 50; i++) s.record('tools/call', 'add', 2_000, 10);
  for (let i = 0; i < 5; i++) s.record('tools/call', 'add', 1_000, 0, CUT_AT_STOP);
  const judged = judgeRun([], s.snapshot());
  assert.equal(judged.passed, true, judged.verdict.failures.join('\n'));
  const errorRate = judged.thresholds.find((t) => t.expr === 'error_rate<1%')!;
  assert.equal(errorRate.actual, 0);
  assert.match(errorRate.over!, /^50 completed requests \(0 failed\), 5 requests cut at the stop left out$/);
});

test('a row whose every request was cut after a second or more fails the run; one cut quickly does not', () => {
  const s = stats();
  s.record('initialize', '/mcp', 3_000, 0);
  s.record('tools/call', 'echo', 1_800_000, 0, CUT_AT_STOP);
  s.record('tools/call', 'echo', 1_700_000, 0, CUT_AT_STOP);
  s.record('tools/call', 'rare', 40_000, 0, CUT_AT_STOP);
  const judged = judgeRun([], s.snapshot());
  assert.equal(judged.passed, false);
  assert.deepEqual(judged.verdict.failures, ['tools/call echo: none of 2 requests completed; still waiting after up to 1.8 s when the run stopped']);
});

test('cut counts survive a merge of snapshots (workers, machines)', () => {
  const a = stats();
  const b = stats();
  a.record('initialize', '/mcp', 5_000_000, 0, CUT_AT_STOP);
  b.record('initialize', '/mcp', 5_000_000, 0, CUT_AT_STOP);
  b.record('initialize', '/mcp', 5_000, 0);
  const merged = mergeSnapshots([a.snapshot(), b.snapshot()]);
  assert.equal(merged.entries[0]!.cut, 2);
  assert.equal(merged.entries[0]!.requests, 3);
});

test('a SECURITY probe refused at the connection (or cut) is not let through; one answered 200 is', () => {
  const s = stats();
  s.record('SECURITY', 'GET /admin', 1_000, 0, { kind: 'connect', detail: 'ECONNREFUSED' });
  s.record('SECURITY', 'GET /admin', 1_000, 0, CUT_AT_STOP);
  s.record('SECURITY', 'GET /debug', 1_000, 0, { kind: 'security', detail: 'GET /debug answered 200, expected 401/403/404' });
  const results = securityResults(s.snapshot());
  assert.deepEqual(results.map((r) => [r.name, r.attempts, r.failures, r.passed]), [['GET /admin', 2, 0, true], ['GET /debug', 1, 1, false]]);
  assert.deepEqual(results[1]!.evidence, ['security: GET /debug answered 200, expected 401/403/404']);
});

test('InFlight records a request cut by the stop at that moment, once, as cut; a timed-out one is left to its transport', async () => {
  const recorded: Array<[string, string, string | undefined]> = [];
  const recorder = { record: (type: string, name: string, _us: number, _b: number, error?: { kind: string }) => recorded.push([type, name, error?.kind]), exception: () => {} };
  const controller = new AbortController();
  const inFlight = new InFlight(controller.signal, recorder);
  const waiting = inFlight.start(60_000);
  waiting.recordAs('tools/call', 'echo', performance.now() * 1000, performance.now() * 1000);
  const notRecorded = inFlight.start(60_000);
  const answered = inFlight.start(60_000);
  answered.recordAs('tools/call', 'drained', 0, 0);
  answered.answered();
  const timedOut = inFlight.start(1);
  timedOut.recordAs('tools/call', 'slow', 0, 0);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(timedOut.timedOut, true);
  controller.abort();
  assert.deepEqual(recorded, [['tools/call', 'echo', 'cut']]);
  assert.equal(waiting.cut && waiting.aborted && notRecorded.cut && answered.cut, true);
  assert.equal(timedOut.cut, false);
  assert.equal(inFlight.isCut, true);
});

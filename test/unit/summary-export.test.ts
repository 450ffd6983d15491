import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stats } from '../../src/metrics/stats.js';
import { parseThreshold } from '../../src/metrics/thresholds.js';
import { judgeRun } from '../../src/report/verdict.js';
import type { RunResult } from '../../src/report/run-result.js';
import { summaryExport } from '../../src/reporters/summary-export.js';

const T0 = 1_700_000_000_000;

function result(): RunResult {
  const clock = { t: T0 };
  const stats = new Stats({ now: () => clock.t });
  for (let i = 1; i <= 10; i++) {
    clock.t = T0 + i * 100;
    if (i > 2) stats.checkPassed('tools/call', 'add');
    stats.record('tools/call', 'add', i * 1000, 100, i <= 2 ? { kind: 'check', detail: 'wrong sum' } : undefined);
  }
  stats.record('SECURITY', 'GET /admin', 50_000_000, 0);
  clock.t = T0 + 2000;
  stats.finish();
  const snapshot = stats.snapshot();
  const judged = judgeRun([parseThreshold('p(95)<5'), parseThreshold('name=add:count>5')], snapshot);
  return {
    tool: 'mcpload', version: 't', settings: {}, startedAt: '', endedAt: '', snapshot, notes: [], peakUsers: 4,
    thresholds: judged.thresholds, security: judged.security, passed: judged.passed, verdict: judged.verdict,
  };
}

test("k6's summary export: trend in ms, counters with rates over the run, rate metrics as passes/fails/value, SECURITY apart", () => {
  const out = summaryExport(result(), 1) as {
    metrics: Record<string, Record<string, unknown>>; root_group: { checks: Record<string, { passes: number; fails: number }> };
    state: { testRunDurationMs: number }; mcpload: { passed: boolean; exitCode: number; failures: string[] };
  };
  const m = out.metrics;
  // The 50 s SECURITY probe is not in http_req_duration (as in unselected thresholds).
  assert.equal(m.http_req_duration!.max, 10);
  assert.equal(m.http_req_duration!.min, 1);
  assert.equal(m.http_req_duration!.avg, 5.5);
  assert.deepEqual(m.http_reqs, { count: 10, rate: 5 });
  // k6's rate metric counts true values: for http_req_failed, passes are the failed requests.
  assert.deepEqual(m.http_req_failed!, { passes: 2, fails: 8, value: 0.2, thresholds: { 'error_rate<1%': true } });
  assert.deepEqual(m.checks, { passes: 8, fails: 2, value: 0.8, thresholds: { 'checks==100%': true } });
  assert.deepEqual(m.vus_max, { value: 4, min: 4, max: 4 });
  assert.deepEqual(m.data_received, { count: 1000, rate: 500 });
  assert.deepEqual(m.security_checks, { passes: 1, fails: 0, value: 1 });
  assert.deepEqual(m['http_reqs{type:tools/call,name:add}'], { count: 10, rate: 5 });
  // Thresholds under the metric they judge; true means FAILED, as in k6's export.
  assert.deepEqual((m.http_req_duration as { thresholds: Record<string, boolean> }).thresholds, { 'p(95)<5': true });
  assert.deepEqual(m['http_reqs{name:add}'], { thresholds: { 'name=add:count>5': false } });
  assert.deepEqual(out.root_group.checks['tools/call add'], { name: 'tools/call add', path: '::tools/call add', id: 'tools/call add', passes: 8, fails: 2 });
  assert.equal(out.state.testRunDurationMs, 2000);
  assert.equal(out.mcpload.passed, false);
  assert.equal(out.mcpload.exitCode, 1);
  assert.equal(out.mcpload.failures.length, 3);
});

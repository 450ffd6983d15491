import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ThresholdError, evaluateThresholds, mergeThresholdLists, parseThreshold, securityResults,
} from '../../src/metrics/thresholds.js';
import { Stats } from '../../src/metrics/stats.js';

const T0 = 1_700_000_000_000;

test('every metric parses, with its canonical unit', () => {
  const cases: Array<[string, Partial<ReturnType<typeof parseThreshold>>]> = [
    ['avg<100', { metric: 'avg', op: '<', value: 100 }],
    ['med<=50', { metric: 'med', op: '<=', value: 50 }],
    ['min>1', { metric: 'min', op: '>', value: 1 }],
    ['max>=2', { metric: 'max', op: '>=', value: 2 }],
    ['p(95)<500', { metric: 'p', percentile: 95, value: 500 }],
    ['p(99.9)<1s', { metric: 'p', percentile: 99.9, value: 1000 }],
    ['p(0)>=0', { metric: 'p', percentile: 0, value: 0 }],
    ['p(100)==5', { metric: 'p', percentile: 100, op: '==', value: 5 }],
    ['error_rate<0.01', { metric: 'error_rate', value: 0.01 }],
    ['error_rate<1%', { metric: 'error_rate', value: 0.01 }],
    ['rate<=2.5%', { metric: 'error_rate', op: '<=', value: 0.025 }],
    ['rps>=100', { metric: 'rps', op: '>=', value: 100 }],
    ['rps>10/s', { metric: 'rps', value: 10 }],
  ];
  for (const [expr, expected] of cases) {
    const t = parseThreshold(expr);
    assert.deepEqual(t.selector, {}, expr);
    for (const [key, value] of Object.entries(expected)) assert.equal(t[key as keyof typeof t], value, `${expr}: ${key}`);
    assert.equal(t.expr, expr);
  }
});

test('time units, spaces and case are accepted', () => {
  assert.equal(parseThreshold('p(95)<0.5s').value, 500);
  assert.equal(parseThreshold('avg < 250ms').value, 250);
  assert.equal(parseThreshold('  AVG <= 1.5 S ').value, 1500);
  assert.equal(parseThreshold('p( 90 ) > .5').value, 0.5);
  assert.equal(parseThreshold('max<1e3').value, 1000);
});

test('selectors: name, type, both, and names containing ":" and ","', () => {
  assert.deepEqual(parseThreshold('name=/api/v1/tools/call:avg<100').selector, { name: '/api/v1/tools/call' });
  assert.deepEqual(parseThreshold('type=tools/call:p(95)<200').selector, { type: 'tools/call' });
  assert.deepEqual(parseThreshold('type=GET,name=/health:max<5').selector, { type: 'GET', name: '/health' });
  assert.deepEqual(parseThreshold('name=/health,type=GET:max<5').selector, { type: 'GET', name: '/health' });
  // The selector ends at the last ":" that a valid condition follows.
  assert.deepEqual(parseThreshold('name=resource://docs/readme:p(95)<200').selector, { name: 'resource://docs/readme' });
  assert.deepEqual(parseThreshold('name=urn:a:b:c:max<5').selector, { name: 'urn:a:b:c' });
  const tricky = parseThreshold('name=odd:avg<1:max<5');
  assert.deepEqual(tricky.selector, { name: 'odd:avg<1' });
  assert.equal(tricky.metric, 'max');
  assert.deepEqual(parseThreshold('name=/a,b:avg<1').selector, { name: '/a,b' });
  assert.deepEqual(parseThreshold('name=has spaces :avg<1').selector, { name: 'has spaces ' });
});

test('bad input throws a ThresholdError naming the bad part', () => {
  const bad: Array<[string, RegExp]> = [
    ['p95<3', /^invalid threshold "p95<3": expected p\(N\), avg, med, min, max, error_rate, rps, checks, count or exceptions$/],
    ['latency<3', /expected p\(N\), avg/],
    ['avg 100', /expected an operator <, <=, >, >= or == after "avg"/],
    ['avg=<100', /expected an operator/],
    ['avg<', /missing value/],
    ['avg<fast', /"fast" is not a number/],
    ['avg<100m', /"100m" is not a number/],
    ['p(101)<3', /percentile 101 is outside 0–100/],
    ['p(x)<3', /"x" is not a number/],
    ['max()<3', /"max\(\)"/],
    ['error_rate<150%', /outside 0–1/],
    ['error_rate<5ms', /not a number/],
    ['avg<-1', /negative/],
    ['host=x:avg<1', /selector "host=x" must be name=\.\.\., type=\.\.\./],
    ['name=:avg<1', /empty name/],
    ['type=GET', /must be followed by ":" and a condition/],
    ['type=GET:bogus<1', /expected p\(N\)/],
    ['type=a,type=b:avg<1', /type twice/],
    ['', /empty/],
  ];
  for (const [expr, message] of bad) {
    assert.throws(() => parseThreshold(expr), (err: unknown) => {
      assert.ok(err instanceof ThresholdError, `${expr}: ${String(err)}`);
      assert.ok(err instanceof Error);
      assert.match(err.message, message, expr);
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    });
  }
});

/** /fast: 10 requests of 1..10 ms, 1 failed; /slow: 10 of 100..1000 ms; SECURITY probe failing. Over 10 s. */
function sampleSnapshot() {
  const clock = { t: T0 };
  const stats = new Stats({ now: () => clock.t });
  for (let i = 1; i <= 10; i++) {
    clock.t = T0 + i * 1000;
    stats.record('GET', '/fast', i * 1000, 0, i === 10 ? { kind: 'http', detail: '500' } : undefined);
    stats.record('tools/call', '/slow', i * 100_000, 0);
  }
  stats.record('SECURITY', 'admin', 9_999_000, 0, { kind: 'security', detail: 'GET /admin answered 200' });
  return stats.snapshot();
}

test('evaluation against hand-computed figures', () => {
  const snapshot = sampleSnapshot();
  const run = (expr: string) => evaluateThresholds([parseThreshold(expr)], snapshot)[0]!;

  // Unselected: /fast and /slow (SECURITY left out): 20 requests, 1 failure over 10 s.
  assert.equal(run('max<=1000').passed, true, 'the 9999 ms SECURITY sample is not counted');
  assert.equal(run('max<=1000').actual, 1000);
  assert.equal(run('min==1').passed, true);
  assert.equal(run('avg<280').actual, (55 + 5500) / 20);
  assert.equal(run('avg<278').passed, true);
  assert.equal(run('avg<277').passed, false);
  assert.equal(run('error_rate<=5%').actual, 0.05);
  assert.equal(run('error_rate<=5%').passed, true);
  assert.equal(run('error_rate<5%').passed, false);
  assert.equal(run('rps>=2').actual, 2);
  assert.equal(run('rps>2').passed, false);

  // Selected.
  const fast = run('name=/fast:p(50)<=5.01');
  assert.ok(Math.abs(fast.actual! - 5) <= 0.005, String(fast.actual));
  assert.equal(fast.passed, true);
  assert.equal(run('name=/fast:med<5').passed, false);
  assert.equal(run('type=tools/call:p(100)==1000').passed, true);
  assert.equal(run('type=tools/call:p(90)<0.8s').passed, false);
  assert.equal(run('type=GET,name=/fast:error_rate==0.1').passed, true);
  assert.equal(run('type=GET,name=/fast:rps==1').passed, true);
  assert.equal(run('type=SECURITY:max>9s').passed, true, 'SECURITY can be selected explicitly');

  const none = run('name=/nothing:avg<1');
  assert.deepEqual(none, {
    expr: 'name=/nothing:avg<1', passed: false, actual: null, detail: 'no requests matched',
    source: 'user', isDefault: false,
  });
  assert.equal(run('type=GET,name=/slow:avg<1').detail, 'no requests matched');
  assert.match(run('p(95)<500').detail, /p\(95\) = [\d.]+ ms \(required < 500 ms\)/);
});

test('overrides replace defaults with the same selector and metric, in place; others are appended', () => {
  const list = mergeThresholdLists(
    ['p(95)<500', 'error_rate<1%', 'name=/a:avg<100', 'p(99)<1000'],
    ['rate<5%', 'p(95)<300', 'name=/b:avg<50', 'name=/a:avg<80', 'p(99.9)<2s'],
  );
  assert.deepEqual(list.map((t) => t.expr), [
    'p(95)<300', 'rate<5%', 'name=/a:avg<80', 'p(99)<1000', 'name=/b:avg<50', 'p(99.9)<2s',
  ]);
  // A different operator on the same figure still overrides (same selector + metric).
  assert.deepEqual(mergeThresholdLists(['avg<100'], ['avg>=1']).map((t) => t.expr), ['avg>=1']);
  assert.throws(() => mergeThresholdLists(['p95<3'], []), ThresholdError);
});

test('securityResults: one per SECURITY entry, evidence from its error groups', () => {
  const clock = { t: T0 };
  const stats = new Stats({ now: () => clock.t });
  stats.record('SECURITY', 'sensitive-routes', 1000, 0, { kind: 'security', detail: 'GET /admin answered 200' });
  stats.record('SECURITY', 'sensitive-routes', 1000, 0, { kind: 'security', detail: 'GET /admin answered 200' });
  stats.record('SECURITY', 'sensitive-routes', 1000, 0, { kind: 'security', detail: 'DELETE /users answered 204' });
  stats.record('SECURITY', 'sensitive-routes', 1000, 0);
  stats.record('SECURITY', 'origin-check', 1000, 0);
  stats.record('GET', '/admin', 1000, 0, { kind: 'http', detail: '500' });
  assert.deepEqual(securityResults(stats.snapshot()), [
    { name: 'origin-check', attempts: 1, failures: 0, passed: true, evidence: [] },
    {
      name: 'sensitive-routes', attempts: 4, failures: 3, passed: false,
      evidence: ['security: GET /admin answered 200 (×2)', 'security: DELETE /users answered 204'],
    },
  ]);
});

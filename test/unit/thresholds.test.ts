import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ThresholdError, evaluateThresholds, mergeThresholdLists, parseThreshold, withDefaultRules } from '../../src/metrics/thresholds.js';
import { securityResults } from '../../src/security/verdicts.js';
import { crossedAbortRule } from '../../src/metrics/verdict.js';
import { exitCodeFor, judgeRun } from '../../src/report/verdict.js';
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

test('a user\'s rule that retunes a scenario\'s row rule is not judged when the row was never drawn; one the user added is', () => {
  const stats = new Stats({ now: () => T0 });
  stats.record('GET', '/drawn', 10_000, 10);
  const list = mergeThresholdLists(['name=/rare:avg<50'], ['name=/rare:avg<60s', 'name=/other:avg<60s']);
  assert.deepEqual(list.map((t) => [t.expr, t.replacesDefault ?? false]), [['name=/rare:avg<60s', true], ['name=/other:avg<60s', false]]);
  const [rare, other] = evaluateThresholds(list, stats.snapshot(), 1);
  assert.deepEqual([rare!.passed, rare!.detail, rare!.isDefault], [true, 'no requests matched (replaces a default: not judged)', false]);
  assert.deepEqual([other!.passed, other!.detail], [false, 'no requests matched']);
  // Drawn, the retuned rule is judged like any other.
  stats.record('GET', '/rare', 100_000, 10);
  const judged = evaluateThresholds(mergeThresholdLists(['name=/rare:avg<50'], ['name=/rare:avg<90']), stats.snapshot(), 1)[0]!;
  assert.deepEqual([judged.passed, judged.actual], [false, 100]);
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

test('checks, count and exceptions parse; abortOnFail with an optional delay', () => {
  assert.deepEqual(pick(parseThreshold('checks>0.99')), { metric: 'checks', op: '>', value: 0.99 });
  assert.deepEqual(pick(parseThreshold('checks==100%')), { metric: 'checks', op: '==', value: 1 });
  assert.deepEqual(pick(parseThreshold('count>100')), { metric: 'count', op: '>', value: 100 });
  assert.deepEqual(parseThreshold('name=/x:count>=3').selector, { name: '/x' });
  assert.deepEqual(pick(parseThreshold('exceptions<5')), { metric: 'exceptions', op: '<', value: 5 });
  const abort = parseThreshold('error_rate<0.05:abortOnFail');
  assert.equal(abort.abortOnFail, true);
  assert.equal(abort.abortDelayS, undefined);
  assert.equal(abort.expr, 'error_rate<0.05:abortOnFail');
  assert.equal(abort.value, 0.05);
  assert.equal(parseThreshold('p(95)<500:abortOnFail(30s)').abortDelayS, 30);
  assert.equal(parseThreshold('p(95)<500:abortonfail(2m)').abortDelayS, 120);
  assert.equal(parseThreshold('name=a:b:p(95)<500:abortOnFail(500ms)').abortDelayS, 0.5);
  assert.deepEqual(parseThreshold('name=a:b:p(95)<500:abortOnFail(500ms)').selector, { name: 'a:b' });
  assert.throws(() => parseThreshold('checks>2'), /checks rate 2 is outside 0–1/);
  assert.throws(() => parseThreshold('count>-1'), /count -1 is negative/);
  assert.throws(() => parseThreshold('name=x:exceptions<1'), /takes no name= or type= selector/);
  assert.throws(() => parseThreshold('avg<1:abortOnFail(soon)'), /abortOnFail\(soon\): expected a delay/);
});

function pick(t: ReturnType<typeof parseThreshold>) {
  return { metric: t.metric, op: t.op, value: t.value };
}

test('checks is the rate of passed checks; count the number of requests; exceptions the task exceptions', () => {
  const stats = new Stats({ now: () => T0 });
  // As a transport does: a check that held is counted, one that failed is the sample's `check` error.
  for (let i = 0; i < 10; i++) {
    if (i > 0) stats.checkPassed('tools/call', 'add');
    stats.record('tools/call', 'add', 1000, 0, i === 0 ? { kind: 'check', detail: 'wrong sum' } : undefined);
  }
  stats.record('GET', '/h', 1000, 0);
  stats.exception(new Error('x'), 'task');
  stats.exception(new Error('x'), 'task');
  const snapshot = stats.snapshot();
  const run = (expr: string) => evaluateThresholds([parseThreshold(expr)], snapshot)[0]!;
  assert.equal(run('checks>=0.9').actual, 0.9);
  assert.equal(run('checks>=0.9').passed, true);
  assert.equal(run('checks>=0.9').over, '10 checks (1 failed)');
  assert.equal(run('checks>0.99').passed, false);
  assert.equal(run('count==11').passed, true);
  assert.equal(run('name=/h:count==1').passed, true);
  assert.equal(run('name=/h:count==1').over, 'all requests of name=/h');
  assert.equal(run('exceptions==2').passed, true);
  assert.equal(run('name=/h:checks>0').detail, 'no checks ran');
  assert.equal(run('name=/h:checks>0').passed, false, "a user's rule with nothing to judge fails");
});

test('what a threshold was computed over: the SECURITY rows left out are named', () => {
  const snapshot = sampleSnapshot();
  const [p95, fast] = evaluateThresholds([parseThreshold('p(95)<1s'), parseThreshold('name=/fast:error_rate<1')], snapshot);
  assert.equal(p95!.over, '20 requests, SECURITY rows excluded');
  assert.equal(fast!.over, '10 requests of name=/fast (1 failed)');
});

test("mcpload's default rules: added to every run, replaced by a rule on the same metric, passing when there is nothing to judge", () => {
  const rules = withDefaultRules(mergeThresholdLists(['p(95)<500'], ['error_rate<5%']));
  assert.deepEqual(rules.map((t) => [t.expr, t.source]), [
    ['error_rate<5%', 'user'], ['checks==100%', 'mcpload'], ['exceptions==0', 'mcpload'], ['p(95)<500', 'scenario'],
  ]);
  // A selected error_rate does not replace the run-wide default.
  assert.equal(withDefaultRules([parseThreshold('name=x:error_rate<50%')]).filter((t) => t.metric === 'error_rate').length, 2);
  const empty = new Stats({ now: () => T0 }).snapshot();
  const judged = evaluateThresholds(withDefaultRules([]), empty);
  assert.deepEqual(judged.map((t) => [t.expr, t.passed, t.detail]), [
    ['error_rate<1%', true, 'no requests matched (a default: not judged)'], ['checks==100%', true, 'no checks ran (a default: not judged)'],
    ['exceptions==0', true, 'exceptions = 0 (required == 0)'],
  ]);
  assert.ok(judged.every((t) => t.isDefault === true));
});

test('judgeRun: the verdict, one line per reason, and the exit code --exit-code-on-error decides', () => {
  const stats = new Stats({ now: () => T0 });
  for (let i = 0; i < 10; i++) stats.record('tools/call', 'fail', 1000, 0, i < 6 ? { kind: 'tool', detail: 'no' } : undefined);
  const snapshot = stats.snapshot();
  const onDefaults = judgeRun([], snapshot);
  assert.equal(onDefaults.passed, false);
  assert.equal(onDefaults.verdict.onlyDefaults, true);
  assert.deepEqual(onDefaults.verdict.failures, [
    "error_rate<1%: error_rate = 60% (required < 1%) over 10 requests (6 failed); most failures: tools/call fail (6) (mcpload default; --exit-code-on-error 0, or your own --threshold 'error_rate...', changes it)",
  ]);
  assert.equal(exitCodeFor(onDefaults), 1);
  assert.equal(exitCodeFor(onDefaults, 0), 0);
  assert.equal(exitCodeFor(onDefaults, 3), 3);
  const mine = judgeRun([parseThreshold('avg<0.5')], snapshot);
  assert.equal(mine.verdict.onlyDefaults, false, "the user's own rule failed too");
  assert.equal(exitCodeFor(mine, 0), 1);
  const loose = judgeRun([parseThreshold('error_rate<70%')], snapshot);
  assert.equal(loose.passed, true);
  assert.deepEqual(loose.verdict.failures, []);
  assert.equal(exitCodeFor(loose, 5), 0);
  // A security check let through is not a default rule: it exits 1 whatever --exit-code-on-error says.
  stats.record('SECURITY', 'GET /admin', 1000, 0, { kind: 'security', detail: 'answered 200' });
  const breached = judgeRun([parseThreshold('error_rate<70%')], stats.snapshot());
  assert.deepEqual(breached.verdict.failures, ['security check GET /admin: 1 of 1 attempts let through']);
  assert.equal(exitCodeFor(breached, 0), 1);
});

test('crossedAbortRule: only abortOnFail rules, after their delay, and only when there is something to judge', () => {
  const stats = new Stats({ now: () => T0 });
  stats.record('tools/call', 'x', 1000, 0, { kind: 'tool', detail: 'no' });
  const snapshot = stats.snapshot();
  const rules = [parseThreshold('error_rate<1%'), parseThreshold('error_rate<50%:abortOnFail(10s)'), parseThreshold('name=nothing:avg<1:abortOnFail')];
  assert.equal(crossedAbortRule(rules.slice(0, 1), snapshot, 100), undefined, 'a rule without abortOnFail never aborts');
  assert.equal(crossedAbortRule(rules, snapshot, 5), undefined, 'within its delay');
  assert.equal(crossedAbortRule(rules, snapshot, 10), 'error_rate<50%:abortOnFail(10s)');
  assert.equal(crossedAbortRule([rules[2]!], snapshot, 10), undefined, 'no matching request is not a crossing');
});

test("a scenario's rule on a row the run never reached is not judged; the same rule of the user's fails", () => {
  const snapshot = sampleSnapshot();
  const [scenario, user] = evaluateThresholds([...mergeThresholdLists(['name=/health:avg<50'], []), parseThreshold('name=/health:avg<50')], snapshot);
  assert.deepEqual([scenario!.passed, scenario!.detail], [true, 'no requests matched (a default: not judged)']);
  assert.deepEqual([user!.passed, user!.detail], [false, 'no requests matched']);
});

test('exceptions leaves out the engine\'s note that a user overran --stop-timeout at the stop', () => {
  const stats = new Stats({ now: () => T0 });
  stats.exception(new Error('DiscoveryUser.closeContext did not finish within 1000 ms'), 'DiscoveryUser.closeContext');
  stats.exception(new Error('Marker.onStop did not finish within 500 ms'), 'Marker.onStop');
  assert.equal(evaluateThresholds([parseThreshold('exceptions==0')], stats.snapshot())[0]!.passed, true);
  stats.exception(new TypeError('x is undefined'), 'Marker.task');
  assert.equal(evaluateThresholds([parseThreshold('exceptions==0')], stats.snapshot())[0]!.actual, 1);
});

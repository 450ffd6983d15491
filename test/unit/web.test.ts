/** The web UI's pure parts: form parsing, access rules, views, Locust JSON, Prometheus buckets, the log ring. */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import { newHistogram } from '../../src/metrics/histogram.js';
import { Stats } from '../../src/metrics/stats.js';
import { parseThreshold } from '../../src/metrics/thresholds.js';
import { bucketCounts, createMetricsRegistry } from '../../src/reporters/prometheus.js';
import { checkCredentials, exposureWarning, hostAllowed, isLoopbackHost, sameOriginCommand } from '../../src/web/access.js';
import { parseWebLogin } from '../../src/web/cli-options.js';
import { LogBook } from '../../src/web/log-book.js';
import { locustStatsJson } from '../../src/web/locust-json.js';
import { parseSwarmForm, SwarmFormError } from '../../src/web/swarm-form.js';
import type { RunResult } from '../../src/report/run-result.js';
import { reportsAsked } from '../../src/web/run-web.js';
import { yTop } from '../../src/web/ui/src/y-range.js';
import type { LiveStatus } from '../../src/report/view-model.js';
import { aggregatedSeries, classRatios, peakUsersOf, reportData, tableView } from '../../src/report/views.js';

const KNOWN = ['A', 'B'];
const DEFAULTS = { users: 1, spawnRate: 1 };

function req(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('swarm form', () => {
  test('reads Locust fields, classes and weights', () => {
    const form = new URLSearchParams('user_count=10&spawn_rate=2.5&host=http://127.0.0.1:9/&run_time=1m30s&user_classes=B&user_classes=A&weight.A=3');
    assert.deepEqual(parseSwarmForm(form, KNOWN, DEFAULTS), {
      users: 10, spawnRate: 2.5, host: 'http://127.0.0.1:9', runTimeMs: 90_000, userClasses: ['B', 'A'], weights: { A: 3 },
    });
  });

  test('empty host means the embedded server, empty run_time means no limit, absent fields keep what was', () => {
    assert.deepEqual(parseSwarmForm(new URLSearchParams('host=&run_time='), KNOWN, DEFAULTS), { users: 1, spawnRate: 1, host: '', runTimeMs: null, weights: {} });
    assert.deepEqual(parseSwarmForm(new URLSearchParams('user_count=3'), KNOWN, DEFAULTS), { users: 3, spawnRate: 1, weights: {} });
  });

  test('bad values name the field', () => {
    const cases: Array<[string, RegExp]> = [
      ['user_count=-1', /user_count/],
      ['spawn_rate=0', /spawn_rate/],
      ['host=ftp://x', /host/],
      ['run_time=forever', /run_time/],
      ['run_time=0', /run_time/],
      ['user_classes=C', /unknown class C/],
      ['weight.A=0', /weight\.A/],
      ['weight.Z=1', /unknown class Z/],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseSwarmForm(new URLSearchParams(text), KNOWN, DEFAULTS), (err: Error) => err instanceof SwarmFormError && message.test(err.message), text);
    }
  });
});

describe('access', () => {
  test('--web-login needs user:password; the password may hold ":"', () => {
    assert.deepEqual(parseWebLogin('ann:a:b'), { user: 'ann', password: 'a:b' });
    assert.throws(() => parseWebLogin('ann'), /user:password/);
    assert.throws(() => parseWebLogin(':x'), /user:password/);
  });

  test('credentials: basic, bearer, cookie, query; nothing needed when none is set', () => {
    const url = new URL('http://127.0.0.1/');
    const creds = { login: { user: 'u', password: 'p' }, token: 'tok-12345' };
    assert.equal(checkCredentials(req({}), url, {}).ok, true);
    assert.deepEqual(checkCredentials(req({}), url, creds), { ok: false, status: 401, challenge: true });
    assert.equal(checkCredentials(req({ authorization: `Basic ${Buffer.from('u:p').toString('base64')}` }), url, creds).ok, true);
    assert.equal(checkCredentials(req({ authorization: `Basic ${Buffer.from('u:x').toString('base64')}` }), url, creds).ok, false);
    assert.equal(checkCredentials(req({ authorization: 'Bearer tok-12345' }), url, creds).ok, true);
    assert.equal(checkCredentials(req({ cookie: 'a=b; mcpload_token=tok-12345' }), url, creds).ok, true);
    assert.deepEqual(checkCredentials(req({}), new URL('http://127.0.0.1/?token=tok-12345'), creds), { ok: true, setTokenCookie: true });
    assert.equal(checkCredentials(req({}), new URL('http://127.0.0.1/?token=nope'), creds).ok, false);
  });

  test('loopback UIs answer loopback names only; commands must come from the same origin', () => {
    assert.equal(hostAllowed(req({ host: '127.0.0.1:8089' }), '127.0.0.1'), true);
    assert.equal(hostAllowed(req({ host: 'localhost:8089' }), '127.0.0.1'), true);
    assert.equal(hostAllowed(req({ host: '[::1]:8089' }), '127.0.0.1'), true);
    assert.equal(hostAllowed(req({ host: 'attacker.example:8089' }), '127.0.0.1'), false);
    assert.equal(hostAllowed(req({ host: 'anything.example' }), '0.0.0.0'), true);
    assert.equal(sameOriginCommand(req({ host: '127.0.0.1:8089' })), true);
    assert.equal(sameOriginCommand(req({ host: '127.0.0.1:8089', origin: 'http://127.0.0.1:8089' })), true);
    assert.equal(sameOriginCommand(req({ host: '127.0.0.1:8089', origin: 'http://evil.example' })), false);
    assert.equal(sameOriginCommand(req({ host: '127.0.0.1:8089', origin: 'null' })), false);
    assert.equal(sameOriginCommand(req({ host: '127.0.0.1:8089', 'sec-fetch-site': 'cross-site' })), false);
  });

  test('a UI bound beyond loopback without a login is warned about', () => {
    assert.equal(isLoopbackHost('127.0.0.1'), true);
    assert.equal(isLoopbackHost('::1'), true);
    assert.equal(exposureWarning('127.0.0.1', {}), undefined);
    assert.match(exposureWarning('0.0.0.0', {}) ?? '', /without a login/);
    assert.equal(exposureWarning('0.0.0.0', { token: 'tok-12345' }), undefined);
  });
});

describe('views', () => {
  function stats(): Stats {
    let now = 1_700_000_000_000;
    const s = new Stats({ now: () => now });
    s.record('GET', '/a', 2000, 10);
    s.record('GET', '/a', 4000, 10, { kind: 'http', detail: '500' });
    s.record('SECURITY', 'GET /admin', 1000, 0);
    now += 1000;
    s.tick(2);
    return s;
  }

  test('rows carry p95/p99, security and threshold marks; the aggregated row gets the unselected thresholds', () => {
    const thresholds = ['p(95)<500', 'name=/a:avg<100'].map(parseThreshold);
    const view = tableView(stats().snapshot(), thresholds);
    const a = view.rows.find((r) => r.name === '/a')!;
    assert.equal(a.requests, 2);
    assert.equal(a.failures, 1);
    assert.ok(a.p99Ms >= 3.9 && a.p99Ms <= 4.01);
    assert.deepEqual(a.thresholds, ['name=/a:avg<100']);
    assert.equal(view.rows.find((r) => r.type === 'SECURITY')?.security, true);
    assert.deepEqual(view.aggregated.thresholds, ['p(95)<500']);
  });

  test('chart series come from the Aggregated history rows', () => {
    const series = aggregatedSeries(stats().snapshot().history);
    assert.equal(series.length, 1);
    const [, rps, fps, p50, , , users] = series[0]!;
    assert.equal(rps, 3);
    assert.equal(fps, 1);
    assert.ok(p50 !== null && p50 > 0);
    assert.equal(users, 2);
  });

  test('class ratios share users by weight among the picked classes', () => {
    const run = () => undefined;
    const classes = [
      { name: 'A', weight: 1, tasks: [{ name: 't1', weight: 3, run }, { name: 't2', run }] },
      { name: 'B', weight: 3, tasks: [{ name: 't3', run }] },
      { name: 'C', weight: 5, tasks: [{ name: 't4', run }] },
    ];
    const ratios = classRatios(classes, new Set(['A', 'B']), { A: 2 });
    assert.deepEqual(ratios.map((r) => [r.name, r.share, r.users, r.selected]), [['A', 0.25, 2, true], ['B', 0.75, 0, true], ['C', 0, 0, false]]);
    assert.deepEqual(ratios[0]!.tasks.map((t) => t.share), [0.75, 0.25]);
  });

  test('Locust JSON: stats end with Aggregated, errors use method', () => {
    const view = tableView(stats().snapshot(), []);
    const status: LiveStatus = {
      state: 'running', host: 'h', users: 2, targetUsers: 2, elapsedS: 1, runTimeS: null, totalRps: 0, failRatio: 1 / 3,
      rows: view.rows, aggregated: view.aggregated, errors: [{ type: 'GET', name: '/a', error: 'http: 500', occurrences: 1 }],
      exceptions: [], thresholds: [], security: [], classes: [], passed: true,
    };
    const json = locustStatsJson(status) as any;
    assert.equal(json.stats.at(-1).name, 'Aggregated');
    assert.equal(json.stats.at(-1).num_requests, 3);
    assert.deepEqual(json.errors, [{ method: 'GET', name: '/a', error: 'http: 500', occurrences: 1 }]);
    assert.equal(json.fail_ratio, 0.333333);
  });
});

describe('prometheus', () => {
  test('bucket counts are cumulative from the HDR histogram', () => {
    const h = newHistogram();
    for (const us of [500, 1500, 1500, 20_000, 2_000_000]) h.recordValue(us);
    assert.deepEqual(bucketCounts(h, [0.001, 0.002, 0.025, 1, 5]), [1, 3, 4, 4, 5]);
  });

  test('the registry reads the current run at scrape time', async () => {
    const s = new Stats();
    s.record('tools/call', 'add', 1200, 10);
    s.record('tools/call', 'add', 900, 10, { kind: 'tool', detail: 'isError' });
    const registry = createMetricsRegistry({
      current: () => ({ state: 'running', userCount: 3, targetUsers: 4, thresholds: [parseThreshold('error_rate<0.01')], snapshot: (o) => s.snapshot(o) }),
    });
    const text = await registry.metrics();
    assert.match(text, /mcpload_requests_total\{type="tools\/call",name="add"\} 2/);
    assert.match(text, /mcpload_failures_total\{type="tools\/call",name="add"\} 1/);
    assert.match(text, /mcpload_request_duration_seconds_bucket\{type="tools\/call",name="add",le="0\.001"\} 1/);
    assert.match(text, /mcpload_request_duration_seconds_count\{type="tools\/call",name="add"\} 2/);
    assert.match(text, /mcpload_users 3/);
    assert.match(text, /mcpload_threshold_passed\{threshold="error_rate<0\.01"\} 0/);
    assert.match(text, /mcpload_run_state\{state="running"\} 1/);
    const empty = await createMetricsRegistry({ current: () => null }).metrics();
    assert.match(empty, /mcpload_users 0/);
  });
});

describe('report data', () => {
  function result(extra: Partial<RunResult>): RunResult {
    const now = 1_700_000_000_000;
    let at = now;
    const s = new Stats({ now: () => at });
    s.record('GET', '/a', 2000, 10);
    at += 1000;
    s.tick(7);
    at += 1000;
    s.tick(0);
    return {
      tool: 'mcpload', version: 't', settings: { scenario: 'discover', host: 'http://127.0.0.1:1', thresholds: [] },
      startedAt: new Date(now).toISOString(), endedAt: new Date(at).toISOString(), snapshot: s.snapshot(),
      thresholds: [
        { expr: 'error_rate<1%', passed: true, actual: 0, detail: 'error_rate = 0%', source: 'mcpload', isDefault: true, over: '1 request' },
        { expr: 'p(95)<1', passed: false, actual: 2, detail: 'p(95) = 2 ms' },
      ],
      security: [], passed: false, ...extra,
    };
  }

  test('the peak user count, not the count at the end; read from the history when the result has none', () => {
    assert.equal(reportData(result({ peakUsers: 9 })).peakUsers, 9);
    assert.equal(peakUsersOf(result({})), 7, 'the history had 7 users before the stop brought it to 0');
  });

  test('notes, and thresholds with where they came from and what they were computed over', () => {
    const data = reportData(result({ notes: ['discover: skipped write_file (writes)'] }));
    assert.deepEqual(data.notes, ['discover: skipped write_file (writes)']);
    assert.deepEqual(reportData(result({})).notes, [], 'results written before notes existed');
    assert.deepEqual(data.thresholds.map((t) => [t.expr, t.passed, t.source, t.over]), [
      ['error_rate<1%', true, 'mcpload', '1 request'],
      ['p(95)<1', false, undefined, undefined],
    ]);
  });
});

describe('chart y-axis', () => {
  const steady = (n: number, base: number) => Array.from({ length: n }, (_, i) => base + (i % 5));

  test('a first-second spike is cut off, and counted', () => {
    const p99 = [4200, ...steady(59, 10)];
    const p50 = [3000, ...steady(59, 5)];
    const y = yTop([p50, p99]);
    assert.equal(y.clipped, 2);
    assert.equal(y.max, 4200);
    assert.ok(y.top >= 14 && y.top < 30, `top ${y.top}`);
  });

  test('steady or ramping data is not cut: the axis reaches the highest point', () => {
    for (const line of [steady(60, 10), Array.from({ length: 60 }, (_, i) => i * 10)]) {
      const y = yTop([line]);
      assert.equal(y.clipped, 0);
      assert.ok(y.top >= y.max);
    }
  });

  test('too few points to tell an outlier: nothing is cut; gaps and empty lines are skipped', () => {
    assert.equal(yTop([[1, 1, 1, 500]]).clipped, 0);
    assert.equal(yTop([[null, null], []]).top, 1);
    assert.equal(yTop([[null, 2, null, 2, 2, 2, 2, 2, 2, 2, 2, 2, 900]]).clipped, 1);
  });
});

test('every report option counts as asking for reports (a hand-kept list once forgot --junit and --sarif)', () => {
  assert.equal(reportsAsked({}), false);
  for (const kind of ['csv', 'json', 'html', 'junit', 'sarif', 'summaryExport'] as const) assert.equal(reportsAsked({ [kind]: 'out/x' }), true, kind);
});

test('the log keeps the newest lines and hands out what came after a sequence number', () => {
  const log = new LogBook(3, undefined, () => 42);
  for (const text of ['a', 'b', 'c', 'd']) log.info(text);
  assert.deepEqual(log.since(0).map((l) => l.text), ['b', 'c', 'd']);
  assert.equal(log.next, 4);
  assert.deepEqual(log.since(3).map((l) => l.text), ['d']);
  log.warn('e');
  assert.deepEqual(log.since(4), [{ at: 42, level: 'warn', text: 'e' }]);
});

test('the Grafana dashboard reads only metrics the exporter serves', async () => {
  const { readFileSync } = await import('node:fs');
  const dashboard = readFileSync(new URL('../../deploy/grafana/mcpload-dashboard.json', import.meta.url), 'utf8');
  const used = new Set(dashboard.match(/mcpload_[a-z_]+/g) ?? []);
  const s = new Stats();
  s.record('GET', '/x', 1000, 1, { kind: 'http', detail: '500' });
  s.record('SECURITY', 'GET /admin', 1000, 1);
  const text = await createMetricsRegistry({
    current: () => ({ state: 'running', userCount: 1, targetUsers: 1, thresholds: [parseThreshold('avg<100')], snapshot: (o) => s.snapshot(o) }),
  }).metrics();
  const served = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => /^[a-z_]+/.exec(l)![0]));
  assert.ok(used.size >= 6);
  for (const name of used) assert.ok(served.has(name), `dashboard uses ${name}, which /metrics does not serve`);
});

/**
 * The web UI's HTTP API, route by route, against `mcpload run` serving the UI
 * and the embedded reference server (everything on 127.0.0.1).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EXCEPTIONS_HEADER, FAILURES_HEADER, HISTORY_HEADER, STATS_HEADER } from '../../src/reporters/csv.js';
import { exitCodeFor } from '../../src/report/verdict.js';
import type { RunResult } from '../../src/report/run-result.js';
import { runCli } from './cli-helpers.js';
import { getJson, parsePrometheusText, rawRequest, readEvents, startWebCli, waitFor, type WebCli } from './web-helpers.js';

function csvHeader(text: string): string[] {
  return text.split('\r\n')[0]!.split(',');
}

function form(fields: Record<string, string | string[]>): URLSearchParams {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const item of Array.isArray(v) ? v : [v]) body.append(k, item);
  return body;
}

async function swarm(url: string, fields: Record<string, string | string[]>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/swarm`, { method: 'POST', body: form(fields) });
  return { status: res.status, body: await res.json() };
}

describe('web API', () => {
  let web: WebCli;
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-web-'));
  const prefix = path.join(dir, 'run');

  before(async () => {
    web = await startWebCli(['-u', '2', '-r', '10', '--prometheus-port', '0', '--csv', prefix, '--html', `${prefix}.html`, '--json', `${prefix}.json`]);
  });
  after(async () => {
    if (web.child.exitCode === null) await web.interrupt();
    rmSync(dir, { recursive: true, force: true });
  });

  test('before any run: ready, empty figures, CSVs with headers only, no report', async () => {
    const stats = await getJson(`${web.url}/stats/requests`);
    assert.equal(stats.state, 'ready');
    assert.deepEqual(stats.stats, []);
    assert.deepEqual(Object.keys(stats.user_classes), ['MCPServerUser', 'MCPLightLoad', 'MCPHeavyLoad']);
    const csv = await (await fetch(`${web.url}/stats/requests/csv`)).text();
    assert.deepEqual(csvHeader(csv), STATS_HEADER);
    assert.equal((await fetch(`${web.url}/stats/report`)).status, 404);
    const tasks = await getJson(`${web.url}/tasks`);
    assert.ok(tasks.per_class.MCPLightLoad.ratio > 0.5, 'weights 1:3:1 give MCPLightLoad 60 %');
  });

  test('the page and its assets are served from the package, with a CSP', async () => {
    const page = await fetch(`${web.url}/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /assets\/app\.js/);
    assert.doesNotMatch(html, /https?:\/\//, 'no CDN');
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const js = await fetch(`${web.url}/assets/app.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.equal((await fetch(`${web.url}/assets/../../package.json`)).status, 404);
  });

  test('POST /swarm refuses bad values with a message', async () => {
    const bad = await swarm(web.url, { user_count: 'many', spawn_rate: '1' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /user_count/);
    const unknown = await swarm(web.url, { user_count: '1', spawn_rate: '1', user_classes: 'Nope' });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.message, /unknown class Nope/);
    const time = await swarm(web.url, { user_count: '1', spawn_rate: '1', run_time: 'soon' });
    assert.equal(time.status, 400);
    assert.match(time.body.message, /run_time/);
    assert.equal((await getJson(`${web.url}/stats/requests`)).state, 'ready', 'nothing started');
  });

  test('commands from another site or host name are refused', async () => {
    const crossSite = await rawRequest(`${web.url}/swarm`, 'POST', {
      origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded',
    }, 'user_count=1&spawn_rate=1');
    assert.equal(crossSite.status, 403);
    const fetchMeta = await rawRequest(`${web.url}/stop`, 'GET', { 'sec-fetch-site': 'cross-site' });
    assert.equal(fetchMeta.status, 403);
    const rebinding = await rawRequest(`${web.url}/stats/requests`, 'GET', { host: 'evil.example:8089' });
    assert.equal(rebinding.status, 403);
    assert.equal((await getJson(`${web.url}/stats/requests`)).state, 'ready');
  });

  test('POST /swarm starts a run; /stats/requests fills in Locust layout', async () => {
    const started = await swarm(web.url, { user_count: '2', spawn_rate: '10', host: '', user_classes: ['MCPHeavyLoad', 'MCPLightLoad'], 'weight.MCPHeavyLoad': '2' });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body.success, true);
    const stats = await waitFor('requests', async () => {
      const s = await getJson(`${web.url}/stats/requests`);
      return s.stats.length > 1 && s.stats.at(-1).num_requests >= 5 ? s : undefined;
    });
    assert.ok(['spawning', 'running'].includes(stats.state));
    const total = stats.stats.at(-1);
    assert.equal(total.name, 'Aggregated');
    for (const key of ['method', 'name', 'num_requests', 'num_failures', 'avg_response_time', 'median_response_time', 'ninety_ninth_response_time', 'current_rps']) {
      assert.ok(key in total, `Locust field ${key}`);
    }
    assert.equal(stats.user_classes.MCPServerUser, 0, 'an unpicked class runs no user');
    const tasks = await getJson(`${web.url}/tasks`);
    assert.equal(tasks.per_class.MCPHeavyLoad.weight, 2, 'the weight sent with the swarm');
    assert.equal(tasks.per_class.MCPHeavyLoad.ratio, 0.4, 'weights 2:3 among the picked classes');
    assert.equal(tasks.per_class.MCPServerUser.selected, false);
  });

  test('GET /events sends the run so far, then updates with chart points', async () => {
    const events = await readEvents(`${web.url}/events`, (list) => list.some((e) => e.event === 'update' && e.data.series.length > 0));
    const init = events[0]!;
    assert.equal(init.event, 'init');
    assert.equal(init.data.scenario, 'classic');
    assert.ok(init.data.rows.length > 0);
    assert.ok(Array.isArray(init.data.series));
    assert.ok(init.data.logs.length + events.slice(1).reduce((n, e) => n + e.data.logs.length, 0) > 0, 'the start was logged');
    const update = events.find((e) => e.event === 'update' && e.data.series.length > 0)!;
    assert.equal(update.data.series[0].length, 7, '[t, rps, fps, p50, p95, p99, users]');
  });

  test('a swarm during the run changes the user count', async () => {
    const changed = await swarm(web.url, { user_count: '4', spawn_rate: '20' });
    assert.equal(changed.status, 200);
    const stats = await waitFor('4 users', async () => {
      const s = await getJson(`${web.url}/stats/requests`);
      return s.user_count === 4 ? s : undefined;
    });
    assert.equal(stats.target_user_count, 4);
  });

  test('GET /api/entry-history gives one entry\'s points', async () => {
    const stats = await getJson(`${web.url}/stats/requests`);
    const entry = stats.stats[0];
    const history = await waitFor('entry history', async () => {
      const h = await getJson(`${web.url}/api/entry-history?type=${encodeURIComponent(entry.method)}&name=${encodeURIComponent(entry.name)}`);
      return h.series.length > 0 ? h : undefined;
    });
    assert.equal(history.name, entry.name);
  });

  test('CSV routes answer with Locust headers and as downloads', async () => {
    const routes: Array<[string, string[]]> = [
      ['/stats/requests/csv', STATS_HEADER],
      ['/stats/requests_full_history/csv', HISTORY_HEADER],
      ['/stats/failures/csv', FAILURES_HEADER],
      ['/exceptions/csv', EXCEPTIONS_HEADER],
    ];
    for (const [route, header] of routes) {
      const res = await fetch(`${web.url}${route}`);
      assert.equal(res.status, 200, route);
      assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
      assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="mcpload_/);
      assert.deepEqual(csvHeader(await res.text()), header, route);
    }
    const rows = (await (await fetch(`${web.url}/stats/requests/csv`)).text()).trim().split('\r\n');
    assert.ok(rows.length > 2, 'entries and Aggregated');
    assert.match(rows.at(-1)!, /^,Aggregated,/);
    const exceptions = await getJson(`${web.url}/exceptions`);
    assert.ok(Array.isArray(exceptions.exceptions));
  });

  test('GET /stats/report is the offline HTML report; /stats/result the JSON', async () => {
    const res = await fetch(`${web.url}/stats/report`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const html = await res.text();
    assert.match(html, /<script type="application\/json" id="mcpload-report">/);
    assert.doesNotMatch(html, /<script[^>]+src=/, 'scripts are inline');
    const download = await fetch(`${web.url}/stats/report?download=1`);
    assert.match(download.headers.get('content-disposition') ?? '', /mcpload_report_.*\.html/);
    await download.arrayBuffer();
    const result = await getJson(`${web.url}/stats/result`);
    assert.equal(result.tool, 'mcpload');
    assert.ok(result.snapshot.entries.length > 0);
  });

  test('GET /stats/reset zeroes the figures', async () => {
    const res = await fetch(`${web.url}/stats/reset`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'ok');
    const stats = await getJson(`${web.url}/stats/requests`, { headers: { 'cache-control': 'no-cache' } });
    const total = stats.stats.at(-1);
    assert.ok(total.num_requests < 30, `after reset only what came since: ${total.num_requests}`);
  });

  test('GET /stop stops the run; /metrics counts match /stats/requests', async () => {
    const res = await fetch(`${web.url}/stop`);
    assert.deepEqual(await res.json(), { success: true, message: 'Test stopped' });
    const stats = await waitFor('stopped', async () => {
      const s = await getJson(`${web.url}/stats/requests`);
      return s.state === 'stopped' ? s : undefined;
    });
    // Figures are frozen now, so both views must agree exactly.
    await new Promise((r) => setTimeout(r, 1100));
    const frozen = await getJson(`${web.url}/stats/requests`);
    assert.ok(web.metricsUrl, 'the exporter printed its URL');
    const text = await (await fetch(web.metricsUrl!)).text();
    const samples = parsePrometheusText(text);
    for (const row of frozen.stats.filter((r: any) => r.name !== 'Aggregated' || r.method !== '')) {
      const count = samples.find((s) => s.name === 'mcpload_requests_total' && s.labels.type === row.method && s.labels.name === row.name);
      assert.equal(count?.value, row.num_requests, `requests of ${row.method} ${row.name}`);
      const failures = samples.find((s) => s.name === 'mcpload_failures_total' && s.labels.type === row.method && s.labels.name === row.name);
      assert.equal(failures?.value, row.num_failures);
      const histogramCount = samples.find((s) => s.name === 'mcpload_request_duration_seconds_count' && s.labels.type === row.method && s.labels.name === row.name);
      assert.equal(histogramCount?.value, row.num_requests);
      const inf = samples.find((s) => s.name === 'mcpload_request_duration_seconds_bucket' && s.labels.le === '+Inf' && s.labels.name === row.name && s.labels.type === row.method);
      assert.equal(inf?.value, row.num_requests);
    }
    assert.equal(samples.find((s) => s.name === 'mcpload_users')?.value, 0);
    assert.equal(samples.find((s) => s.name === 'mcpload_run_state' && s.labels.state === 'stopped')?.value, 1);
    assert.ok(samples.some((s) => s.name === 'mcpload_threshold_passed'), 'threshold states');
    assert.ok(samples.some((s) => s.name === 'mcpload_security_check_passed') || !stats.stats.some((r: any) => r.method === 'SECURITY'));
    // The web UI serves the same registry.
    const viaUi = parsePrometheusText(await (await fetch(`${web.url}/metrics`)).text());
    assert.equal(viaUi.find((s) => s.name === 'mcpload_users')?.value, 0);
    // The reports asked for were written when the run stopped.
    for (const file of [`${prefix}_stats.csv`, `${prefix}.html`, `${prefix}.json`]) assert.ok(existsSync(file), file);
  });

  test('a new swarm with run_time stops by itself; Ctrl-C writes the reports and exits', async () => {
    const started = await swarm(web.url, { user_count: '1', spawn_rate: '5', run_time: '2s' });
    assert.equal(started.status, 200);
    await waitFor('time limit', async () => ((await getJson(`${web.url}/stats/requests`)).state === 'stopped' ? true : undefined));
    await waitFor('reports of the second run', async () => (web.output().stderr.match(/reports: /g)?.length === 2 ? true : undefined));
    rmSync(`${prefix}.json`);
    const result = await web.interrupt();
    assert.ok(result.code === 0 || result.code === 1, `exit code ${result.code}: ${result.stderr}`);
    assert.ok(existsSync(`${prefix}.json`), 'the JSON report exists after Ctrl-C');
    const json = JSON.parse(readFileSync(`${prefix}.json`, 'utf8'));
    assert.equal(json.settings.timeMs, 2000);
    assert.match(result.stderr, /time limit/);
    assert.match(result.stderr, /the web UI stays up until Ctrl-C \(--autoquit 0 quits/, 'without --autoquit the UI says how it ends');
  });
});

describe('web UI --autoquit', () => {
  test('--autostart --autoquit 1 -t 3s quits by itself, writes every report asked for, and exits with the verdict\'s code', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-autoquit-'));
    try {
      const out = (name: string) => path.join(dir, name);
      // A rule no run can meet (every request takes longer than 1 µs): the verdict is FAILED, so the code is 1, not 0 by accident.
      const result = await runCli([
        'run', '--web-port', '0', '--autostart', '--autoquit', '1', '-t', '3s', '-u', '2', '-r', '10', '--threshold', 'max<0.001',
        '--json', out('run.json'), '--junit', out('run.xml'), '--sarif', out('run.sarif'),
      ]);
      assert.equal(result.signal, null, `it quit by itself: ${result.stderr}`);
      assert.match(result.stdout, /web UI at http:\/\/127\.0\.0\.1:\d+/);
      assert.match(result.stderr, /quitting in 1 s \(--autoquit 1\)/);
      const json = JSON.parse(readFileSync(out('run.json'), 'utf8')) as RunResult;
      assert.equal(json.passed, false);
      assert.equal(result.code, exitCodeFor(json), `exit code ${result.code} for a run that ${json.passed ? 'passed' : 'failed'}`);
      assert.equal(result.code, 1);
      assert.ok(json.snapshot.entries.some((e) => e.requests > 0), 'the run sent requests');
      for (const file of ['run.xml', 'run.sarif']) assert.ok(existsSync(out(file)), `${file} written (a web run writes every report asked for)`);
      // The end reads as a headless run's: the summary and the reports written.
      assert.match(result.stdout, /reports: .*run\.json.*run\.xml.*run\.sarif/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('web UI abortOnFail', () => {
  test('a crossed abortOnFail rule stops a web run as it stops a headless one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-web-abort-'));
    try {
      const json = path.join(dir, 'run.json');
      // -t 60s is only a backstop: the rule no request can meet is crossed after its 1 s delay.
      const result = await runCli([
        'run', '--web-port', '0', '--autostart', '--autoquit', '0', '-t', '60s', '-u', '2', '-r', '10',
        '--threshold', 'max<0.001:abortOnFail(1s)', '--json', json,
      ]);
      assert.equal(result.signal, null, `it quit by itself: ${result.stderr}`);
      assert.match(result.stderr, /stopping \(threshold max<0\.001:abortOnFail\(1s\) crossed\)/, result.stderr);
      const run = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
      assert.equal(run.passed, false);
      assert.equal(result.code, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('web UI access', () => {
  test('--web-login and --web-token protect every route; --autostart with -t runs by itself', async () => {
    const web = await startWebCli(['--web-login', 'admin:s3cret:x', '--web-token', 'token-123456', '--autostart', '-u', '1', '-t', '2s'], { MCPLOAD_AUTH_TOKEN: 'target-secret' });
    try {
      const plain = await fetch(`${web.url}/stats/requests`);
      assert.equal(plain.status, 401);
      assert.match(plain.headers.get('www-authenticate') ?? '', /Basic/);
      await plain.arrayBuffer();
      const basic = `Basic ${Buffer.from('admin:s3cret:x').toString('base64')}`;
      const wrong = await fetch(`${web.url}/stats/requests`, { headers: { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` } });
      assert.equal(wrong.status, 401);
      await wrong.arrayBuffer();
      const stats = await getJson(`${web.url}/stats/requests`, { headers: { authorization: basic } });
      assert.ok(['spawning', 'running', 'stopped'].includes(stats.state), `autostart: ${stats.state}`);
      assert.equal((await fetch(`${web.url}/`, { headers: { authorization: 'Bearer token-123456' } })).status, 200);
      const viaQuery = await fetch(`${web.url}/?token=token-123456`, { redirect: 'manual' });
      assert.equal(viaQuery.status, 303);
      const cookie = viaQuery.headers.get('set-cookie') ?? '';
      assert.match(cookie, /mcpload_token=token-123456; HttpOnly; SameSite=Strict/);
      assert.equal(viaQuery.headers.get('location'), '/');
      assert.equal((await fetch(`${web.url}/stats/requests`, { headers: { cookie: cookie.split(';')[0]! } })).status, 200);
      await waitFor('run time', async () => ((await getJson(`${web.url}/stats/requests`, { headers: { authorization: basic } })).state === 'stopped' ? true : undefined));
      const result = await getJson(`${web.url}/stats/result`, { headers: { authorization: basic } });
      assert.equal(JSON.stringify(result).includes('target-secret'), false, 'the target token is never shown');
      const events = await readEvents(`${web.url}/events`, (list) => list.length >= 1, 10_000, { authorization: basic });
      assert.equal(JSON.stringify(events).includes('target-secret'), false);
    } finally {
      await web.interrupt();
    }
  });
});

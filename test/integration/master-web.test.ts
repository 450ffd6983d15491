/**
 * The web UI on a master (issue 16): a real `mcpload run --master` without
 * --headless and two real `--worker` processes on loopback, driven through
 * Locust's HTTP routes (POST /swarm, GET /stats/requests, POST
 * /stats/reset, POST /stop), against a target that counts what it served.
 * Each run is a few seconds long and is stopped by the test; the workers
 * stay between tests and exit when the master quits.
 *
 * MCPLOAD_RELAUNCHED=1 keeps each command in one process (no relaying parent).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunResult } from '../../src/report/run-result.js';
import { countingServer } from '../helpers/counting-server.js';
import { freePort, ROOT, startCli, type CliResult } from './cli-helpers.js';
import { getJson, parsePrometheusText, startWebCli, waitFor, type WebCli } from './web-helpers.js';

const HITS = path.join(ROOT, 'test/fixtures/hit-counter.ts');
const TOKEN = 'test-master-web-token-77d1';
const ENV = { MCPLOAD_RELAUNCHED: '1', MCPLOAD_MASTER_TOKEN: TOKEN };

interface WorkerRow { index: number; host: string; state: string; user_count: number; cpu_usage: number | null; heartbeat_ago_s: number | null }
interface StatsJson { state: string; user_count: number; workers?: WorkerRow[]; worker_count?: number; stats: Array<{ name: string; num_requests: number }> }

function aggregated(stats: StatsJson): number {
  return stats.stats.find((s) => s.name === 'Aggregated')?.num_requests ?? 0;
}

async function post(url: string, body = ''): Promise<{ status: number; json: { success?: boolean; message?: string } }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const text = await res.text();
  return { status: res.status, json: text.startsWith('{') ? JSON.parse(text) as { success?: boolean; message?: string } : {} };
}

describe('the web UI on a master, driven through Locust\'s routes', () => {
  const target = countingServer();
  let dir = '';
  before(async () => {
    await target.listen();
    dir = await mkdtemp(path.join(tmpdir(), 'mcpload-mweb-'));
  });
  after(async () => {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function masterAndWorkers(args: string[]): Promise<{ master: WebCli; port: number; workers: Array<Promise<CliResult>>; children: ChildProcess[] }> {
    const port = await freePort();
    const master = await startWebCli(['--master', '--expect-workers', '2', '--master-bind-port', String(port), '--host', target.url(), HITS, ...args], ENV);
    const started = [0, 1].map((i) => startCli(['run', '--worker', '--master-host', '127.0.0.1', '--master-port', String(port), HITS], { ...ENV, JOB_COMPLETION_INDEX: String(i) }, { cwd: dir }));
    return { master, port, workers: started.map((w) => w.done), children: started.map((w) => w.child) };
  }

  it('lists both workers, starts them with their shares, counts what the target served, and Stop stops both', async () => {
    target.hits.length = 0;
    const json = path.join(dir, 'master.json');
    const { master, workers } = await masterAndWorkers(['--json', json, '--prometheus-port', String(await freePort())]);
    try {
      const stats = () => getJson(`${master.url}/stats/requests`) as Promise<StatsJson>;
      // The workers are listed as they join, before any run.
      const joined = await waitFor('both workers joined', async () => {
        const s = await stats();
        return s.workers?.length === 2 && s.workers.every((w) => w.state === 'waiting') ? s : undefined;
      });
      assert.deepEqual(joined.workers!.map((w) => w.index), [0, 1]);
      assert.equal(joined.state, 'ready');
      assert.ok(joined.workers!.every((w) => w.host.length > 0 && w.heartbeat_ago_s !== null));

      const started = await post(`${master.url}/swarm`, 'user_count=5&spawn_rate=100');
      assert.equal(started.status, 200, JSON.stringify(started.json));
      // 5 users over 2 workers: 3 and 2, adding up to what was asked.
      const running = await waitFor('both workers running their shares', async () => {
        const s = await stats();
        return s.workers?.every((w) => w.state === 'running') && s.user_count === 5 && aggregated(s) > 20 ? s : undefined;
      });
      assert.deepEqual(running.workers!.map((w) => w.user_count), [3, 2]);
      assert.ok(running.workers!.every((w) => w.cpu_usage !== null));

      // Prometheus on the master serves the merged figures.
      const metrics = parsePrometheusText(await (await fetch(master.metricsUrl!)).text());
      const hitsServed = metrics.find((m) => m.name === 'mcpload_requests_total' && m.labels.name === '/hit');
      assert.ok(hitsServed !== undefined && hitsServed.value > 0, 'the exporter counts the workers\' requests');

      const stopped = await post(`${master.url}/stop`);
      assert.equal(stopped.json.message, 'Test stopped');
      const ended = await stats();
      assert.equal(ended.state, 'stopped');
      assert.deepEqual(ended.workers!.map((w) => w.state), ['stopped', 'stopped']);
      assert.equal(ended.user_count, 0);
      const firstRun = target.hits.length;
      assert.equal(aggregated(ended), firstRun, 'the merged count is what the target served');

      // As in Locust, the workers stay for the next test of the session: it starts on both, with new shares.
      const again = await post(`${master.url}/swarm`, 'user_count=3&spawn_rate=100');
      assert.equal(again.status, 200, JSON.stringify(again.json));
      const second = await waitFor('the second test running on both workers', async () => {
        const s = await stats();
        return s.workers?.every((w) => w.state === 'running') && s.user_count === 3 && aggregated(s) > 10 ? s : undefined;
      });
      assert.deepEqual(second.workers!.map((w) => w.user_count), [2, 1]);
      assert.equal((await post(`${master.url}/stop`)).json.message, 'Test stopped');
      assert.equal(aggregated(await stats()), target.hits.length - firstRun, 'the second test counts its own requests');

      // Ctrl-C on the master ends the session: the workers are told, and exit 0.
      const end = await master.interrupt();
      assert.equal(end.code, 0, end.stderr);
      for (const done of workers) assert.equal((await done).code, 0);
      const result = JSON.parse(await readFile(json, 'utf8')) as RunResult;
      assert.equal(result.snapshot.entries.find((e) => e.name === '/hit')?.requests, target.hits.length - firstRun, 'the --json report is the last test merged');
      assert.equal(result.settings.workers, 2);
      assert.match(end.stderr, /worker 0 \([^)]+\) +done/);
      assert.ok(!end.stderr.includes(TOKEN) && !end.stdout.includes(TOKEN) && !JSON.stringify(result).includes(TOKEN), 'the token is never shown');
    } finally {
      master.child.kill('SIGKILL');
    }
  });

  it('a swarm during the run changes every worker\'s share; reset zeroes every worker\'s stats', async () => {
    target.hits.length = 0;
    const { master, workers } = await masterAndWorkers([]);
    try {
      const stats = () => getJson(`${master.url}/stats/requests`) as Promise<StatsJson>;
      await waitFor('both workers joined', async () => ((await stats()).workers?.length === 2 ? true : undefined));
      assert.equal((await post(`${master.url}/swarm`, 'user_count=2&spawn_rate=100')).status, 200);
      await waitFor('one user on each worker', async () => {
        const s = await stats();
        return s.workers?.map((w) => w.user_count).join() === '1,1' ? true : undefined;
      });
      const changed = await post(`${master.url}/swarm`, 'user_count=7&spawn_rate=100');
      assert.match(changed.json.message ?? '', /users changed to 7/);
      const grown = await waitFor('the new shares', async () => {
        const s = await stats();
        return s.user_count === 7 && aggregated(s) > 20 ? s : undefined;
      });
      assert.deepEqual(grown.workers!.map((w) => w.user_count), [4, 3]);

      assert.equal((await post(`${master.url}/stats/reset`)).status, 200);
      // Load after the reset, counted by the target itself.
      const atReset = target.hits.length;
      await waitFor('requests after the reset', async () => (target.hits.length > atReset + 50 ? true : undefined));
      await post(`${master.url}/stop`);
      const final = aggregated(await stats());
      // What came before the reset is gone from the merged figures on every worker, and the load went on after it.
      assert.ok(final > 0 && final < target.hits.length, `after the reset: ${final} of the ${target.hits.length} requests served`);
      assert.equal((await master.interrupt()).code, 0);
      for (const done of workers) assert.equal((await done).code, 0);
    } finally {
      master.child.kill('SIGKILL');
    }
  });

  it('a worker killed mid-run is shown lost; the other runs on and stops; the loss fails the run', async () => {
    const { master, workers, children } = await masterAndWorkers([]);
    try {
      const stats = () => getJson(`${master.url}/stats/requests`) as Promise<StatsJson>;
      await waitFor('both workers joined', async () => ((await stats()).workers?.length === 2 ? true : undefined));
      assert.equal((await post(`${master.url}/swarm`, 'user_count=4&spawn_rate=100')).status, 200);
      await waitFor('both workers running', async () => ((await stats()).workers?.every((w) => w.state === 'running') ? true : undefined));
      children[1]!.kill('SIGKILL');
      const lost = await waitFor('worker 1 lost', async () => {
        const s = await stats();
        return s.workers?.[1]?.state === 'lost' ? s : undefined;
      });
      assert.equal(lost.workers![0]!.state, 'running');
      assert.equal(lost.worker_count, 1);
      assert.equal((await post(`${master.url}/stop`)).json.message, 'Test stopped');
      assert.deepEqual((await stats()).workers!.map((w) => w.state), ['stopped', 'lost']);
      const end = await master.interrupt();
      assert.equal(end.code, 1, 'a lost worker fails the run (--on-worker-loss fail)');
      assert.match(end.stderr, /warn: worker 1 \([^)]+\) lost: connection closed/, 'the loss is in the log');
      assert.equal((await workers[0]!).code, 0);
    } finally {
      master.child.kill('SIGKILL');
    }
  });

  it('a worker gone between tests leaves its place: a new one with its index is listed waiting, and the next test has both', async () => {
    target.hits.length = 0;
    const { master, port, workers, children } = await masterAndWorkers([]);
    let replacement: ReturnType<typeof startCli> | undefined;
    try {
      const stats = () => getJson(`${master.url}/stats/requests`) as Promise<StatsJson>;
      await waitFor('both workers joined', async () => ((await stats()).workers?.length === 2 ? true : undefined));
      assert.equal((await post(`${master.url}/swarm`, 'user_count=2&spawn_rate=100')).status, 200);
      await waitFor('both workers running', async () => ((await stats()).workers?.every((w) => w.state === 'running') ? true : undefined));
      assert.equal((await post(`${master.url}/stop`)).json.message, 'Test stopped');
      children[1]!.kill('SIGKILL');
      await waitFor('worker 1 gone', async () => ((await stats()).workers?.[1]?.state === 'lost' ? true : undefined));
      replacement = startCli(['run', '--worker', '--master-host', '127.0.0.1', '--master-port', String(port), HITS], { ...ENV, JOB_COMPLETION_INDEX: '1' }, { cwd: dir });
      const back = await waitFor('the new worker listed, waiting', async () => {
        const s = await stats();
        return s.workers?.[1]?.state === 'waiting' ? s : undefined;
      });
      assert.deepEqual(back.workers!.map((w) => w.state), ['stopped', 'waiting']);
      const atStart = target.hits.length;
      assert.equal((await post(`${master.url}/swarm`, 'user_count=4&spawn_rate=100')).status, 200);
      const running = await waitFor('the next test on both', async () => {
        const s = await stats();
        return s.workers?.every((w) => w.state === 'running') && s.user_count === 4 && aggregated(s) > 10 ? s : undefined;
      });
      assert.deepEqual(running.workers!.map((w) => w.user_count), [2, 2]);
      assert.equal((await post(`${master.url}/stop`)).json.message, 'Test stopped');
      assert.equal(aggregated(await stats()), target.hits.length - atStart, 'the test counts what the target served, from both workers');
      const end = await master.interrupt();
      assert.equal(end.code, 0, end.stderr);
      assert.match(end.stderr, /worker 1 \([^)]+\) takes the place of worker 1 \(/);
      assert.equal((await workers[0]!).code, 0);
      assert.equal((await replacement.done).code, 0);
    } finally {
      master.child.kill('SIGKILL');
      replacement?.child.kill('SIGKILL');
    }
  });

  it('--autostart waits for both workers, -t stops them, --autoquit quits: the reports are the merged run', async () => {
    target.hits.length = 0;
    const json = path.join(dir, 'auto.json');
    const csv = path.join(dir, 'auto');
    const { master, workers } = await masterAndWorkers(['-u', '4', '-r', '100', '-t', '2s', '--autostart', '--autoquit', '0', '--json', json, '--csv', csv]);
    try {
      const end = await master.done;
      assert.equal(end.code, 0, end.stderr);
      for (const done of workers) assert.equal((await done).code, 0);
      const result = JSON.parse(await readFile(json, 'utf8')) as RunResult;
      assert.ok(target.hits.length > 0);
      assert.equal(result.snapshot.entries.find((e) => e.name === '/hit')?.requests, target.hits.length, 'the --json report counts what the target served');
      assert.equal(result.peakUsers, 4, 'the shares add up to -u 4');
      const stats = await readFile(`${csv}_stats.csv`, 'utf8');
      assert.match(stats, new RegExp(`"?/hit"?,${target.hits.length},`), 'the --csv report is the merged run too');
    } finally {
      master.child.kill('SIGKILL');
    }
  });

  it('--prometheus on a worker, and an arrival rate on a master\'s web UI, are refused in one line', async () => {
    const r = await startCli(['run', '--worker', '--master-host', '127.0.0.1', '--prometheus', HITS], ENV).done;
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--prometheus goes on the master/);
    const open = await startCli(['run', '--master', '--expect-workers', '2', '--arrival-rate', '5', HITS], ENV).done;
    assert.equal(open.code, 2);
    assert.match(open.stderr, /--arrival-rate and --stages need --headless on a master/);
  });
});

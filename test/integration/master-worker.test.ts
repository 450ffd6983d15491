/**
 * Master and workers across machines, on loopback (issue 16): real
 * `mcpload run --master` and `--worker` processes, the workers indexed by
 * JOB_COMPLETION_INDEX as a Kubernetes Indexed Job indexes its pods, against
 * a target that counts what it served. Each run is a few seconds long and
 * stops by itself.
 *
 * MCPLOAD_RELAUNCHED=1 keeps each command in one process (no relaying
 * parent), so that a SIGKILL reaches the process that runs the load.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { statsRows } from '../../src/metrics/rows.js';
import type { RunResult } from '../../src/report/run-result.js';
import { hasOpenssl } from '../helpers/openssl.js';
import { countingServer } from '../helpers/counting-server.js';
import { until } from '../helpers/until.js';
import { freePort, ROOT, runCli, startCli, type CliResult } from './cli-helpers.js';

const HITS = path.join(ROOT, 'test/fixtures/hit-counter.ts');
const FIVE_HITS = path.join(ROOT, 'test/fixtures/five-hits.ts');
const TOKEN = 'test-master-token-5f1c';
const ONE_PROCESS = { MCPLOAD_RELAUNCHED: '1' };

async function readResult(file: string): Promise<RunResult> {
  return JSON.parse(await readFile(file, 'utf8')) as RunResult;
}

function hitRequests(result: RunResult): number {
  return result.snapshot.entries.find((e) => e.name === '/hit')?.requests ?? 0;
}

describe('master and workers on loopback, counted by the target', () => {
  const target = countingServer();
  let dir = '';
  before(async () => {
    await target.listen();
    dir = await mkdtemp(path.join(tmpdir(), 'mcpload-mw-'));
  });
  after(async () => {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  });

  function master(port: number, workers: number, args: string[], env: Record<string, string> = { MCPLOAD_MASTER_TOKEN: TOKEN }) {
    return startCli(['run', '--master', '--expect-workers', String(workers), '--master-bind-port', String(port), '--expect-workers-max-wait', '30s',
      '--headless', '--host', target.url(), '--print-interval', '1s', ...args], { ...ONE_PROCESS, ...env });
  }

  function worker(port: number, index: number | undefined, args: string[], env: Record<string, string> = { MCPLOAD_MASTER_TOKEN: TOKEN }, cwd = dir) {
    return startCli(['run', '--worker', '--master-host', '127.0.0.1', '--master-port', String(port), ...args],
      { ...ONE_PROCESS, ...env, ...(index !== undefined ? { JOB_COMPLETION_INDEX: String(index) } : {}) }, { cwd });
  }

  it('three indexed workers: one merged result that counts what the target served, equal to merge over their own files', async () => {
    target.hits.length = 0;
    target.all.length = 0;
    const port = await freePort();
    const json = path.join(dir, 'master.json');
    const m = master(port, 3, [HITS, '-u', '6', '-r', '100', '-t', '3s', '--json', json]);
    const workers = [0, 1, 2].map((i) => worker(port, i, [HITS, '--json', path.join(dir, `w${i}.json`)]));
    const [mr, ...wr] = await Promise.all([m.done, ...workers.map((w) => w.done)]) as CliResult[];
    assert.equal(mr!.code, 0, mr!.stderr + mr!.stdout);
    for (const r of wr) assert.equal(r.code, 0, r.stderr);
    assert.match(mr!.stdout, /3\/3 workers/);
    assert.match(mr!.stdout, /6 users at 100\/s, for 3s; 3 workers/);
    for (const i of [0, 1, 2]) assert.match(mr!.stderr, new RegExp(`worker ${i} \\([^)]+\\) joined`));
    for (const i of [0, 1, 2]) assert.match(mr!.stdout, new RegExp(`worker ${i} \\([^)]+\\) +done +\\d+ requests, peak 2 users`));

    const merged = await readResult(json);
    assert.ok(hitRequests(merged) > 0);
    assert.equal(hitRequests(merged), target.hits.length, 'the merged count is what the target served');
    // The requests before the load (the master's and each worker's checks) are said in one note: with them, every request the target served is accounted for.
    const preLoad = /note: (\d+) HTTP requests? went to the target before the load from the leader and its 3 workers/.exec(mr!.stderr);
    assert.ok(preLoad, mr!.stderr);
    assert.equal(hitRequests(merged) + Number(preLoad[1]), target.all.length, `the target served ${JSON.stringify(target.all.filter((r) => r !== 'GET /hit'))} besides the hits`);
    assert.equal(merged.peakUsers, 6, 'the shares add up to -u 6');
    assert.equal(merged.settings.workers, 3);
    assert.ok(!JSON.stringify(merged).includes(TOKEN) && !mr!.stdout.includes(TOKEN) && !mr!.stderr.includes(TOKEN), 'the token is never shown');

    // The workers' own files, merged afterwards, give the same figures: the master's merge is exact.
    const files = [0, 1, 2].map((i) => path.join(dir, `w${i}.json`));
    const shares = await Promise.all(files.map(readResult));
    assert.deepEqual(shares.map((s) => s.peakUsers), [2, 2, 2]);
    const rebuilt = path.join(dir, 'rebuilt.json');
    const mergeRun = await runCli(['merge', ...files, '--json', rebuilt]);
    assert.equal(mergeRun.code, 0, mergeRun.stderr);
    const again = await readResult(rebuilt);
    const figures = (r: RunResult) => statsRows(r.snapshot).rows.map((row) => ({ name: row.name, requests: row.requests, percentiles: row.percentilesMs }));
    assert.deepEqual(figures(merged), figures(again));
  });

  it('a rule each share passes but the whole fails fails the run', async () => {
    target.hits.length = 0;
    const port = await freePort();
    // Each user makes exactly five requests: three workers of one user each make 5 apiece, 15 together.
    const m = master(port, 3, [FIVE_HITS, '-u', '3', '-r', '100', '-t', '2s', '--threshold', 'count<10']);
    const workers = [0, 1, 2].map((i) => worker(port, i, [FIVE_HITS, '--json', path.join(dir, `five${i}.json`)]));
    const [mr, ...wr] = await Promise.all([m.done, ...workers.map((w) => w.done)]) as CliResult[];
    for (const r of wr) assert.equal(r.code, 0, r.stderr);
    for (const i of [0, 1, 2]) {
      const share = await readResult(path.join(dir, `five${i}.json`));
      assert.equal(hitRequests(share), 5);
      assert.equal(share.thresholds.find((t) => t.expr === 'count<10')?.passed, true, `worker ${i}'s share passes on its own`);
    }
    assert.equal(target.hits.length, 15);
    assert.equal(mr!.code, 1, mr!.stdout);
    assert.match(mr!.stdout, /count<10/);
    assert.match(mr!.stdout, /FAILED/);
  });

  it('a worker with a wrong token or another scenario is refused (exit 2); a master whose workers never come exits 2', async () => {
    const port = await freePort();
    const m = master(port, 1, [HITS, '-u', '1', '-t', '2s', '--expect-workers-max-wait', '4s']);
    const wrong = await worker(port, undefined, [HITS], { MCPLOAD_MASTER_TOKEN: 'not-the-token' }).done;
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(wrong.stderr, /the master refused this worker: wrong master token/);
    const other = await worker(port, undefined, [FIVE_HITS]).done;
    assert.equal(other.code, 2, other.stderr);
    assert.match(other.stderr, /the master refused this worker: the worker has another scenario/);
    const mr = await m.done;
    assert.match(mr.stderr, /refused a worker from 127\.0\.0\.1: wrong master token/);
    assert.match(mr.stderr, /refused a worker from 127\.0\.0\.1: the worker has another scenario/);
    assert.equal(mr.code, 2, mr.stderr);
    assert.match(mr.stderr, /only 0 of 1 workers came within --expect-workers-max-wait 4s; no load was started/);
    for (const text of [wrong.stderr, other.stderr, mr.stderr, mr.stdout]) assert.ok(!text.includes(TOKEN) && !text.includes('not-the-token'));
  });

  it('kill -9 of a worker mid-run: named lost, its requests up to its last update count, exit 1 (--on-worker-loss fail)', async () => {
    target.hits.length = 0;
    const port = await freePort();
    const json = path.join(dir, 'lost.json');
    // No time limit: the run is stopped (Ctrl-C) once the master has seen the loss, so the kill always lands mid-run.
    const m = master(port, 2, [HITS, '-u', '2', '-r', '100', '--json', json]);
    let live = '';
    let log = '';
    m.child.stdout!.on('data', (chunk: Buffer) => (live += String(chunk)));
    m.child.stderr!.on('data', (chunk: Buffer) => (log += String(chunk)));
    const survivor = worker(port, 0, [HITS, '--json', path.join(dir, 'survivor.json')]);
    const victim = worker(port, 1, [HITS]);
    try {
      // Killed once the master has shown a table merged from both: worker 1 has sent a snapshot.
      await until('a live table from both workers', () => /2\/2 workers/.test(live), { timeoutMs: 30_000, everyMs: 50 });
      victim.child.kill('SIGKILL');
      await until('the master seeing the loss', () => /worker 1 \([^)]+\) lost/.test(log), { timeoutMs: 30_000, everyMs: 50 });
      m.child.kill('SIGINT');
      const [mr, sr] = await Promise.all([m.done, survivor.done]);
      assert.equal((await victim.done).signal, 'SIGKILL');
      assert.equal(sr.code, 0, sr.stderr);
      assert.equal(mr.code, 1, mr.stdout + mr.stderr);
      assert.match(mr.stderr, /warning: worker 1 \([^)]+\) lost: connection closed/);
      assert.match(mr.stdout, /note: worker 1 \([^)]+\) lost \(connection closed/);
      assert.match(mr.stdout, /worker 1 \([^)]+\) lost \(--on-worker-loss fail\)/);
      assert.match(mr.stdout, /worker 1 \([^)]+\) +lost +[1-9]\d* requests up to its last update/);
      const merged = await readResult(json);
      const own = hitRequests(await readResult(path.join(dir, 'survivor.json')));
      assert.ok(hitRequests(merged) > own, 'the lost worker\'s requests up to its last update are in the result');
      assert.ok(hitRequests(merged) <= target.hits.length);
    } finally {
      m.child.kill('SIGKILL');
      survivor.child.kill('SIGKILL');
      victim.child.kill('SIGKILL');
    }
  });

  it('a worker silent past --heartbeat-timeout (SIGSTOP) is lost; with --on-worker-loss continue the run still passes', async () => {
    target.hits.length = 0;
    const port = await freePort();
    // No time limit: the run is stopped (Ctrl-C) once the live view has named the lost worker.
    // 4 s: long beside the 1 s heartbeats, so that a busy machine does not lose the other worker too.
    const m = master(port, 2, [HITS, '-u', '2', '-r', '100', '--heartbeat-timeout', '4s', '--on-worker-loss', 'continue']);
    let live = '';
    m.child.stdout!.on('data', (chunk: Buffer) => (live += String(chunk)));
    const survivor = worker(port, 0, [HITS]);
    const frozen = worker(port, 1, [HITS]);
    try {
      await until('a live table from both workers', () => /2\/2 workers/.test(live), { timeoutMs: 30_000, everyMs: 50 });
      frozen.child.kill('SIGSTOP');
      await until(() => `the live view naming the lost worker; it shows:\n${live.slice(-600)}`, () => /1\/2 workers · lost: worker 1 \(/.test(live),
        { timeoutMs: 30_000, everyMs: 50 });
      m.child.kill('SIGINT');
      const mr = await m.done;
      assert.equal(mr.code, 0, mr.stdout + mr.stderr);
      assert.match(mr.stderr, /warning: worker 1 \([^)]+\) lost: silent for \d/);
      assert.match(mr.stdout, /note: worker 1 \([^)]+\) lost \(silent for/);
      assert.doesNotMatch(mr.stdout, /--on-worker-loss fail/);
      assert.equal((await survivor.done).code, 0);
    } finally {
      m.child.kill('SIGKILL');
      survivor.child.kill('SIGKILL');
      frozen.child.kill('SIGKILL');
      frozen.child.kill('SIGCONT');
      await frozen.done;
    }
  });

  it('a worker started again with the lost one\'s JOB_COMPLETION_INDEX (a pod its Job restarts) takes its share for the rest of the run', async () => {
    target.hits.length = 0;
    const port = await freePort();
    const json = path.join(dir, 'replaced.json');
    // The open model: the replacement joins the arrival plan where the run is. No time limit: stopped once it reports.
    const m = master(port, 2, [HITS, '--arrival-rate', '40', '--max-users', '4', '--on-worker-loss', 'continue', '--json', json]);
    let live = '';
    let log = '';
    m.child.stdout!.on('data', (chunk: Buffer) => (live += String(chunk)));
    m.child.stderr!.on('data', (chunk: Buffer) => (log += String(chunk)));
    const survivor = worker(port, 0, [HITS, '--json', path.join(dir, 'kept.json')]);
    const victim = worker(port, 1, [HITS]);
    let replacement: ReturnType<typeof worker> | undefined;
    try {
      await until('a live table from both workers', () => /2\/2 workers/.test(live), { timeoutMs: 30_000, everyMs: 50 });
      victim.child.kill('SIGKILL');
      await until('the master seeing the loss', () => /worker 1 \([^)]+\) lost/.test(log), { timeoutMs: 30_000, everyMs: 50 });
      replacement = worker(port, 1, [HITS, '--json', path.join(dir, 'replacement.json')]);
      await until('the replacement taking the share', () => /worker 1 \([^)]+\) takes the share of worker 1 \([^)]+\), [\d.]+s into the run/.test(log),
        { timeoutMs: 30_000, everyMs: 50 });
      const seen = live.length;
      await until(() => `a live table from the survivor and the replacement; it shows:\n${live.slice(-600)}`,
        () => /2\/2 workers · lost: worker 1 \([^)]+\) \(replaced\)/.test(live.slice(seen)), { timeoutMs: 30_000, everyMs: 50 });
      m.child.kill('SIGINT');
      const [mr, sr, rr] = await Promise.all([m.done, survivor.done, replacement.done]);
      assert.equal(sr.code, 0, sr.stderr);
      assert.equal(rr.code, 0, rr.stderr);
      assert.match(rr.stderr, /this worker takes the share of a lost one, [\d.]+s into the run/);
      assert.equal(mr.code, 0, mr.stdout + mr.stderr);
      assert.match(mr.stdout, /worker 1 \([^)]+\) +lost +[1-9]\d* requests up to its last update/);
      assert.match(mr.stdout, /worker 1 \([^)]+\) +done +[1-9]\d* requests, .*in place of worker 1 \(/);
      const merged = hitRequests(await readResult(json));
      const kept = hitRequests(await readResult(path.join(dir, 'kept.json')));
      const replaced = hitRequests(await readResult(path.join(dir, 'replacement.json')));
      assert.ok(replaced > 0, 'the replacement ran its share');
      assert.ok(merged > kept + replaced, 'the lost worker\'s requests up to its last update count beside the replacement\'s');
      // What the lost worker sent after its last update is the only part the target saw and the result did not.
      assert.ok(merged <= target.hits.length, `${merged} merged, ${target.hits.length} served`);
    } finally {
      m.child.kill('SIGKILL');
      survivor.child.kill('SIGKILL');
      victim.child.kill('SIGKILL');
      replacement?.child.kill('SIGKILL');
    }
  });

  it('kill -9 of the master: the worker stops its users and writes its own result for mcpload merge', async () => {
    target.hits.length = 0;
    const port = await freePort();
    const cwd = await mkdtemp(path.join(dir, 'orphan-'));
    const m = master(port, 1, [HITS, '-u', '1', '-r', '100', '-t', '30s']);
    let live = '';
    m.child.stdout!.on('data', (chunk: Buffer) => (live += String(chunk)));
    const w = worker(port, undefined, [HITS], undefined, cwd);
    await until('a live table', () => /1\/1 workers/.test(live), { timeoutMs: 30_000, everyMs: 50 });
    m.child.kill('SIGKILL');
    const wr = await w.done;
    assert.equal(wr.code, 1, wr.stderr);
    assert.match(wr.stderr, /master lost \(connection closed/);
    const file = path.join(cwd, 'mcpload-worker-0.json');
    assert.ok(existsSync(file), wr.stderr);
    const own = await readResult(file);
    assert.ok(hitRequests(own) > 0);
    assert.equal(hitRequests(own), target.hits.length, 'the worker\'s own file counts every request it made');
    const mergeRun = await runCli(['merge', file]);
    assert.equal(mergeRun.code, 0, mergeRun.stderr);
  });

  it('over TLS: the worker trusts the master\'s certificate through --master-tls-ca', { skip: hasOpenssl() ? false : 'openssl is not installed' }, async () => {
    target.hits.length = 0;
    const key = path.join(dir, 'master.key');
    const cert = path.join(dir, 'master.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const port = await freePort();
    const json = path.join(dir, 'tls.json');
    const m = master(port, 1, [HITS, '-u', '1', '-r', '100', '-t', '2s', '--json', json, '--master-tls-cert', cert, '--master-tls-key', key]);
    const w = worker(port, undefined, [HITS, '--master-tls-ca', cert]);
    const [mr, wr] = await Promise.all([m.done, w.done]);
    assert.equal(wr.code, 0, wr.stderr);
    assert.equal(mr.code, 0, mr.stderr + mr.stdout);
    assert.match(mr.stderr, new RegExp(`waiting for 1 worker on wss://127\\.0\\.0\\.1:${port}`));
    assert.match(wr.stderr, /joined the master at wss:/);
    assert.equal(hitRequests(await readResult(json)), target.hits.length);
  });
});

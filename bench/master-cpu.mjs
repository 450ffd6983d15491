/* global fetch -- Node 20 has fetch built in */
// `npm run bench:master-cpu`: does leading over the network cost the
// generator anything? (issue 16, goal: master plus N workers on one machine,
// the generator's CPU per request within 1.1x of a single process's.)
//
// The same open-model load (a fixed rate of tools/call through the general
// client, bench/scenarios/undici-call.ts, `--arrival-rate RATE`) against
// nginx's canned reply (bench/nginx.conf, as bench.mjs), once from one
// `mcpload run` and once from `mcpload run --master --expect-workers 2` plus
// two `mcpload run --worker` on this machine. Over a steady window: the CPU
// (utime + stime, from /proc) of every generator process (the master's and the
// workers' trees summed) per request nginx counted (stub_status). For scale,
// a third set-up splits the same load over `--processes N` (the same shares,
// no network, no master): the part of the difference that comes from
// splitting the load, not from leading it. Rounds alternate the set-ups;
// medians are reported.
//
// Env: BENCH_RATE (requests/s, 2000), BENCH_USERS (instead of a rate: that many users
//      calling back to back, the closed model at saturation, where one process runs
//      out of core and splitting is what users do), BENCH_ROUNDS (2), BENCH_SECONDS (window, 10),
//      BENCH_WORKERS (workers beside the master, 2), BENCH_WARMUP (seconds of
//      load before the window, 10: each process's JIT compiles for its first
//      ~15 s, about 1 % of a core that a longer run does not pay).
// Beside the CPU, the wake-ups: voluntary context switches of every generator
// thread per second, the fixed cost each process pays (see docs/benchmarks.md).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, loadAverage, voluntarySwitches } from './proc-cpu.mjs';
import { freePort } from './free-port.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const MCPLOAD = path.join(ROOT, 'bin/mcpload.js');
const SCENARIO = path.join(HERE, 'scenarios/undici-call.ts');
const RATE = Number(process.env.BENCH_RATE ?? 2000);
// BENCH_USERS: a closed model instead (N users calling back to back, no wait), every process as busy as it can be.
const USERS = process.env.BENCH_USERS === undefined ? undefined : Number(process.env.BENCH_USERS);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WINDOW_S = Number(process.env.BENCH_SECONDS ?? 10);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 10);
const GOAL_RATIO = 1.1;
const OUT = `/tmp/mcpload-master-cpu-${process.pid}`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const children = new Set();

function start(cmd, args, env = {}) {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let text = '';
  child.stdout.on('data', (c) => (text += c));
  child.stderr.on('data', (c) => (text += c));
  children.add(child);
  const done = new Promise((resolve) => child.on('close', (code) => {
    children.delete(child);
    resolve(code);
  }));
  return { child, done, output: () => text };
}

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

async function startNginx(port) {
  const bin = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
  if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) throw new Error('nginx is needed (Debian: apt-get install -y nginx; npm run bench installs it)');
  const dir = `${OUT}/nginx`;
  mkdirSync(dir, { recursive: true });
  const conf = readFileSync(path.join(HERE, 'nginx.conf'), 'utf8')
    .replaceAll('/tmp/mcpload-bench-nginx', dir).replace('127.0.0.1:18080', `127.0.0.1:${port}`);
  writeFileSync(`${dir}/nginx.conf`, conf);
  const nginx = start(bin, ['-c', `${dir}/nginx.conf`, '-p', `${dir}/`, '-e', `${dir}/error.log`, '-g', 'daemon off;']);
  for (let i = 0; i < 100; i++) {
    try {
      await requestsServed(port);
      return nginx;
    } catch { await sleep(100); }
  }
  throw new Error(`nginx did not start:\n${nginx.output()}`);
}

async function requestsServed(port) {
  const res = await fetch(`http://127.0.0.1:${port}/nginx_status`, { signal: AbortSignal.timeout(1000) });
  return Number((await res.text()).split('\n')[2].trim().split(/\s+/)[2]);
}

/** Starts the generator processes of one set-up; the first is the one whose end ends the run. */
async function generators(distributed, url, timeS) {
  const model = USERS === undefined ? ['--arrival-rate', String(RATE), '--max-users', '50'] : ['-u', String(USERS), '-r', String(USERS)];
  const load = [SCENARIO, '--host', url, '--headless', ...model, '-t', `${timeS}s`, '--print-interval', '0'];
  if (distributed === 'processes') return [start(process.execPath, [MCPLOAD, 'run', ...load, '--processes', String(WORKERS)])];
  if (!distributed) return [start(process.execPath, [MCPLOAD, 'run', ...load])];
  const port = await freePort();
  const master = start(process.execPath, [MCPLOAD, 'run', ...load, '--master', '--expect-workers', String(WORKERS), '--master-bind-port', String(port)]);
  const workers = Array.from({ length: WORKERS }, () => start(process.execPath, [MCPLOAD, 'run', SCENARIO, '--worker', '--master-port', String(port), '--master-host', '127.0.0.1']));
  return [master, ...workers];
}

/** One run of one set-up: generator CPU per request over a steady window. */
async function measure(distributed, nginxPort) {
  const url = `http://127.0.0.1:${nginxPort}/mcp`;
  const procs = await generators(distributed, url, WINDOW_S + WARMUP_S + 5);
  // Steady: requests flowing for 3 s (the workers joined, the pools opened).
  let prev = await requestsServed(nginxPort);
  for (let i = 0; i < 300; i++) {
    await sleep(100);
    const now = await requestsServed(nginxPort);
    if (now - prev > (USERS === undefined ? RATE : 1000) / 20) break;
    prev = now;
  }
  await sleep(WARMUP_S * 1000);
  const cpu = () => procs.reduce((sum, p) => sum + cpuSeconds(p.child.pid), 0);
  const wakes = () => procs.reduce((sum, p) => sum + voluntarySwitches(p.child.pid), 0);
  const r0 = await requestsServed(nginxPort);
  const c0 = cpu();
  const w0 = wakes();
  const lead0 = cpuSeconds(procs[0].child.pid);
  const t0 = performance.now();
  await sleep(WINDOW_S * 1000);
  const r1 = await requestsServed(nginxPort);
  const c1 = cpu();
  const w1 = wakes();
  const lead1 = cpuSeconds(procs[0].child.pid);
  const seconds = (performance.now() - t0) / 1000;
  const codes = await Promise.all(procs.map((p) => Promise.race([p.done, sleep(60_000).then(() => 'timeout')])));
  const requests = r1 - r0;
  if (codes.some((c) => c === 'timeout' || c === 2)) throw new Error(`a generator did not end well (${codes.join(', ')}):\n${procs.map((p) => p.output().slice(-600)).join('\n---\n')}`);
  return {
    rps: requests / seconds, usPerRequest: ((c1 - c0) * 1e6) / requests, processes: procs.length,
    leadPercent: ((lead1 - lead0) / seconds) * 100, wakesPerS: (w1 - w0) / seconds,
  };
}

async function main() {
  const load = USERS === undefined ? `${RATE} tools/call per second` : `${USERS} users calling tools/call back to back (every process as busy as it can be)`;
  console.log(`# master-cpu: ${load} against nginx, one process vs a master and ${WORKERS} workers (and --processes ${WORKERS}); ${WARMUP_S} s of load, then a ${WINDOW_S} s window; ${ROUNDS} rounds`);
  console.log(`# load average before: ${loadAverage()}`);
  const port = await freePort();
  const nginx = await startNginx(port);
  const single = [];
  const distributed = [];
  const processes = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const one = await measure(false, port);
      const many = await measure(true, port);
      const split = await measure('processes', port);
      single.push(one.usPerRequest);
      distributed.push(many.usPerRequest);
      processes.push(split.usPerRequest);
      console.log(`round ${round}: one process ${one.usPerRequest.toFixed(1)} µs/request at ${Math.round(one.rps)} req/s (${Math.round(one.wakesPerS)} wake-ups/s); ` +
        `master + ${WORKERS} workers ${many.usPerRequest.toFixed(1)} µs/request at ${Math.round(many.rps)} req/s (${Math.round(many.wakesPerS)} wake-ups/s; the master alone ${many.leadPercent.toFixed(1)} % of a core); ` +
        `--processes ${WORKERS} ${split.usPerRequest.toFixed(1)} µs/request (${Math.round(split.wakesPerS)} wake-ups/s); load ${loadAverage()}`);
    }
  } finally {
    nginx.child.kill('SIGTERM');
    await nginx.done;
    rmSync(OUT, { recursive: true, force: true });
  }
  const ratio = median(distributed) / median(single);
  console.log('');
  const at = USERS === undefined ? `at ${RATE} req/s` : `at saturation (${USERS} users, no wait)`;
  console.log(`generator CPU per request ${at}, master + ${WORKERS} workers vs one process: ${median(distributed).toFixed(1)} µs vs ${median(single).toFixed(1)} µs = ${ratio.toFixed(2)}x` +
    `  goal <= ${GOAL_RATIO}x: ${ratio <= GOAL_RATIO ? 'PASS' : 'MISS'}`);
  console.log(`  for scale, the same load split over --processes ${WORKERS} (no network, no master): ${median(processes).toFixed(1)} µs = ${(median(processes) / median(single)).toFixed(2)}x;` +
    ` master + ${WORKERS} workers vs --processes ${WORKERS}: ${(median(distributed) / median(processes)).toFixed(2)}x`);
  console.log(`load average after: ${loadAverage()}`);
}

main().catch((err) => {
  console.error(`master-cpu: ${err.stack ?? err}`);
  process.exitCode = 1;
}).finally(() => {
  for (const child of children) child.kill('SIGTERM');
});

/* global fetch -- Node 20 has fetch built in */
// `npm run bench`: mcpload against peers and against the truth, measured side
// by side in one session, printed as one table of ratios. Never part of
// `npm test`. Method as in ../shared/bench (run-peers.sh): the target on CPU 0,
// the generator alone on CPU 1, CPU read from /proc over a steady window
// (2 s after the load starts, 5 s long), requests counted by the target where
// it can count (nginx stub_status). All traffic stays on 127.0.0.1.
//
// Env: BENCH_ROUNDS (default 3: the CPU rows are repeated, medians reported),
//      MCP_STRESS_BIN (the optional MCP-native peer mcp-stress; also found in node_modules or on the PATH),
//      BENCH_ONLY (space-separated row ids: cpu session accuracy co scale processes servers startup).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.mjs';
import { cpuSeconds, treePids } from './proc-cpu.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const OUT = `/tmp/mcpload-bench-${process.pid}`;
const NODE = process.execPath;
const MCPLOAD = path.join(ROOT, 'bin/mcpload.js');
const AUTOCANNON = path.join(ROOT, 'node_modules/autocannon/autocannon.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(/\s+/) : undefined;
const NGINX_PORT = 18080;
const CONNS = 50;
const BODY = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}';
const ACCEPT = 'application/json, text/event-stream';
const CORES = availableParallelism();
const TARGET_CPU = '0';
const GEN_CPU = CORES > 1 ? '1' : '0';
const HAS_TASKSET = spawnSync('sh', ['-c', 'command -v taskset']).status === 0;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const rows = [];
const children = new Set();
let nginxProc;

function wanted(id) {
  return ONLY === undefined || ONLY.includes(id);
}

/** Starts a process, pinned to `cpu` when taskset exists (null or undefined: free to run anywhere). */
function start(cmd, args, { cpu, log } = {}) {
  const argv = HAS_TASKSET && cpu != null ? ['taskset', ['-c', cpu, cmd, ...args]] : [cmd, args];
  const out = log ? `${OUT}/${log}` : '/dev/null';
  const child = spawn(argv[0], argv[1], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (c) => (text += c));
  child.stderr.on('data', (c) => (text += c));
  const done = new Promise((resolve) => child.on('close', (code) => {
    children.delete(child);
    if (log) writeFileSync(out, text);
    resolve({ code, text });
  }));
  children.add(child);
  return { child, done, output: () => text };
}

function stop(proc) {
  if (proc && proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
  return proc?.done;
}

/**
 * Memory (MB) of a process tree: the largest RSS of one process in it, and
 * the tree's PSS (pages shared between its processes, such as node's own
 * code, counted once, so a sum of RSS would not overstate the tree).
 */
function memoryMb(pid) {
  let pssKb = 0;
  let largestKb = 0;
  for (const p of treePids(pid)) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      largestKb = Math.max(largestKb, Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0));
      pssKb += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch { /* gone */ }
  }
  return { treePss: pssKb / 1024, largestRss: largestKb / 1024 };
}

async function nginxRequests() {
  const res = await fetch(`http://127.0.0.1:${NGINX_PORT}/nginx_status`);
  return Number((await res.text()).split('\n')[2].trim().split(/\s+/)[2]);
}

async function waitForUrl(url, ms = 15000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(500) });
      return;
    } catch { await sleep(100); }
  }
  throw new Error(`${url} did not answer`);
}

// ---------------------------------------------------------------- nginx ----

function ensureNginx() {
  if (spawnSync('sh', ['-c', 'command -v nginx || test -x /usr/sbin/nginx']).status === 0) return;
  console.log('# nginx is missing: installing it from Debian (apt-get install -y nginx)');
  const r = spawnSync('sh', ['-c', 'apt-get install -y nginx >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y nginx >/dev/null)'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('could not install nginx; install it and run again');
}

async function startNginx() {
  ensureNginx();
  const dir = `${OUT}/nginx`;
  mkdirSync(dir, { recursive: true });
  const conf = readFileSync(path.join(HERE, 'nginx.conf'), 'utf8').replaceAll('/tmp/mcpload-bench-nginx', dir);
  writeFileSync(`${dir}/nginx.conf`, conf);
  const bin = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
  nginxProc = start(bin, ['-c', `${dir}/nginx.conf`, '-p', `${dir}/`, '-e', `${dir}/error.log`, '-g', 'daemon off;'], { cpu: TARGET_CPU, log: 'nginx.log' });
  await waitForUrl(`http://127.0.0.1:${NGINX_PORT}/nginx_status`);
  return nginxProc;
}

/**
 * Runs a generator against nginx and measures, over a steady window, its CPU
 * per request as nginx counted them.
 */
async function measureOnNginx(label, cmd, args, cpu = GEN_CPU) {
  const targetPid = nginxProc?.child.pid;
  const base = await nginxRequests();
  const gen = start(cmd, args, { cpu, log: `${label}.log` });
  let prev = base;
  for (let i = 0; i < 150; i++) {
    await sleep(100);
    const now = await nginxRequests();
    if (now - prev > 20) break;
    prev = now;
  }
  await sleep(2000);
  const r1 = await nginxRequests();
  const c1 = cpuSeconds(gen.child.pid);
  const n1 = targetPid ? cpuSeconds(targetPid) : NaN;
  const t1 = performance.now();
  await sleep(5000);
  const r2 = await nginxRequests();
  const c2 = cpuSeconds(gen.child.pid);
  const n2 = targetPid ? cpuSeconds(targetPid) : NaN;
  const seconds = (performance.now() - t1) / 1000;
  await gen.done;
  const requests = r2 - r1;
  return { label, rps: requests / seconds, cpuUsPerRequest: ((c2 - c1) * 1e6) / requests, targetUsPerRequest: ((n2 - n1) * 1e6) / requests,
    output: gen.output() };
}

const acArgs = (url, headers = {}) => [AUTOCANNON, '-j', '-c', String(CONNS), '-d', '10', '-m', 'POST', '-b', BODY,
  '-H', 'Content-Type=application/json', '-H', `Accept=${ACCEPT}`,
  ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]), url];
const benchArgs = (host, extra = []) => [MCPLOAD, 'run', '--bench-mode', '--host', host, '--headless', '-u', String(CONNS), '-r', '10000',
  '-t', '10s', '--print-interval', '0', ...extra];

// ----------------------------------------------------------------- rows ----

async function cpuRow() {
  const url = `http://127.0.0.1:${NGINX_PORT}/mcp`;
  const generalArgs = [MCPLOAD, 'run', path.join(HERE, 'scenarios/undici-call.ts'), '--host', url,
    '--headless', '-u', String(CONNS), '-r', '10000', '-t', '10s', '--print-interval', '0'];
  const ratios = [];
  const generalRatios = [];
  const ours = [];
  const general = [];
  const theirs = [];
  // Each round measures the three side by side, so a ratio compares runs made under the same load of the machine.
  for (let round = 0; round < ROUNDS; round++) {
    const ac = await measureOnNginx(`autocannon-${round}`, NODE, acArgs(url));
    const mc = await measureOnNginx(`mcpload-${round}`, NODE, benchArgs(url));
    const gc = await measureOnNginx(`mcpload-general-${round}`, NODE, generalArgs);
    theirs.push(ac.cpuUsPerRequest);
    ours.push(mc.cpuUsPerRequest);
    general.push(gc.cpuUsPerRequest);
    ratios.push(mc.cpuUsPerRequest / ac.cpuUsPerRequest);
    generalRatios.push(gc.cpuUsPerRequest / ac.cpuUsPerRequest);
    console.log(`#   round ${round + 1}: autocannon ${fmt(ac.cpuUsPerRequest, 1)} µs/req (${Math.round(ac.rps)}/s), `
      + `mcpload --bench-mode ${fmt(mc.cpuUsPerRequest, 1)} µs/req (${Math.round(mc.rps)}/s), `
      + `general client ${fmt(gc.cpuUsPerRequest, 1)} µs/req (${Math.round(gc.rps)}/s)`);
  }
  rows.push(['CPU per tools/call vs autocannon POST (nginx, 50 conns)', `${fmt(median(ours), 1)} µs vs ${fmt(median(theirs), 1)} µs`,
    `${fmt(median(ratios))}×`, '≤ 1.0×']);
  rows.push(['  same, general client (McpHttpClient, every scenario) vs autocannon', `${fmt(median(general), 1)} µs`,
    `${fmt(median(generalRatios))}×`, '≤ 1.2×']);
  rows.push(['  vs Locust FastHttpUser (~6.4× autocannon, ../shared/bench figures)', '', `${fmt(6.4 / median(ratios), 1)}× less`, '≥ 6×']);
  const stress = mcpStressBinary();
  if (stress === undefined) {
    console.log('#   mcp-stress is not installed: its row is skipped (npm install --no-save @mcp-stress/linux-x64, or MCP_STRESS_BIN=path)');
    return;
  }
  // The MCP-native peer; against nginx it finds no `add` tool and floods `ping`, the same POST.
  const peer = await measureOnNginx('mcp-stress', stress, ['run', '--url', url, '-d', '10', '-c', String(CONNS), '--tool', 'add']);
  rows.push(['  same, mcp-stress (MCP-native peer, optional) vs autocannon', `${fmt(peer.cpuUsPerRequest, 1)} µs`,
    `${fmt(peer.cpuUsPerRequest / median(theirs))}×`, '']);
}

/** mcp-stress, an optional peer: MCP_STRESS_BIN, else the npm package when installed beside mcpload, else the PATH. */
function mcpStressBinary() {
  const candidates = [process.env.MCP_STRESS_BIN, path.join(ROOT, 'node_modules/@mcp-stress/linux-x64/bin/mcp-stress')];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  const found = spawnSync('sh', ['-c', 'command -v mcp-stress']);
  return found.status === 0 ? found.stdout.toString().trim() : undefined;
}

/** Opens an MCP session by hand (initialize + initialized) and returns its headers. */
async function openSession(mcpUrl) {
  const headers = { 'content-type': 'application/json', accept: ACCEPT };
  const init = await fetch(mcpUrl, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }) });
  await init.text();
  const sid = init.headers.get('mcp-session-id');
  const session = { ...(sid ? { 'mcp-session-id': sid } : {}), 'mcp-protocol-version': '2025-11-25' };
  await (await fetch(mcpUrl, { method: 'POST', headers: { ...headers, ...session }, body: '{"jsonrpc":"2.0","method":"notifications/initialized"}' })).text();
  return session;
}

/**
 * A generator against a target that cannot count for us: CPU over a steady
 * window that starts 2 s after the load does (`ready` appears in the tool's
 * output, so start-up is left out), requests pro-rated from the tool's own
 * count over its 10 s of load.
 */
async function measureGenerator(label, cmd, args, countOf, ready) {
  const gen = start(cmd, args, { cpu: GEN_CPU, log: `${label}.log` });
  for (let i = 0; i < 200 && !ready.test(gen.output()); i++) await sleep(50);
  await sleep(2000);
  const c1 = cpuSeconds(gen.child.pid);
  await sleep(5000);
  const c2 = cpuSeconds(gen.child.pid);
  const { text } = await gen.done;
  const total = countOf(text);
  return { cpuUsPerRequest: ((c2 - c1) * 1e6) / (total * 0.5), total };
}

const acCount = (text) => {
  const line = text.split('\n').find((l) => l.startsWith('{'));
  return line ? JSON.parse(line).requests.total : NaN;
};
const mcploadCount = (file) => () => {
  const result = JSON.parse(readFileSync(file, 'utf8'));
  return result.snapshot.entries.filter((e) => e.type === 'tools/call').reduce((sum, e) => sum + e.requests, 0);
};

async function sessionRow() {
  const port = await freePort();
  const server = start(NODE, [MCPLOAD, 'serve', '--port', String(port), '--quiet'], { cpu: TARGET_CPU, log: 'reference-server.log' });
  await waitForUrl(`http://127.0.0.1:${port}/api/v1/health`);
  const mcpUrl = `http://127.0.0.1:${port}/mcp`;
  const ours = [];
  const theirs = [];
  for (let round = 0; round < Math.min(ROUNDS, 2); round++) {
    const session = await openSession(mcpUrl);
    const ac = await measureGenerator(`ac-session-${round}`, NODE, acArgs(mcpUrl, session), acCount, /Running|^/);
    const json = `${OUT}/session-${round}.json`;
    const mc = await measureGenerator(`mc-session-${round}`, NODE, benchArgs(mcpUrl, ['--json', json]), mcploadCount(json), /^mcpload .*: scenario/m);
    theirs.push(ac.cpuUsPerRequest);
    ours.push(mc.cpuUsPerRequest);
  }
  await stop(server);
  rows.push(['Full MCP session (initialize, then tools/call) vs reference server', `${fmt(median(ours), 1)} µs vs ${fmt(median(theirs), 1)} µs`,
    `${fmt(median(ours) / median(theirs))}×`, '≤ 1.0×']);
}

function percentilesOf(snapshotFile, key = 'snapshot') {
  const result = JSON.parse(readFileSync(snapshotFile, 'utf8'));
  return result[key];
}

async function rowsFromDist() {
  return import(path.join(ROOT, 'dist/metrics/rows.js'));
}

/** The held times the delay target measured since the last ask (it clears them). */
async function truthOf(port) {
  return (await fetch(`http://127.0.0.1:${port}/truth`)).json();
}

/** One mcpload run against the delay target, and the target's own truth for that run. */
async function accuracyRun(port, label, args) {
  const json = `${OUT}/${label}.json`;
  await start(NODE, [MCPLOAD, 'run', ...args, '--host', `http://127.0.0.1:${port}/mcp`, '--headless',
    '-u', '10', '-r', '100', '-t', '8s', '--print-interval', '0', '--json', json], { cpu: GEN_CPU, log: `${label}.log` }).done;
  const { statsRows } = await rowsFromDist();
  const row = statsRows(percentilesOf(json)).rows.find((r) => r.type === 'tools/call');
  return { p50: row?.percentilesMs['50'] ?? NaN, p99: row?.percentilesMs['99'] ?? NaN, avg: row?.avgMs ?? NaN, truth: await truthOf(port) };
}

const plus = (x) => `${x >= 0 ? '+' : ''}${fmt(x)} ms`;

async function accuracyRow() {
  const port = await freePort();
  const target = start(NODE, [path.join(HERE, 'targets/delay-target.mjs'), String(port)], { cpu: TARGET_CPU, log: 'delay-target.log' });
  await waitForUrl(`http://127.0.0.1:${port}/truth`);
  await truthOf(port);
  const scenario = path.join(HERE, 'scenarios/undici-call.ts');
  const rawPoll = await accuracyRun(port, 'accuracy-raw-poll', ['--bench-mode', '--busy-poll']);
  const raw = await accuracyRun(port, 'accuracy-raw', ['--bench-mode']);
  const generalPoll = await accuracyRun(port, 'accuracy-general-poll', [scenario, '--busy-poll']);
  const general = await accuracyRun(port, 'accuracy-general', [scenario]);
  // The bare undici loop: what the general client's HTTP library reads on this machine now, without mcpload around it.
  const loop = await start(NODE, [path.join(HERE, 'peers/undici-loop.mjs'), `http://127.0.0.1:${port}/mcp`, '10', '8'], { cpu: GEN_CPU }).done;
  let plain;
  try {
    plain = JSON.parse(loop.text.slice(loop.text.indexOf('{')));
  } catch {
    plain = undefined;
  }
  const plainTruth = await truthOf(port);
  await stop(target);
  const vs = (r) => `${fmt(r.p50)} ms vs ${fmt(r.truth.p50)} ms`;
  rows.push(['Accuracy: 20 ms delay target, p50 reported vs true (--bench-mode --busy-poll)', vs(rawPoll), plus(rawPoll.p50 - rawPoll.truth.p50), '≤ 0.3 ms']);
  rows.push(['  p99 reported vs true (--bench-mode --busy-poll)', `${fmt(rawPoll.p99)} ms vs ${fmt(rawPoll.truth.p99)} ms`, plus(rawPoll.p99 - rawPoll.truth.p99), '']);
  rows.push(['  p50 --bench-mode, process sleeps between replies', vs(raw), plus(raw.p50 - raw.truth.p50), '']);
  rows.push(['  p50 general client (undici) --busy-poll', vs(generalPoll), plus(generalPoll.p50 - generalPoll.truth.p50), '']);
  rows.push(['  p50 general client (undici), sleeping', vs(general), plus(general.p50 - general.truth.p50), '']);
  rows.push(['  p50 bare undici loop, sleeping (the HTTP library alone)', `${fmt(plain?.p50)} ms vs ${fmt(plainTruth.p50)} ms`, plus((plain?.p50 ?? NaN) - plainTruth.p50), '']);
}

async function coordinatedOmissionRow() {
  const { statsRows } = await rowsFromDist();
  const port = await freePort();
  const target = start(NODE, [path.join(HERE, 'targets/stall-target.mjs'), String(port)], { cpu: TARGET_CPU, log: 'stall-target.log' });
  await waitForUrl(`http://127.0.0.1:${port}/mcp`);
  const host = `http://127.0.0.1:${port}/mcp`;
  const scenario = path.join(HERE, 'scenarios/undici-call.ts');
  const openJson = `${OUT}/co-open.json`;
  const closedJson = `${OUT}/co-closed.json`;
  await start(NODE, [MCPLOAD, 'run', scenario, '--host', host, '--headless', '--arrival-rate', '200', '--max-users', '400', '-t', '11s',
    '--print-interval', '0', '--json', openJson], { cpu: GEN_CPU, log: 'co-open.log' }).done;
  await start(NODE, [MCPLOAD, 'run', scenario, '--host', host, '--headless', '-u', '10', '-r', '100', '-t', '11s',
    '--print-interval', '0', '--json', closedJson], { cpu: GEN_CPU, log: 'co-closed.log' }).done;
  await stop(target);
  const p99 = (file, key) => statsRows(percentilesOf(file, key)).rows.find((r) => r.type === 'tools/call')?.percentilesMs['99'];
  const corrected = p99(openJson, 'snapshot');
  const service = p99(openJson, 'serviceSnapshot');
  const closed = p99(closedJson, 'snapshot');
  rows.push(['Coordinated omission: 1 s stall every 5 s, open-model p99 corrected', `${fmt(corrected, 0)} ms`, '', '≥ 900 ms']);
  rows.push(['  open-model p99 uncorrected (service time) / closed-model p99', `${fmt(service, 0)} ms / ${fmt(closed, 0)} ms`, '', '']);
}

async function scaleRow() {
  const port = await freePort();
  // A stateless session target, so the row measures the generator's memory (the SDK server
  // itself needs ~14 KB per session and tops out near 1,000-3,000 new sessions/s per core).
  const server = start(NODE, [path.join(HERE, 'targets/session-target.mjs'), String(port)], { cpu: TARGET_CPU, log: 'scale-server.log' });
  await waitForUrl(`http://127.0.0.1:${port}/mcp`);
  const json = `${OUT}/scale.json`;
  const gen = start(NODE, [MCPLOAD, 'run', path.join(HERE, 'scenarios/hold-sessions.ts'), '--host', `http://127.0.0.1:${port}`, '--headless',
    '-u', '10000', '-r', '1000', '-t', '25s', '--print-interval', '0', '--json', json], { cpu: GEN_CPU, log: 'scale.log' });
  let peak = 0;
  let peakTree = 0;
  const sampler = setInterval(() => {
    const memory = memoryMb(gen.child.pid);
    peak = Math.max(peak, memory.largestRss);
    peakTree = Math.max(peakTree, memory.treePss);
  }, 500);
  await gen.done;
  clearInterval(sampler);
  await stop(server);
  const result = JSON.parse(readFileSync(json, 'utf8'));
  const init = result.snapshot.entries.find((e) => e.type === 'initialize');
  const ok = init ? init.requests - init.failures : 0;
  rows.push(['Scale: initialized sessions held from one process / its peak RSS', `${ok} / ${fmt(peak, 0)} MB`, '', '10,000 in ≤ 300 MB']);
  rows.push(['  peak PSS of the tree, with the process that relays signals (mcpload run relaunches itself)', `${fmt(peakTree, 0)} MB`, '', '']);
}

/**
 * Throughput with --processes 2 versus 1, the generator free to use every
 * core (nginx stays on CPU 0), with the CPU per request of both sides: on a
 * machine whose cores the target shares, they say how far more processes
 * could go at all.
 */
async function processesRow() {
  const url = `http://127.0.0.1:${NGINX_PORT}/mcp`;
  const general = path.join(HERE, 'scenarios/undici-call.ts');
  const clients = [
    ['--bench-mode', (extra) => benchArgs(url, extra)],
    ['general client', (extra) => [MCPLOAD, 'run', general, '--host', url, '--headless', '-u', String(CONNS), '-r', '10000', '-t', '10s',
      '--print-interval', '0', ...extra]],
  ];
  for (const [name, argsFor] of clients) {
    const one = [];
    const two = [];
    for (let round = 0; round < Math.min(ROUNDS, 2); round++) {
      one.push(await measureOnNginx(`p1-${name}-${round}`, NODE, argsFor(['--processes', '1']), null));
      two.push(await measureOnNginx(`p2-${name}-${round}`, NODE, argsFor(['--processes', '2']), null));
    }
    const rps1 = median(one.map((m) => m.rps));
    const rps2 = median(two.map((m) => m.rps));
    const gen1 = median(one.map((m) => m.cpuUsPerRequest));
    const gen2 = median(two.map((m) => m.cpuUsPerRequest));
    const target = median([...one, ...two].map((m) => m.targetUsPerRequest));
    // Every core busy at the 2-process cost per request: the most 2 processes could reach on this machine.
    const ceiling = (CORES * 1e6) / (gen2 + target) / rps1;
    rows.push([`--processes 2 vs 1 throughput, ${name} (nginx, ${CORES} cores)`, `${Math.round(rps2)} vs ${Math.round(rps1)} req/s`,
      `${fmt(rps2 / rps1)}×`, name === '--bench-mode' ? '≥ 1.8×' : '']);
    rows.push([`  ceiling on ${CORES} cores: ${CORES} / (generator ${fmt(gen2, 1)} µs + nginx ${fmt(target, 1)} µs per request) / 1-process rate`, '',
      `${fmt(ceiling)}× (reached ${fmt((rps2 / rps1 / ceiling) * 100, 0)} %)`, '']);
    rows.push(['  generator CPU per request, 2 processes vs 1 (parent and merging included)', `${fmt(gen2, 1)} µs vs ${fmt(gen1, 1)} µs`,
      `${fmt(gen2 / gen1)}×`, '']);
  }
}

async function serverRow(label, cmd, args) {
  const port = await freePort();
  const server = start(cmd, [...args.map((a) => (a === 'PORT' ? String(port) : a))], { cpu: TARGET_CPU, log: `${label}.log` });
  await waitForUrl(`http://127.0.0.1:${port}/mcp`).catch(() => undefined);
  const json = `${OUT}/${label}.json`;
  const gen = start(NODE, [MCPLOAD, 'run', '--bench-mode', '--host', `http://127.0.0.1:${port}/mcp`, '--headless', '-u', '20', '-r', '1000',
    '-t', '10s', '--print-interval', '0', '--json', json], { cpu: GEN_CPU, log: `${label}-load.log` });
  const t0 = performance.now();
  await sleep(3000);
  const c1 = cpuSeconds(server.child.pid);
  await sleep(5000);
  const c2 = cpuSeconds(server.child.pid);
  await gen.done;
  const lifeS = (performance.now() - t0) / 1000;
  await stop(server);
  const result = JSON.parse(readFileSync(json, 'utf8'));
  const call = result.snapshot.entries.find((e) => e.type === 'tools/call');
  const windowCalls = (call ? call.requests - call.failures : 0) * (5 / Math.max(lifeS - 1, 1));
  return windowCalls / (c2 - c1);
}

async function serversRow() {
  const sdk = path.join(HERE, 'targets/sdk-minimal-server.mjs');
  const refFull = await serverRow('ref-stateful', NODE, [MCPLOAD, 'serve', '--port', 'PORT', '--quiet']);
  const sdkFull = await serverRow('sdk-stateful', NODE, [sdk, 'PORT']);
  const refLess = await serverRow('ref-stateless', NODE, [MCPLOAD, 'serve', '--port', 'PORT', '--quiet', '--stateless']);
  const sdkLess = await serverRow('sdk-stateless', NODE, [sdk, 'PORT', '--stateless']);
  rows.push(['Reference server tools/call/s per core, stateful vs SDK minimal', `${Math.round(refFull)} vs ${Math.round(sdkFull)}`, `${fmt(refFull / sdkFull)}×`, '']);
  rows.push(['  stateless vs SDK minimal stateless', `${Math.round(refLess)} vs ${Math.round(sdkLess)}`, `${fmt(refLess / sdkLess)}×`, '']);
}

// ----------------------------------------------------------------- main ----

async function startupRow() {
  const { measureStartup } = await import('./startup.mjs');
  const f = await measureStartup({ bin: MCPLOAD });
  const ms = (x) => `${fmt(x, 0)} ms`;
  rows.push(['Start-up wall time: mcpload --version / --help (bare node -e 0)', `${ms(f.version)} / ${ms(f.help)} (${ms(f.bareNode)})`, '', '< 200 ms']);
  rows.push(['  mcpload run -t 1s --headless vs a running server (its header line at)', `${ms(f.run)} (${ms(f.runHeader)})`, '', '< 2 s']);
}

function printTable() {
  const header = ['measure', 'figures', 'ratio / result', 'goal'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ');
  console.log(`\nmcpload bench (${CORES} cores; target on CPU ${TARGET_CPU}, generator on CPU ${GEN_CPU}; medians of ${ROUNDS} rounds where repeated)`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) console.log(line(row));
  console.log(`\nlogs and results: ${OUT}`);
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  if (!existsSync(path.join(ROOT, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run npm run build first');
  if (!existsSync(AUTOCANNON)) throw new Error('autocannon is missing from node_modules (npm ci installs it)');
  const steps = [
    ['cpu', 'CPU per request vs autocannon on nginx', cpuRow, true],
    ['processes', '--processes 2 vs 1', processesRow, true],
    ['session', 'full MCP session vs reference server', sessionRow, false],
    ['accuracy', 'accuracy vs a 20 ms target', accuracyRow, false],
    ['co', 'coordinated omission vs a stalling target', coordinatedOmissionRow, false],
    ['scale', '10,000 sessions from one process', scaleRow, false],
    ['servers', 'reference server vs SDK minimal server', serversRow, false],
    ['startup', 'start-up times (bench/startup.mjs)', startupRow, false],
  ];
  let nginx;
  try {
    for (const [id, title, run, needsNginx] of steps) {
      if (!wanted(id)) continue;
      if (needsNginx && !nginx) nginx = await startNginx();
      console.log(`# ${title}`);
      try {
        await run();
      } catch (err) {
        rows.push([title, `failed: ${err.message}`, '', '']);
      }
    }
  } finally {
    await stop(nginx);
    for (const child of children) child.kill('SIGKILL');
  }
  printTable();
}

process.on('SIGINT', () => {
  for (const child of children) child.kill('SIGKILL');
  process.exit(130);
});
await main();

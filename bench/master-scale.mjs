// `npm run bench:master-scale`: can one master keep up with many workers?
// (issue 16, "Scale, by simulation"). A real master (`mcpload run --master
// --expect-workers N --headless`, its own code path, against `mcpload serve`)
// is fed by N simulated workers held in this one process. They speak the real
// wire protocol with the built modules (dist/app/worker-wire.js: challenge,
// HMAC hello, welcome checked both ways, versioned JSON frames), start at the
// instant the master names, and each sends an update once a second as
// worker-share.ts does (wire 3, dist/metrics/snapshot-update.js): ENTRIES
// entries, each with the HDR histogram buckets it gained that second from
// lognormal latencies (its own median per entry, a slow tail), once in ten
// its whole histogram (as AGE_S seconds into a run, staggered), its
// cumulative counts and sums, the per-second counts since its previous update, and the
// second's history rows (one per entry and Aggregated). The buckets start
// with the bench: a real worker's first update holds its first second. At the stop each sends a result with its whole histograms
// (dist/app/partial-result.js) and closes cleanly.
//
// Measured over a steady window: the master's CPU (utime + stime of its
// process tree, from /proc), in % of one core, and how far behind its merged
// live view is: the master logs, at --loglevel DEBUG, for each view it prints,
// the age of the oldest update in it (now minus that update's takenAt:
// update period + the way to the master + waiting for the merge + the
// merge), the merge time, and how late updates arrived. One machine, one
// clock: no skew in these ages.
//
// Goal: 500 workers x 50 entries once a second merged by one master using
// under half of one core, the merged view at most 2 s behind.
//
// Env: BENCH_WORKERS (500), BENCH_ENTRIES (50), BENCH_SECONDS (window, 30),
//      BENCH_WARMUP (seconds of load before the window, 5),
//      BENCH_AGE (seconds each worker has already run when the bench starts, 300: its
//        histograms hold that much, as a worker's do 5 minutes into a run),
//      BENCH_PRINT_INTERVAL (the master's --print-interval, 2s: its default),
//      BENCH_HISTORY=0 (updates without history rows: only the merge's own cost),
//      BENCH_PROFILE=DIR (the master runs under --cpu-prof, which its run process inherits; profiles in DIR).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { cpuSeconds, loadAverage, rssMiB } from './proc-cpu.mjs';
import { freePort } from './free-port.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const DIST = path.join(ROOT, 'dist');
const MCPLOAD = path.join(ROOT, 'bin/mcpload.js');
const WORKERS = Number(process.env.BENCH_WORKERS ?? 500);
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 50);
const WINDOW_S = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 5);
const AGE_S = Number(process.env.BENCH_AGE ?? 300);
const PRINT_INTERVAL = process.env.BENCH_PRINT_INTERVAL ?? '2s';
const PROFILE_DIR = process.env.BENCH_PROFILE;
/** Whether updates carry their second's history rows, as real workers' do (the master keeps them for charts and a lost worker's rebuild). */
const HISTORY = process.env.BENCH_HISTORY !== '0';
/** Requests per second each entry of each worker counts: 50 entries x 4/s = 200 requests/s per worker. */
const ENTRY_RATE = 4;
const CPU_GOAL_PERCENT = 50;
const LAG_GOAL_MS = 2000;
const TOKEN = 'bench-master-scale-token';

const wire = await import(path.join(DIST, 'app/worker-wire.js'));
const { VERSION } = await import(path.join(DIST, 'version.js'));
const { scenarioHash } = await import(path.join(DIST, 'app/scenario-hash.js'));
const { buildProgram } = await import(path.join(DIST, 'cli/program.js'));
const { resolveRunSettings } = await import(path.join(DIST, 'cli/run-cli.js'));
const { newHistogram, encodeHistogram } = await import(path.join(DIST, 'metrics/histogram.js'));
const { takeAddedBuckets, WHOLE_EVERY } = await import(path.join(DIST, 'metrics/snapshot-update.js'));
const { resultFromSnapshot } = await import(path.join(DIST, 'app/partial-result.js'));
const { createRng } = await import(path.join(DIST, 'engine/rng.js'));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();

/** Waits until something accepts connections on 127.0.0.1:port. */
async function listening(port, ms = 20_000) {
  const until = Date.now() + ms;
  for (;;) {
    const up = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > until) throw new Error(`nothing listens on port ${port}`);
    await sleep(100);
  }
}

function start(args, env = {}) {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.add(child);
  const done = new Promise((resolve) => child.on('close', (code) => {
    children.delete(child);
    resolve(code);
  }));
  return { child, done };
}

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** The scenario hash the master computes, from the same argv through the same option parsing. */
async function hashOf(runArgs) {
  const program = buildProgram();
  program.exitOverride();
  const run = program.commands.find((c) => c.name() === 'run');
  let opts;
  run.action((positional, _o, command) => {
    opts = resolveRunSettings(command, positional).opts;
  });
  await program.parseAsync(['node', 'mcpload', 'run', ...runArgs]);
  return scenarioHash(opts);
}

// --------------------------------------------------- realistic updates ----

/** A standard normal draw (Box-Muller) from a small seeded generator, so every run sends the same figures. */
function normalFrom(rand) {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/**
 * For each entry kind, its cumulative figures second by second: what one
 * worker's entry holds after AGE_S, + 1, + 2, ... seconds at ENTRY_RATE
 * requests/s, with the histogram buckets gained in that second and the whole
 * histogram encoded (sent once in WHOLE_EVERY updates, and in a result).
 * Latencies: lognormal around a median of 3 to 120 ms (sigma 0.6), 2 % of
 * them 4 to 10 times slower: the spread real histograms have.
 */
function entryPool(kinds, seconds) {
  const pool = [];
  for (let k = 0; k < kinds; k++) {
    const rand = createRng(1000 + k);
    const medianUs = 3000 * Math.pow(40, k / Math.max(1, kinds - 1));
    const histogram = newHistogram();
    const sent = newHistogram();
    let requests = 0;
    let failures = 0;
    let sumUs = 0;
    let minUs = Infinity;
    let maxUs = 0;
    const steps = [];
    for (let s = 0; s < AGE_S + seconds; s++) {
      for (let i = 0; i < ENTRY_RATE; i++) {
        let us = Math.round(medianUs * Math.exp(0.6 * normalFrom(rand)));
        if (rand() < 0.02) us *= 4 + Math.floor(rand() * 7);
        histogram.recordValue(us);
        requests++;
        if (rand() < 0.005) failures++;
        sumUs += us;
        minUs = Math.min(minUs, us);
        maxUs = Math.max(maxUs, us);
      }
      // A real worker's first update carries its first second only: what came before is sent.
      if (s === AGE_S - 1) takeAddedBuckets(histogram, sent);
      if (s >= AGE_S) {
        steps.push({
          requests, failures, sumUs, minUs, maxUs, bytes: requests * 180, added: takeAddedBuckets(histogram, sent), histogram: encodeHistogram(histogram),
          medianMs: medianUs / 1000,
        });
      }
    }
    pool.push(steps);
  }
  return pool;
}

/** A history row as Stats.tick shapes it: the second's rate and percentiles, the totals so far. */
function historyRow(name, second, step) {
  const percentilesMs = {};
  for (const [key, factor] of [['50', 1], ['66', 1.3], ['75', 1.5], ['80', 1.6], ['90', 2.2], ['95', 2.7], ['98', 3.5], ['99', 4.1], ['99.9', 6], ['99.99', 7], ['100', 8]]) {
    percentilesMs[key] = Math.round(step.medianMs * factor * 1000) / 1000;
  }
  return {
    timestamp: second, intervalS: 1, userCount: 10, type: name === 'Aggregated' ? '' : 'tools/call', name,
    requestsPerSec: ENTRY_RATE, failuresPerSec: 0, percentilesMs,
    totalRequests: step.requests, totalFailures: step.failures, totalMedianMs: step.medianMs,
    totalAvgMs: Math.round(step.sumUs / step.requests) / 1000, totalMinMs: step.minUs / 1000, totalMaxMs: step.maxUs / 1000, totalAvgContentSize: 180,
  };
}

/**
 * One simulated worker's update at step `tick` of its load, as Stats.update
 * shapes it (every entry gained requests this second), with the history rows
 * of the second before (one per entry and Aggregated); `whole`: its snapshot
 * at that step instead, histograms encoded (its final result).
 */
function updateOf(worker, tick, startedAt, pool, whole = false) {
  const takenAt = Date.now();
  const second = Math.floor(takenAt / 1000);
  const entries = [];
  const history = [];
  for (let e = 0; e < ENTRIES; e++) {
    const steps = pool[(e + worker) % pool.length];
    const step = steps[Math.min(tick, steps.length - 1)];
    // As Stats.update sends them: every kept second in an entry's first update, then those from the previous update's on (a result: all).
    const recent = [];
    for (let back = tick === 0 || whole ? 15 : 1; back >= 0; back--) recent.push([second - back, ENTRY_RATE, back === 3 ? 1 : 0]);
    const name = `tool_${String(e).padStart(2, '0')}`;
    entries.push({
      type: 'tools/call', name,
      requests: step.requests, failures: step.failures, sumUs: step.sumUs, minUs: step.minUs, maxUs: step.maxUs, bytes: step.bytes,
      firstAt: startedAt, lastAt: takenAt - 3, recent,
      ...(whole ? { histogram: step.histogram } : { added: tick < steps.length ? step.added : [] }),
      // Once in WHOLE_EVERY updates, at a phase of its own, an entry's update carries its whole histogram.
      ...(!whole && (tick + worker * 7 + e) % WHOLE_EVERY === WHOLE_EVERY - 1 ? { histogram: step.histogram } : {}),
    });
    if (HISTORY) history.push(historyRow(name, second - 1, step));
  }
  if (HISTORY) history.push(historyRow('Aggregated', second - 1, pool[0][Math.min(tick, pool[0].length - 1)]));
  const failures = entries.reduce((n, entry) => n + entry.failures, 0);
  const errors = failures > 0 ? [{ type: 'tools/call', name: 'tool_00', error: 'tool error: simulated', occurrences: failures }] : [];
  return whole
    ? { version: 1, startedAt, takenAt, entries, errors, exceptions: [], history: [] }
    : { generation: 0, startedAt, takenAt, entries, errors, exceptions: [], history };
}

// ---------------------------------------------------- simulated workers ----

/** One worker: the real handshake, then an update every second from the start instant until the stop. */
function simulatedWorker(url, hash, pool, counters) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
    const nonce = wire.newNonce();
    let index;
    let ticker;
    let startedAt;
    let tick = 0;
    let state = 'challenge';
    const status = { users: 10, state: 'running', cpuPercent: 35 };
    const send = (frame) => socket.send(wire.encodeFrame(frame));
    socket.on('error', reject);
    socket.on('close', () => clearInterval(ticker));
    socket.on('message', (data) => {
      const decoded = wire.decodeFrame(String(data));
      if (!('message' in decoded)) return reject(new Error(decoded.problem));
      const m = decoded.message;
      if (state === 'challenge' && m.type === 'challenge') {
        state = 'hello';
        send({ type: 'hello', protocol: wire.WIRE_VERSION, version: VERSION, scenarioHash: hash, proof: wire.proofOf(TOKEN, m.nonce), nonce, host: 'sim', clockMs: Date.now() });
      } else if (state === 'hello') {
        if (m.type !== 'welcome') return reject(new Error(`refused: ${m.reason ?? m.type}`));
        if (!wire.proofHolds(TOKEN, nonce, m.proof)) return reject(new Error('the master does not know the token'));
        index = m.index;
        state = 'joined';
        resolve({ socket });
      } else if (m.type === 'start') {
        const startAt = m.startAtMs ?? Date.now();
        startedAt = startAt - AGE_S * 1000;
        setTimeout(() => {
          send({ type: 'ready' });
          counters.started++;
          ticker = setInterval(() => {
            send({ type: 'update', update: updateOf(index, tick, startedAt, pool), ...status });
            tick++;
            counters.updates++;
          }, 1000);
        }, Math.max(0, startAt - Date.now()));
      } else if (m.type === 'stop') {
        clearInterval(ticker);
        if (tick > 0) send({ type: 'result', result: resultFromSnapshot({ ...updateOf(index, tick - 1, startedAt, pool, true), endedAt: Date.now() }, status, [], { worker: index }) });
        socket.close(1000, 'done');
      }
    });
  });
}

// ------------------------------------------------------------------ run ----

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function main() {
  console.log(`# master-scale: ${WORKERS} simulated workers x ${ENTRIES} entries (${ENTRY_RATE} req/s each, ${AGE_S} s into their run), an update each per second; window ${WINDOW_S} s after ${WARMUP_S} s`);
  console.log(`# load average before: ${loadAverage()}`);
  const t0 = performance.now();
  const pool = entryPool(Math.min(ENTRIES, 50), WARMUP_S + WINDOW_S + 30);
  const sample = JSON.stringify(updateOf(0, WARMUP_S + 5, Date.now() - AGE_S * 1000, pool));
  console.log(`# update frame: ${(sample.length / 1024).toFixed(0)} KiB (${(sample.length * WORKERS / 1024 / 1024).toFixed(1)} MiB/s into the master); pool built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const servePort = await freePort();
  const server = start([MCPLOAD, 'serve', '--port', String(servePort)]);
  await listening(servePort);
  const masterPort = await freePort();
  const runArgs = ['--host', `http://127.0.0.1:${servePort}`, '--headless', '-u', String(WORKERS * 10), '-r', '1000',
    '-t', `${WARMUP_S + WINDOW_S + 4}s`, '--print-interval', PRINT_INTERVAL, '--loglevel', 'DEBUG'];
  const hash = await hashOf(runArgs);
  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
  const master = start([...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []), MCPLOAD, 'run', '--master', '--expect-workers', String(WORKERS),
    '--master-bind-port', String(masterPort), '--expect-workers-max-wait', '60s', ...runArgs],
  { MCPLOAD_MASTER_TOKEN: TOKEN });
  let stdout = '';
  let stderr = '';
  /** Each live view's debug line, with when it came. */
  const views = [];
  master.child.stdout.on('data', (c) => (stdout += c));
  master.child.stderr.on('data', (c) => {
    stderr += c;
    for (const m of String(c).matchAll(/live view: read and merged in (\d+) ms; oldest update (-?\d+) ms old; updates read up to (-?\d+) ms/g)) {
      views.push({ at: performance.now(), mergeMs: Number(m[1]), ageMs: Number(m[2]), transitMs: Number(m[3]) });
    }
  });

  // The workers connect in batches of 50, as a fleet of pods coming up would, more or less.
  const url = `ws://127.0.0.1:${masterPort}`;
  const counters = { started: 0, updates: 0 };
  for (let tries = 0; ; tries++) {
    try {
      await new Promise((resolve, reject) => {
        const probe = new WebSocket(url);
        probe.on('open', () => {
          probe.terminate();
          resolve();
        });
        probe.on('error', reject);
      });
      break;
    } catch (err) {
      if (tries > 150 || master.child.exitCode !== null) throw new Error(`the master did not listen: ${err.message}\n${stderr}`);
      await sleep(100);
    }
  }
  const joinStart = performance.now();
  const sockets = [];
  for (let i = 0; i < WORKERS; i += 50) {
    const batch = Array.from({ length: Math.min(50, WORKERS - i) }, () => simulatedWorker(url, hash, pool, counters));
    sockets.push(...await Promise.all(batch));
  }
  console.log(`# ${sockets.length} workers joined in ${((performance.now() - joinStart) / 1000).toFixed(1)} s`);
  for (let i = 0; i < 100 && counters.started < WORKERS; i++) await sleep(100);
  if (counters.started < WORKERS) throw new Error(`only ${counters.started} of ${WORKERS} workers were started\n${stderr.slice(-2000)}`);

  await sleep(WARMUP_S * 1000);
  const driverCpu0 = process.cpuUsage();
  const c0 = cpuSeconds(master.child.pid);
  const w0 = performance.now();
  const updates0 = counters.updates;
  const load0 = loadAverage();
  await sleep(WINDOW_S * 1000);
  const c1 = cpuSeconds(master.child.pid);
  const w1 = performance.now();
  const rss = rssMiB(master.child.pid);
  const driverCpu = process.cpuUsage(driverCpu0);
  const updatesSent = counters.updates - updates0;
  const load1 = loadAverage();
  const seconds = (w1 - w0) / 1000;
  const cpuPercent = ((c1 - c0) / seconds) * 100;
  const inWindow = views.filter((v) => v.at >= w0 && v.at <= w1);

  const code = await Promise.race([master.done, sleep(120_000).then(() => 'timeout')]);
  server.child.kill('SIGTERM');
  await server.done;

  const ages = inWindow.map((v) => v.ageMs);
  const merges = inWindow.map((v) => v.mergeMs);
  const transits = inWindow.map((v) => v.transitMs);
  const ok = (pass) => (pass ? 'PASS' : 'MISS');
  console.log('');
  console.log(`master CPU over ${seconds.toFixed(1)} s: ${cpuPercent.toFixed(1)} % of one core ` +
    `(${updatesSent} updates = ${(updatesSent / seconds).toFixed(0)}/s, ${((c1 - c0) * 1e6 / Math.max(1, updatesSent)).toFixed(0)} µs per update)` +
    `  goal < ${CPU_GOAL_PERCENT} %: ${ok(cpuPercent < CPU_GOAL_PERCENT)}`);
  if (inWindow.length === 0) {
    console.log('merged view: no live view in the window: MISS');
  } else {
    console.log(`merged view behind (oldest update in each of ${inWindow.length} views): median ${pct(ages, 50)} ms, max ${Math.max(...ages)} ms` +
      `  goal <= ${LAG_GOAL_MS} ms: ${ok(Math.max(...ages) <= LAG_GOAL_MS)}`);
    console.log(`  merge per view: median ${pct(merges, 50)} ms, max ${Math.max(...merges)} ms; updates read by the master at most ${Math.max(...transits)} ms after they were taken (--print-interval ${PRINT_INTERVAL})`);
  }
  console.log(`driver (this process, ${WORKERS} workers): ${((driverCpu.user + driverCpu.system) / 1e4 / seconds).toFixed(1)} % of one core`);
  console.log(`master memory at the window's end: ${rss.toFixed(0)} MiB resident`);
  console.log(`load average: ${load0} at the window's start, ${load1} at its end`);
  console.log(`master exit: ${code}; its last lines:\n${stdout.trim().split('\n').slice(-4).map((l) => `  ${l}`).join('\n')}`);
  if (code === 'timeout') master.child.kill('SIGKILL');
}

main().catch((err) => {
  console.error(`master-scale: ${err.stack ?? err}`);
  process.exitCode = 1;
}).finally(() => {
  for (const child of children) child.kill('SIGTERM');
});

// `npm run soak`: does anything grow over time? mcpload's general client runs
// a normal load test (the default scenario, or --scenario discover) against
// `mcpload serve` started as a separate process, for --duration; every
// --interval this prints the resident memory and the open file descriptors
// of both processes (read from /proc/PID/status and /proc/PID/fd), and at the
// end a least-squares slope per process (MB/min, fds/min) over the samples
// after --warmup, with a verdict: flat or growing. Linux only (/proc). Only
// public tools: the mcpload CLI as a user runs it, and /proc.
//
//   npm run soak -- --duration 2m --interval 10s --users 50 --scenario discover
//
// Exit code: 0 when every slope is flat and the run passed, 1 otherwise.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MCPLOAD = path.join(ROOT, 'bin/mcpload.js');

/**
 * Growing means both: a slope above GROWING_*, and the last sample above the
 * first by more than NOISE_* (a leak climbs steadily; a garbage collection
 * moves the RSS by several MB either way, and a burst of concurrent requests
 * keeps a few more pooled sockets open for a while).
 */
const GROWING_MB_PER_MIN = 1;
const GROWING_FDS_PER_MIN = 0.5;
const NOISE_MB = 2;
const NOISE_FDS = 5;

const HELP = `usage: npm run soak -- [--duration 5m] [--interval 10s] [--warmup 90s] [--users 50] [--spawn-rate N] [--scenario classic|discover]
  runs mcpload's general client against mcpload serve (a separate process) and prints
  RSS and open descriptors of both every interval, then the slope (least squares) and a verdict;
  the slope leaves out the first --warmup (default: a third of the run, at most 90 s)`;

function durationMs(text, flag) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(text).trim());
  if (!m) throw new Error(`${flag}: "${text}" is not a duration (examples: 30s, 2m, 500ms)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'];
  return Math.round(Number(m[1]) * unit);
}

function options() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '5m' },
      interval: { type: 'string', default: '10s' },
      warmup: { type: 'string' },
      users: { type: 'string', default: '50' },
      'spawn-rate': { type: 'string' },
      scenario: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  const users = Number(values.users);
  if (!Number.isInteger(users) || users < 1) throw new Error(`--users: "${values.users}" is not a whole number >= 1`);
  const o = {
    duration: values.duration,
    durationMs: durationMs(values.duration, '--duration'),
    intervalMs: durationMs(values.interval, '--interval'),
    warmupMs: 0,
    users,
    spawnRate: values['spawn-rate'] ?? String(users),
    scenario: values.scenario,
  };
  if (o.intervalMs <= 0 || o.durationMs <= 0) throw new Error('--duration and --interval must be > 0');
  // The spawn burst opens more pooled sockets than the steady load keeps; they close after about a minute idle.
  o.warmupMs = values.warmup !== undefined ? durationMs(values.warmup, '--warmup') : Math.min(90_000, Math.round(o.durationMs / 3));
  if (o.warmupMs + 2 * o.intervalMs > o.durationMs) throw new Error('--duration leaves fewer than two samples after --warmup: give a longer run or a shorter --interval');
  return o;
}

/** RSS in MB and open descriptors of one process; undefined once it is gone. */
function usageOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    return { rssMb: kb / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return undefined;
  }
}

/** The process's first child, if it has one by now. */
function childOf(pid) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/**
 * `mcpload run` hands the load to a child process started with a bigger
 * young generation: the process doing the work is that child. Waits for it
 * a few seconds; without one (the young generation set by hand), the process itself.
 */
async function workerOf(pid) {
  for (let i = 0; i < 50; i++) {
    const child = childOf(pid);
    if (child !== undefined) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  return pid;
}

/** Least-squares slope of y over x. */
function slope(points) {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

function startServer() {
  const child = spawn(process.execPath, [MCPLOAD, 'serve', '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`mcpload serve exited early (code ${code})`)));
  });
}

function fmt(n, digits = 1) {
  return n.toFixed(digits).padStart(7);
}

async function main() {
  if (!existsSync('/proc/self/status')) throw new Error('the soak reads /proc: Linux only');
  if (!existsSync(path.join(ROOT, 'dist/cli/main.js'))) throw new Error('mcpload is not built: run npm run build first');
  const o = options();
  const server = await startServer();
  const args = ['run', '--headless', '--host', server.url, '-u', String(o.users), '-r', o.spawnRate, '-t', o.duration,
    '--only-summary', ...(o.scenario ? ['--scenario', o.scenario] : [])];
  process.stdout.write(`soak: mcpload ${args.join(' ')}\n      against mcpload serve (pid ${server.child.pid}); a sample every ${o.intervalMs / 1000} s, slopes after ${o.warmupMs / 1000} s\n\n`);
  const run = spawn(process.execPath, [MCPLOAD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // The load starts when the run prints its header (after its checks of the target): the window is counted from there.
  let loadStartedMs;
  run.stdout.setEncoding('utf8').on('data', (c) => {
    output += c;
    if (loadStartedMs === undefined && /^mcpload \S+: scenario /m.test(output)) loadStartedMs = Date.now();
  });
  run.stderr.setEncoding('utf8').on('data', (c) => (output += c));
  const ended = new Promise((resolve) => run.once('exit', (code) => resolve(code)));
  const stopAll = () => {
    run.kill('SIGTERM');
    server.child.kill('SIGTERM');
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);

  const started = Date.now();
  const generatorPid = await workerOf(run.pid);
  const samples = [];
  process.stdout.write('   time |  generator RSS MB    fds |  server RSS MB    fds\n');
  let code;
  for (;;) {
    const gen = usageOf(generatorPid);
    const srv = usageOf(server.child.pid);
    if (gen !== undefined && srv !== undefined) {
      const t = (Date.now() - started) / 1000;
      samples.push({ t, gen, srv });
      process.stdout.write(`${fmt(t, 0)}s |       ${fmt(gen.rssMb)}  ${String(gen.fds).padStart(5)} |     ${fmt(srv.rssMb)}  ${String(srv.fds).padStart(5)}\n`);
    }
    const next = new Promise((r) => setTimeout(() => r('tick'), o.intervalMs));
    const which = await Promise.race([next, ended.then((c) => ({ c }))]);
    if (which !== 'tick') {
      code = which.c;
      break;
    }
  }
  server.child.kill('SIGTERM');

  // From the end of the warm-up to the time limit: the stop (sessions closed, sockets released) is no trend.
  const from = ((loadStartedMs ?? started) - started + o.warmupMs) / 1000;
  const to = from + (o.durationMs - o.warmupMs) / 1000;
  const kept = samples.filter((s) => s.t >= from && s.t <= to);
  const verdicts = [];
  const short = kept.length > 1 && kept.at(-1).t - kept[0].t < 60 ? ' (a window under a minute: noisy)' : '';
  process.stdout.write(`\nslopes over ${kept.length} samples (${kept.length > 0 ? `${kept[0].t.toFixed(0)}-${kept.at(-1).t.toFixed(0)} s` : 'none'}), least squares${short}:\n`);
  for (const [label, key] of [['generator', 'gen'], ['server', 'srv']]) {
    if (kept.length < 2) break;
    const mb = slope(kept.map((s) => ({ x: s.t / 60, y: s[key].rssMb })));
    const fds = slope(kept.map((s) => ({ x: s.t / 60, y: s[key].fds })));
    const first = kept[0][key];
    const last = kept.at(-1)[key];
    const rssGrows = mb > GROWING_MB_PER_MIN && last.rssMb - first.rssMb > NOISE_MB;
    const fdsGrow = fds > GROWING_FDS_PER_MIN && last.fds - first.fds > NOISE_FDS;
    const flat = !rssGrows && !fdsGrow; // shrinking is flat enough
    verdicts.push(flat);
    const signed = (n) => `${n >= 0 ? '+' : ''}${n.toFixed(2)}`;
    process.stdout.write(`  ${label.padEnd(9)}  RSS ${signed(mb)} MB/min (${first.rssMb.toFixed(1)} -> ${last.rssMb.toFixed(1)} MB), ` +
      `fds ${signed(fds)}/min (${first.fds} -> ${last.fds}): ${flat ? 'flat' : 'growing'}\n`);
  }
  const lines = output.split('\n');
  // The stats table's total row (the first Aggregated line; the second is the percentiles') and the verdict.
  const summary = [lines.find((l) => /^\s+Aggregated/.test(l)), lines.find((l) => /^(PASSED|FAILED)/.test(l))].filter(Boolean).join('\n');
  process.stdout.write(`\nthe run (exit ${code}):\n${summary}\n`);
  const flat = verdicts.length === 2 && verdicts.every(Boolean);
  process.stdout.write(`\nverdict: ${verdicts.length < 2 ? 'too few samples to tell' : flat ? 'flat' : 'growing'}\n`);
  process.exitCode = flat && code === 0 ? 0 : 1;
}

main().catch((err) => {
  process.stderr.write(`soak: ${err.message}\n`);
  process.exit(2);
});

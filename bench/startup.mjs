// `npm run bench:startup` (and the `startup` row of `npm run bench`): how long
// mcpload takes to start. Wall times, medians of several runs, of
// `mcpload --version`, `mcpload --help` and `mcpload run -t 1s --headless`
// against a reference server (`mcpload serve`) started once beforehand on
// 127.0.0.1, with the time the run takes to print its header line (the load
// starts right after it). Prints figures; asserts nothing.
//
//   node bench/startup.mjs [--runs 7] [--bin path/to/bin/mcpload.js]
//
// --bin measures another build (an older checkout, for a before/after).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MCPLOAD = path.join(ROOT, 'bin/mcpload.js');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Runs `node bin args` to its end: resolves with its wall time (ms), the time
 * until its stdout first matched `mark` (ms, if given), its exit code and output.
 */
function timed(bin, args, mark) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [bin, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let markMs;
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (mark && markMs === undefined && mark.test(out)) markMs = performance.now() - t0;
    });
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - t0, markMs, code, out }));
  });
}

/** `mcpload serve` on a free loopback port; resolves once it listens. */
function startServer(bin) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--quiet'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const seen = (chunk) => {
      out += chunk;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url) resolve({ url, stop: () => new Promise((r) => { child.once('close', r); child.kill('SIGTERM'); }) });
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('close', (code) => reject(new Error(`mcpload serve ended (${code}): ${out.trim()}`)));
  });
}

async function medianOf(runs, bin, args, mark) {
  const walls = [];
  const marks = [];
  for (let i = 0; i < runs; i++) {
    const r = await timed(bin, args, mark);
    if (r.code !== 0) throw new Error(`mcpload ${args.join(' ')} exited ${r.code}: ${r.out.trim().split('\n').slice(-3).join(' / ')}`);
    walls.push(r.ms);
    if (r.markMs !== undefined) marks.push(r.markMs);
  }
  return { wall: median(walls), mark: marks.length ? median(marks) : NaN };
}

/** The start-up figures (ms, medians of `runs`) of the mcpload at `bin`. */
export async function measureStartup({ runs = 7, bin = MCPLOAD } = {}) {
  const bare = await medianOf(runs, '-e', ['0']);
  const version = await medianOf(runs, bin, ['--version']);
  const help = await medianOf(runs, bin, ['--help']);
  const server = await startServer(bin);
  try {
    const run = await medianOf(runs, bin, ['run', '-t', '1s', '--headless', '--host', `${server.url}/mcp`], /^mcpload \S+: scenario /m);
    return { bareNode: bare.wall, version: version.wall, help: help.wall, run: run.wall, runHeader: run.mark };
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' }, bin: { type: 'string', default: MCPLOAD } } });
  const f = await measureStartup({ runs: Number(values.runs), bin: path.resolve(values.bin) });
  const ms = (x) => `${Math.round(x)} ms`;
  console.log(`mcpload start-up (${values.bin}), medians of ${values.runs} runs, wall time:`);
  console.log(`  node -e 0 (a bare Node start, for scale)   ${ms(f.bareNode)}`);
  console.log(`  mcpload --version                         ${ms(f.version)}`);
  console.log(`  mcpload --help                            ${ms(f.help)}`);
  console.log(`  mcpload run -t 1s --headless --host URL   ${ms(f.run)}  (header line, load starting, at ${ms(f.runHeader)})`);
}

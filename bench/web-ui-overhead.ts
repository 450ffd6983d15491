/**
 * What watching costs: generator throughput with the web UI open in one
 * Chromium tab (Charts tab, live updates) against the same run headless.
 * Same target (one `mcpload serve` process), same load (--bench-mode: every
 * user repeats tools/call with no think time), runs alternated.
 *
 *   node --import tsx bench/web-ui-overhead.ts [--users 16] [--time 20s] [--rounds 2]
 *
 * Not a test: it prints figures and asserts nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/mcpload.js');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const { values } = parseArgs({ options: { users: { type: 'string', default: '16' }, time: { type: 'string', default: '20s' }, rounds: { type: 'string', default: '2' } } });

function start(args: string[]): { child: ChildProcess; out: () => string; done: Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, out: () => out, done };
}

async function waitForLine(proc: ReturnType<typeof start>, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const m = pattern.exec(proc.out());
    if (m) return m[1]!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${pattern} in: ${proc.out()}`);
}

/** Requests per second over the run: every request / time from the first to the last. */
function throughput(file: string): { requests: number; rps: number } {
  const result = JSON.parse(readFileSync(file, 'utf8'));
  let requests = 0;
  let first = Infinity;
  let last = 0;
  for (const e of result.snapshot.entries) {
    requests += e.requests;
    if (e.firstAt !== null) first = Math.min(first, e.firstAt);
    if (e.lastAt !== null) last = Math.max(last, e.lastAt);
  }
  return { requests, rps: requests / ((last - first) / 1000) };
}

const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-ui-bench-'));
const server = start(['serve', '--port', '0', '--quiet']);
const host = await waitForLine(server, /listening on (http:\/\/\S+)/);
const load = ['--host', host, '--bench-mode', '-u', values.users!, '-r', '1000', '-t', values.time!];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });

async function headless(round: number): Promise<number> {
  const file = path.join(dir, `headless-${round}.json`);
  const run = start(['run', '--headless', ...load, '--print-interval', '0', '--json', file]);
  await run.done;
  return throughput(file).rps;
}

async function withUi(round: number): Promise<number> {
  const file = path.join(dir, `ui-${round}.json`);
  const run = start(['run', ...load, '--web-port', '0', '--json', file]);
  const url = await waitForLine(run, /web UI at (http:\/\/\S+)/);
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(url);
  await page.getByTestId('start-form').waitFor();
  await page.getByTestId('start-button').click();
  await page.getByTestId('tab-charts').click();
  await waitForLine(run, /(test stopped)/);
  await waitForLine(run, /(reports: )/);
  await page.close();
  run.child.kill('SIGINT');
  await run.done;
  return throughput(file).rps;
}

try {
  const rows: Array<[number, number]> = [];
  for (let round = 1; round <= Number(values.rounds); round++) {
    const a = await headless(round);
    const b = await withUi(round);
    rows.push([a, b]);
    console.log(`round ${round}: headless ${a.toFixed(0)} req/s, UI open ${b.toFixed(0)} req/s, ratio ${(b / a).toFixed(3)}`);
  }
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const h = mean(rows.map((r) => r[0]));
  const u = mean(rows.map((r) => r[1]));
  console.log(`mean: headless ${h.toFixed(0)} req/s, UI open ${u.toFixed(0)} req/s, ratio ${(u / h).toFixed(3)}`);
} finally {
  await browser.close();
  server.child.kill('SIGTERM');
  await server.done;
  rmSync(dir, { recursive: true, force: true });
}

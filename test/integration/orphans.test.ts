// node-matrix: child processes, process groups and signals: no process outlives its run
/**
 * No process mcpload starts outlives its run, however the run dies: the
 * embedded server, --processes workers and --stdio servers, after SIGKILL of
 * the run process (the relaunched child that runs the load), SIGKILL of the
 * relaying parent, and SIGTERM while the run hangs in its stop.
 *
 * Processes are found through /proc (parent pid and command line), so these
 * cases run on Linux only. Every wait is bounded and asserts liveness, never
 * a duration.
 *
 * The cases run three at a time: each follows only the processes under its
 * own run (by pid), and most of each is waiting for a process to end.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it as test } from 'node:test';
import { ROOT, startCli, type CliResult } from './cli-helpers.js';
import { childrenOf, commandLine, killAll, survivors, until } from './process-tree.js';

const linux = process.platform === 'linux';
const HANG_ON_STOP = path.join(ROOT, 'test/fixtures/hangs-on-stop.ts');
const STDIO_SERVER = path.join(ROOT, 'test/fixtures/stdio-conformance-server.mjs');

interface RunTree {
  /** The process the user started: it relays signals to the run child. */
  parent: number;
  /** The relaunched process that runs the load. */
  run: number;
  done: Promise<CliResult>;
  stderr(): string;
}

/** Starts `mcpload run` and waits until the load runs (its header is printed). */
async function startRun(args: string[]): Promise<RunTree> {
  const { child, done } = startCli(['run', '--headless', '--print-interval', '0', ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: string) => (stdout += c));
  child.stderr!.on('data', (c: string) => (stderr += c));
  await until('the run header', () => (/ against /.test(stdout) ? true : undefined));
  const parent = child.pid!;
  const run = await until('the run child', () => childrenOf(parent, 'run')[0]);
  return { parent, run, done, stderr: () => stderr };
}

/** The embedded server: the child of the run process started with `serve`. */
function embeddedServerOf(run: number): number {
  const servers = childrenOf(run, ' serve ');
  assert.equal(servers.length, 1, `one embedded server under the run process, found ${servers.length}`);
  return servers[0]!;
}

describe('no process outlives its run', { concurrency: 3 }, () => {
  test('SIGKILL of the run process: the embedded server exits', { skip: !linux, timeout: 60_000 }, async () => {
    const tree = await startRun(['-u', '2', '-t', '60s']);
    const server = embeddedServerOf(tree.run);
    try {
      process.kill(tree.run, 'SIGKILL');
      const r = await tree.done;
      assert.equal(r.signal, 'SIGKILL', 'the relaying parent dies as its child did');
      assert.deepEqual(await survivors([server]), [], `embedded server ${server} still running: ${commandLine(server)}`);
    } finally {
      killAll([tree.parent, tree.run, server]);
    }
  });

  test('SIGKILL of the relaying parent: the run stops, and the run process and the embedded server exit', { skip: !linux, timeout: 60_000 }, async () => {
    const tree = await startRun(['-u', '2', '-t', '60s']);
    const server = embeddedServerOf(tree.run);
    try {
      process.kill(tree.parent, 'SIGKILL');
      await tree.done;
      assert.deepEqual(await survivors([tree.run, server]), [], 'run process or embedded server still running');
    } finally {
      killAll([tree.run, server]);
    }
  });

  test('SIGTERM while the run hangs in its stop: the run process dies, and so does the embedded server', { skip: !linux, timeout: 60_000 }, async () => {
    const tree = await startRun([HANG_ON_STOP, '-u', '2', '-t', '60s', '--stop-timeout', '60s']);
    const server = embeddedServerOf(tree.run);
    try {
      // The first SIGTERM starts the graceful stop, which hangs in onStop; a second one, past the echo window, finds no handler and kills.
      process.kill(tree.run, 'SIGTERM');
      await until('the stop to begin', () => (/stopping users/.test(tree.stderr()) ? true : undefined));
      // A repeat within 3 s is taken as the echo of the first (src/process/stop-signals.ts ignoreEcho).
      await new Promise((r) => setTimeout(r, 3500));
      process.kill(tree.run, 'SIGTERM');
      const r = await tree.done;
      assert.equal(r.signal, 'SIGTERM', r.stderr);
      assert.deepEqual(await survivors([server]), [], `embedded server ${server} still running`);
    } finally {
      killAll([tree.parent, tree.run, server]);
    }
  });

  test('--processes 2, SIGTERM to the run process once its header is out, while the workers start: a stop with reports, no process left', { skip: !linux, timeout: 60_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-early-stop-'));
    const json = path.join(dir, 'run.json');
    try {
      const tree = await startRun(['-u', '2', '-t', '60s', '--processes', '2', '--json', json]);
      const server = embeddedServerOf(tree.run);
      try {
        // The header comes before the workers have loaded the scenario: the signal lands while the load is being started.
        process.kill(tree.run, 'SIGTERM');
        const r = await tree.done;
        assert.equal(r.signal, null, `the run process must stop, not die by the signal\n${r.stderr}`);
        assert.ok(r.code === 0 || r.code === 1, r.stderr);
        assert.match(r.stderr, /SIGTERM: stopping users and writing reports/);
        assert.ok(existsSync(json), 'the JSON report is written');
        const workers = childrenOf(tree.run, 'worker-main');
        assert.deepEqual(await survivors([server, ...workers]), [], 'a worker or the embedded server is still running');
      } finally {
        killAll([tree.parent, tree.run, server]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--processes 2, SIGKILL of the run process: both workers and the embedded server exit', { skip: !linux, timeout: 60_000 }, async () => {
    const tree = await startRun(['-u', '2', '-t', '60s', '--processes', '2']);
    const server = embeddedServerOf(tree.run);
    const workers = await until('two workers', () => {
      const found = childrenOf(tree.run, 'worker-main');
      return found.length === 2 ? found : undefined;
    });
    try {
      process.kill(tree.run, 'SIGKILL');
      await tree.done;
      assert.deepEqual(await survivors([server, ...workers]), [], 'a worker or the embedded server is still running');
    } finally {
      killAll([tree.parent, tree.run, server, ...workers]);
    }
  });

  test('--stdio, SIGKILL of the run process: the stdio servers get EOF on stdin and exit', { skip: !linux, timeout: 60_000 }, async () => {
    const tree = await startRun(['--stdio', `${process.execPath} ${STDIO_SERVER}`, '-u', '2', '-t', '60s']);
    const servers = await until('two stdio servers', () => {
      const found = childrenOf(tree.run, 'stdio-conformance-server');
      return found.length === 2 ? found : undefined;
    });
    try {
      process.kill(tree.run, 'SIGKILL');
      await tree.done;
      assert.deepEqual(await survivors(servers), [], 'a stdio server is still running');
    } finally {
      killAll([tree.parent, tree.run, ...servers]);
    }
  });
});

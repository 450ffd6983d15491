// node-matrix: the relaunch into a child Node with V8 flags (--max-semi-space-size)
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it as test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ROOT, runCli } from './cli-helpers.js';

const SCENARIO = path.join(ROOT, 'test/fixtures/node-flags.ts');

async function flagsOfRun(env: Record<string, string> = {}): Promise<{ execArgv: string[]; relaunchMark: string | null }> {
  const out = path.join(await mkdtemp(path.join(tmpdir(), 'mcpload-flags-')), 'flags.json');
  const r = await runCli(['run', SCENARIO, '--headless', '-u', '1', '-t', '1s', '--print-interval', '0'], { NODE_FLAGS_OUT: out, ...env });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(await readFile(out, 'utf8')) as { execArgv: string[]; relaunchMark: string | null };
}

describe('the relaunch', { concurrency: true }, () => {
  test('run executes with a 32 MB semi-space, and the relaunch mark is not passed on', async () => {
    const seen = await flagsOfRun();
    assert.ok(seen.execArgv.includes('--max-semi-space-size=32'), JSON.stringify(seen.execArgv));
    assert.equal(seen.relaunchMark, null);
  });

  test('a young generation size the user chose in NODE_OPTIONS stands', async () => {
    const seen = await flagsOfRun({ NODE_OPTIONS: '--max-semi-space-size=16' });
    assert.ok(!seen.execArgv.includes('--max-semi-space-size=32'), JSON.stringify(seen.execArgv));
  });

  /** The `mcpload run` processes started (the relaying parent, the run process), seen by a preload each Node start runs. *
   * The cases run side by side: each counts the processes of its own run
   * (its own file), and most of each is Node starting.
   */
  async function runProcessesOf(args: string[]): Promise<{ code: number | null; stderr: string; runs: number }> {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'mcpload-starts-')), 'starts.txt');
    const r = await runCli(args, { NODE_OPTIONS: `--import ${pathToFileURL(path.join(ROOT, 'test/fixtures/count-starts.mjs')).href}`, COUNT_STARTS_FILE: file });
    const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
    const runs = lines.map((l) => JSON.parse(l) as string[]).filter((argv) => argv[1] === 'run').length;
    return { code: r.code, stderr: r.stderr, runs };
  }

  test('a usage error is found before the relaunch: one line, exit 2, and no run process started', async () => {
    for (const bad of [['--csv', '/proc/x/y'], ['--json', tmpdir()], ['-u', '0'], ['--connect-timeout', '0']]) {
      const r = await runProcessesOf(['run', '--headless', '-t', '10s', ...bad]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^error: /);
      assert.equal(r.runs, 1, `${bad.join(' ')}: only the first process, no relaunch`);
    }
  });

  test('a clean command line is relaunched: two run processes (the check above counts for real)', async () => {
    const r = await runProcessesOf(['run', SCENARIO, '--headless', '-u', '1', '-t', '1s', '--print-interval', '0']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.runs, 2);
  });
});

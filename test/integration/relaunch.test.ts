// node-matrix: the relaunch into a child Node with V8 flags (--max-semi-space-size)
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT, runCli } from './cli-helpers.js';

const SCENARIO = path.join(ROOT, 'test/fixtures/node-flags.ts');

async function flagsOfRun(env: Record<string, string> = {}): Promise<{ execArgv: string[]; relaunchMark: string | null }> {
  const out = path.join(await mkdtemp(path.join(tmpdir(), 'mcpload-flags-')), 'flags.json');
  const r = await runCli(['run', SCENARIO, '--headless', '-u', '1', '-t', '1s', '--print-interval', '0'], { NODE_FLAGS_OUT: out, ...env });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(await readFile(out, 'utf8')) as { execArgv: string[]; relaunchMark: string | null };
}

test('run executes with a 32 MB semi-space, and the relaunch mark is not passed on', async () => {
  const seen = await flagsOfRun();
  assert.ok(seen.execArgv.includes('--max-semi-space-size=32'), JSON.stringify(seen.execArgv));
  assert.equal(seen.relaunchMark, null);
});

test('a young generation size the user chose in NODE_OPTIONS stands', async () => {
  const seen = await flagsOfRun({ NODE_OPTIONS: '--max-semi-space-size=16' });
  assert.ok(!seen.execArgv.includes('--max-semi-space-size=32'), JSON.stringify(seen.execArgv));
});

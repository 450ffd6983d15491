import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runCli, startServeProcess } from './cli-helpers.js';

test('run --bench-mode --busy-poll repeats tools/call against the reference server and ends by itself', async () => {
  const server = await startServeProcess();
  try {
    const dir = await mkdtemp(path.join(tmpdir(), 'mcpload-bench-mode-'));
    const json = path.join(dir, 'result.json');
    const r = await runCli(['run', '--bench-mode', '--busy-poll', '--host', `${server.url}/mcp`, '--headless', '-u', '4', '-r', '100',
      '-t', '2s', '--print-interval', '0', '--json', json]);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(await readFile(json, 'utf8')) as {
      settings: Record<string, unknown>;
      snapshot: { entries: Array<{ type: string; requests: number; failures: number }> };
    };
    assert.equal(result.settings.busyPoll, true);
    const calls = result.snapshot.entries.find((e) => e.type === 'tools/call');
    assert.ok(calls && calls.requests > 0, 'tools/call was repeated');
    assert.equal(calls.failures, 0);
  } finally {
    await server.stop();
  }
});

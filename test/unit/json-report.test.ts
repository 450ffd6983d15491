import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stats, mergeSnapshots, statsRows } from '../../src/metrics/stats.js';
import type { RunResult } from '../../src/report/run-result.js';
import { redactSettings } from '../../src/report/redact.js';
import { writeJsonReport } from '../../src/reporters/json.js';

test('redactSettings hides secret-looking keys at any depth, header lines and URL passwords', () => {
  const settings = {
    host: 'https://user:hunter2@example.test/mcp',
    users: 20,
    token: 'abc',
    bearerToken: 'abc',
    nested: { password: 'p', apiKey: 'k', 'api-key': 'k', api_key: 'k', clientSecret: 's', keep: 'visible' },
    headers: { Authorization: 'Bearer x', Cookie: 'sid=1', 'X-Api-Key': 'k', Accept: 'application/json' },
    list: [{ headers: ['Authorization: Bearer y', 'Accept: */*', 'Cookie: a=b'] }],
    tags: ['smoke'],
    enabled: true,
    nothing: null,
  };
  const redacted = redactSettings(settings);
  assert.deepEqual(redacted, {
    host: 'https://user:[redacted]@example.test/mcp',
    users: 20,
    token: '[redacted]',
    bearerToken: '[redacted]',
    nested: { password: '[redacted]', apiKey: '[redacted]', 'api-key': '[redacted]', api_key: '[redacted]', clientSecret: '[redacted]', keep: 'visible' },
    headers: { Authorization: '[redacted]', Cookie: '[redacted]', 'X-Api-Key': '[redacted]', Accept: 'application/json' },
    list: [{ headers: ['Authorization: [redacted]', 'Accept: */*', 'Cookie: [redacted]'] }],
    tags: ['smoke'],
    enabled: true,
    nothing: null,
  });
  assert.equal(settings.token, 'abc', 'the input is not modified');
});

test('writeJsonReport writes a redacted, re-readable result whose snapshot still merges', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mcpload-json-'));
  try {
    const stats = new Stats({ now: () => 1_700_000_000_000 });
    stats.record('tools/call', 'echo', 1234, 10);
    const result: RunResult = {
      tool: 'mcpload', version: '0.1.0', settings: { users: 2, headers: { Authorization: 'Bearer secret' } },
      startedAt: '2023-11-14T22:13:20.000Z', endedAt: '2023-11-14T22:13:50.000Z',
      snapshot: stats.snapshot(), thresholds: [], security: [], passed: true, droppedIterations: 0,
    };
    const file = join(dir, 'out', 'result.json');
    await writeJsonReport(file, result);
    const text = await readFile(file, 'utf8');
    assert.ok(!text.includes('Bearer secret'));
    const read = JSON.parse(text) as RunResult;
    assert.deepEqual(read.settings, { users: 2, headers: { Authorization: '[redacted]' } });
    assert.deepEqual(read.snapshot, result.snapshot);
    assert.equal(statsRows(mergeSnapshots([read.snapshot, read.snapshot])).rows[0]!.requests, 2);
    assert.deepEqual(await readdir(join(dir, 'out')), ['result.json'], 'no temporary file left behind');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/**
 * --reset-stats (Locust's): the statistics start again once every user has
 * spawned, so the ramp-up is left out. Open-model runs have no such moment:
 * one line and exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './cli-helpers.js';

interface Entry { type: string; name: string; requests: number }

async function marks(extra: string[]): Promise<Map<string, number>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-reset-'));
  try {
    const json = path.join(dir, 'run.json');
    // 2 users at 1/s: the first runs alone for about a second before the second spawns.
    const r = await runCli(['run', 'test/fixtures/spawn-marks.ts', '--headless', '-u', '2', '-r', '1', '-t', '3s', '--print-interval', '0', '--json', json, ...extra]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const entries = (JSON.parse(readFileSync(json, 'utf8')) as { snapshot: { entries: Entry[] } }).snapshot.entries;
    return new Map(entries.filter((e) => e.type === 'mark').map((e) => [e.name, e.requests]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('--reset-stats drops what was recorded before every user had spawned', async () => {
  // The two runs side by side: each has its own process, embedded server and folder, and what is asserted is
  // which rows have samples, not how many.
  const [plain, reset] = await Promise.all([marks([]), marks(['--reset-stats'])]);
  assert.ok((plain.get('users-1') ?? 0) > 0, `without --reset-stats the first user's lone tasks count: ${[...plain]}`);
  assert.equal(reset.get('users-1'), 0, `with --reset-stats they are gone (the row stays, zeroed): ${[...reset]}`);
  assert.ok((reset.get('users-2') ?? 0) > 0);
});

test('--reset-stats with an arrival rate is a usage error: one line, exit 2', async () => {
  const r = await runCli(['run', 'test/fixtures/spawn-marks.ts', '--headless', '--arrival-rate', '5', '-t', '2s', '--print-interval', '0', '--reset-stats']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /--reset-stats needs the closed model \(-u\/-r\)/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
  assert.equal(r.stdout, '', 'refused before the target is opened or the header printed');
});

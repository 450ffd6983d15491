import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunResult } from '../../src/report/run-result.js';
import { countingServer } from '../helpers/counting-server.js';
import { ROOT, runCli } from './cli-helpers.js';

const SCENARIO = path.join(ROOT, 'test/fixtures/hit-counter.ts');

describe('open model and processes, counted by the target', () => {
  const target = countingServer();
  let dir = '';
  before(async () => {
    await target.listen();
    dir = await mkdtemp(path.join(tmpdir(), 'mcpload-open-'));
  });
  after(async () => {
    await target.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('--arrival-rate keeps the rate within 5 % over 10 s', async () => {
    target.hits.length = 0;
    const json = path.join(dir, 'open.json');
    const r = await runCli(['run', SCENARIO, '--host', target.url(), '--headless', '--arrival-rate', '200', '--max-users', '20',
      '-t', '11s', '--print-interval', '0', '--json', json]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /dropped iterations: \d+/);
    assert.match(r.stdout, /from intended start/);
    // Steady window: from the first hit, 10 s long (the run's last second is left out).
    const first = target.hits[0]!;
    const inWindow = target.hits.filter((t) => t - first < 10_000).length;
    assert.ok(Math.abs(inWindow - 2000) <= 100, `target counted ${inWindow} hits in 10 s, expected 2000 ± 5 %`);
    const result = JSON.parse(await readFile(json, 'utf8')) as RunResult;
    const entry = result.snapshot.entries.find((e) => e.name === '/hit')!;
    assert.equal(entry.requests, target.hits.length);
    assert.equal(typeof result.droppedIterations, 'number');
    assert.equal(result.serviceSnapshot!.entries.find((e) => e.name === '/hit')!.requests, entry.requests);
  });

  it('--processes 2 records exactly the requests the target counted, and merge adds files up', async () => {
    target.hits.length = 0;
    const json = path.join(dir, 'p2.json');
    const r = await runCli(['run', SCENARIO, '--host', target.url(), '--headless', '--processes', '2', '-u', '4', '-r', '100',
      '-t', '3s', '--print-interval', '1s', '--json', json]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /2\/2 processes/);
    const result = JSON.parse(await readFile(json, 'utf8')) as RunResult;
    const recorded = result.snapshot.entries.find((e) => e.name === '/hit')!.requests;
    assert.ok(recorded > 0);
    assert.equal(recorded, target.hits.length);

    const merged = path.join(dir, 'merged.json');
    const m = await runCli(['merge', json, json, '--json', merged]);
    assert.equal(m.code, 0, m.stderr);
    const twice = JSON.parse(await readFile(merged, 'utf8')) as RunResult;
    assert.equal(twice.snapshot.entries.find((e) => e.name === '/hit')!.requests, 2 * recorded);
    const bad = await runCli(['merge', path.join(dir, 'missing.json')]);
    assert.equal(bad.code, 2);
  });
});

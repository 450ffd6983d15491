/**
 * The requests mcpload sends before the load (reachability, protocol
 * version, transport detection, the scenario's catalog) reach the target's
 * own counts but not the run's rows: the run says how many there were, so
 * that the two counts add up exactly.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runSampled } from './fault-matrix-helpers.js';
import { startFaultTarget } from '../fixtures/fault-target.js';

const NOTE = /(\d+) HTTP requests? went to the target before the load \(reachability, protocol version, transport, the scenario's catalog\)/;

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mcpload-pre-load-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the run names the requests sent before the load, and with its rows they add up to what the target received', async () => {
  const target = await startFaultTarget({ fault: 'none' });
  try {
    const json = path.join(dir, 'run.json');
    // auto: the preflight GET, the version check (server/discover), and the transport check (initialize, DELETE) all go out.
    const out = await runSampled(['run', 'test/fixtures/fault-calls.ts', '--headless', '--host', target.url, '-u', '2', '-r', '100', '-t', '1s',
      '--print-interval', '0', '--json', json], json);
    assert.equal(out.code, 0, out.output);
    const printed = NOTE.exec(out.output);
    assert.ok(printed, out.output);
    const before = Number(printed[1]);
    assert.ok(before > 0);
    const report = JSON.parse(await readFile(json, 'utf8')) as { notes: string[] };
    assert.ok(report.notes.some((n) => NOTE.exec(n)?.[1] === printed[1]), 'the note is in the JSON report too');

    const received = target.counts().received;
    const targetTotal = Object.values(received).reduce((a, b) => a + b, 0);
    const rowsTotal = out.entries.reduce((a, e) => a + e.requests, 0);
    // A request cut at the stop (none, with 5 s of --stop-timeout against a target that answers at once) may not have reached it.
    const cut = out.entries.reduce((a, e) => a + (e.cut ?? 0), 0);
    const why = `target received ${JSON.stringify(received)}; the rows ${rowsTotal} (${cut} cut), before the load ${before}`;
    assert.ok(before + rowsTotal - cut <= targetTotal && targetTotal <= before + rowsTotal, why);
  } finally {
    await target.close();
  }
});

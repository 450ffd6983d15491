/**
 * Events for scenarios, end to end: a scenario file listens to every event
 * and sets the exit code in `quitting`; `request` hears exactly the requests
 * the JSON report counts.
 *
 * The cases run side by side: each has its own folder and server, and
 * most of each is a run waiting on its clock.
 */
import { describe, it as test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LIFT_CLASSIC_LATENCY, runCli } from './cli-helpers.js';

interface Heard {
  requests: number; failed: number; testStart: number; spawningComplete: number; intervals: number; testStop: number;
  stopReason: string; stopTotal: number; quittingTotal: number; exitCodeBefore: number; passed: boolean;
}
interface Entry { requests: number; failures: number }

function heardIn(stdout: string): Heard {
  const line = /^heard: (.*)$/m.exec(stdout);
  assert.ok(line, `the quitting listener printed what it heard:\n${stdout}`);
  return JSON.parse(line[1]!) as Heard;
}

describe('events for scenarios', { concurrency: true }, () => {
  test('a scenario listens to request, testStart, spawningComplete, testStop and quitting; quitting sets the exit code', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-events-'));
    try {
      const json = path.join(dir, 'run.json');
      const r = await runCli(['run', 'test/fixtures/event-listener.ts', '--headless', '-u', '3', '-r', '10', '-t', '3s',
        '--print-interval', '0', '--json', json, ...LIFT_CLASSIC_LATENCY]);
      assert.equal(r.code, 3, r.stdout + r.stderr);
      assert.match(r.stdout, /exit code 3: set by a quitting listener/);
      const heard = heardIn(r.stdout);
      const entries = (JSON.parse(readFileSync(json, 'utf8')) as { snapshot: { entries: Entry[] } }).snapshot.entries;
      const requests = entries.reduce((sum, e) => sum + e.requests, 0);
      const failures = entries.reduce((sum, e) => sum + e.failures, 0);
      assert.ok(requests > 0);
      assert.equal(heard.requests, requests, 'request fired once for each request the report counts');
      assert.equal(heard.failed, failures);
      assert.equal(heard.testStart, 1);
      assert.equal(heard.testStop, 1);
      assert.equal(heard.stopReason, 'time limit');
      assert.equal(heard.stopTotal, requests);
      assert.equal(heard.quittingTotal, requests);
      assert.equal(heard.spawningComplete, 1);
      assert.ok(heard.intervals >= 1, 'interval fires at least at the stop');
      assert.equal(heard.exitCodeBefore, heard.passed ? 0 : 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--processes: request fires in each worker, quitting once in the main process with the merged stats', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-events-'));
    try {
      const json = path.join(dir, 'run.json');
      const r = await runCli(['run', 'test/fixtures/event-listener.ts', '--headless', '-u', '2', '-r', '10', '-t', '3s', '--processes', '2',
        '--print-interval', '0', '--json', json, ...LIFT_CLASSIC_LATENCY]);
      assert.equal(r.code, 3, r.stdout + r.stderr);
      const heard = heardIn(r.stdout);
      const entries = (JSON.parse(readFileSync(json, 'utf8')) as { snapshot: { entries: Entry[] } }).snapshot.entries;
      assert.equal(heard.quittingTotal, entries.reduce((sum, e) => sum + e.requests, 0));
      // The main process sends no request: its own listeners heard none.
      assert.equal(heard.requests, 0);
      assert.equal((r.stdout.match(/^heard: /gm) ?? []).length, 1, 'quitting fired once');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the web UI fires them too: testStart to testStop for the test it ran, quitting as it exits', async () => {
    const r = await runCli(['run', 'test/fixtures/event-listener.ts', '--autostart', '--autoquit', '0', '--web-port', '0', '-u', '2', '-r', '10', '-t', '2s',
      '--print-interval', '0', ...LIFT_CLASSIC_LATENCY]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    const heard = heardIn(r.stdout);
    assert.ok(heard.requests > 0);
    assert.equal(heard.quittingTotal, heard.requests, 'request heard every request the result counts');
    assert.equal(heard.testStart, 1);
    assert.equal(heard.testStop, 1);
  });

  test('an unknown event name stops the run before the load: one line, exit 2', async () => {
    const r = await runCli(['run', 'test/fixtures/invalid/unknown-event.ts', '--headless', '-t', '2s', '--print-interval', '0']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /events\.requests is not an event \(known: request, /);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

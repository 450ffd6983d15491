/**
 * Task-augmented tool calls (MCP 2025-11-25 tasks), mcpload as the client:
 * the discovery scenario against server-everything (its
 * `simulate-research-query` requires a task) and against `mcpload serve`
 * (its `long_job` allows one), and the task caller on its own for what a
 * run rarely shows on cue: a task given up at its deadline, and tasks still
 * running when the user stops, each cancelled with `tasks/cancel`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent } from 'undici';
import { runCli } from './cli-helpers.js';
import { readEntries, startEverything, type Entry } from '../helpers/everything.js';
import { SampleLog } from '../helpers/recorder.js';
import { startReferenceServer } from '../../src/server/reference-server.js';
import { McpHttpClient } from '../../src/transports/mcp-http.js';
import { TaskCaller } from '../../src/transports/task-call.js';
import type { SampleError } from '../../src/metrics/sample.js';

function row(entries: Entry[], type: string, name: string): Entry | undefined {
  return entries.find((e) => e.type === type && e.name === name);
}

// The discover runs side by side, each against its own server: most of each is waiting on a long job.
describe('tool calls as tasks, through discover', { concurrency: true }, () => {
  test('discover runs server-everything\'s simulate-research-query as a task: created, polled, fetched, no failure', { timeout: 90_000 }, async () => {
    const server = await startEverything();
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-tasks-'));
    try {
      const json = path.join(dir, 'result.json');
      // Only the task tool runs (--tags tools), so each user calls it again and again; a research takes about 4 s.
      const r = await runCli(['run', '--headless', '--host', server.url, '--scenario', 'discover', '--allow-writes', '--tools', 'simulate-research-query',
        '--tags', 'tools', '-u', '3', '-r', '3', '-t', '9s', '--stop-timeout', '8s', '--print-interval', '0', '--json', json]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /called as tasks .*: simulate-research-query/);
      const entries = readEntries(json);
      assert.deepEqual(entries.filter((e) => e.failures > 0), [], 'no failure');
      const name = 'simulate-research-query';
      // Never a plain call: the tool requires a task, and a plain call would fail every time.
      assert.equal(row(entries, 'tools/call', name), undefined);
      const created = row(entries, 'tools/call', `${name} (create task)`);
      const done = row(entries, 'task', name);
      const fetched = row(entries, 'tasks/result', name);
      assert.ok(created && created.requests > 0, 'tasks created');
      assert.ok(done && done.requests > 0, 'tasks ended');
      assert.ok(fetched && fetched.requests === done.requests, 'one result fetch per task that ended');
      assert.ok((row(entries, 'tasks/get', name)?.requests ?? 0) > 0, 'polled');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await server.stop();
    }
  });

  for (const stateless of [false, true]) {
    test(`discover --tasks optional runs mcpload ${stateless ? 'serve --stateless' : 'serve'}'s long_job as a task; without it, a plain call`, { timeout: 90_000 }, async () => {
      const server = await startReferenceServer({ port: 0, quiet: true, stateless });
      const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-tasks-'));
      try {
        // Tasks are a 2025-11-25 feature: in 2026-07-28 they are an extension the reference server does not serve.
        const base = ['run', '--headless', '--host', server.url, '--protocol-version', '2025-11-25', '--scenario', 'discover', '--tools', 'long_job', '--tags', 'tools',
          '-u', '3', '-r', '3', '-t', '4s', '--stop-timeout', '12s', '--print-interval', '0', '--seed', '5'];
        const asTask = path.join(dir, 'task.json');
        const plain = path.join(dir, 'plain.json');
        // Both runs at once, each with its own users and file: most of each is waiting on long_job.
        const [r, p] = await Promise.all([runCli([...base, '--tasks', 'optional', '--json', asTask]), runCli([...base, '--json', plain])]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        let entries = readEntries(asTask);
        assert.deepEqual(entries.filter((e) => e.failures > 0), []);
        assert.ok((row(entries, 'tools/call', 'long_job (create task)')?.requests ?? 0) > 0);
        assert.ok((row(entries, 'task', 'long_job')?.requests ?? 0) > 0);
        assert.equal(row(entries, 'tools/call', 'long_job'), undefined);

        assert.equal(p.code, 0, p.stdout + p.stderr);
        entries = readEntries(plain);
        assert.deepEqual(entries.filter((e) => e.failures > 0), []);
        assert.ok((row(entries, 'tools/call', 'long_job')?.requests ?? 0) > 0);
        assert.equal(row(entries, 'task', 'long_job'), undefined);
      } finally {
        rmSync(dir, { recursive: true, force: true });
        await server.close();
      }
    });
  }
});

/** The errors of the samples of `type` (undefined: the request succeeded). */
function errorsOf(log: SampleLog, type: string): Array<SampleError | undefined> {
  return log.ofType(type).map((s) => s.error);
}

test('the task caller gives up at its deadline with tasks/cancel, and cancels tasks still running at the stop', { timeout: 30_000 }, async () => {
  const server = await startReferenceServer({ port: 0, quiet: true });
  const dispatcher = new Agent();
  const recorder = new SampleLog();
  const stop = new AbortController();
  const client = new McpHttpClient({ url: `${server.url}/mcp`, recorder, dispatcher, signal: stop.signal });
  try {
    assert.ok(await client.initialize());
    const caller = new TaskCaller(client, { recorder, timeoutMs: 600 });
    const late = await caller.call('long_job', { ms: 8_000 });
    assert.equal(late.ok, false);
    assert.equal(!late.ok && late.error.kind, 'timeout');
    assert.deepEqual(errorsOf(recorder, 'tasks/cancel'), [undefined], 'one cancel, answered');
    assert.equal(errorsOf(recorder, 'task')[0]?.kind, 'timeout');

    // Two tasks running when the user stops: no `task` sample (they did not end, and are not the server's failure), both cancelled.
    const stopping = new TaskCaller(client, { recorder, timeoutMs: 30_000, signal: stop.signal });
    const running = [stopping.call('long_job', { ms: 8_000 }), stopping.call('long_job', { ms: 8_000 })];
    while (errorsOf(recorder, 'tools/call').length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    const tasksBefore = errorsOf(recorder, 'task').length;
    stop.abort();
    const outcomes = await Promise.all(running);
    assert.ok(outcomes.every((o) => !o.ok && o.error.kind === 'cut'));
    await stopping.cancelRunning();
    assert.equal(errorsOf(recorder, 'task').length, tasksBefore);
    assert.deepEqual(errorsOf(recorder, 'tasks/cancel'), [undefined, undefined, undefined]);
    assert.ok(recorder.samples.every((s) => s.error === undefined || s.type === 'task' || s.error.kind === 'cut'), JSON.stringify(recorder.samples));
  } finally {
    await client.close();
    await dispatcher.close();
    await server.close();
  }
});

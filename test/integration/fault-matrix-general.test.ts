/**
 * The fault matrix, general-client half (issue 13): a normal `mcpload run`
 * (scenario test/fixtures/fault-calls.ts, no --bench-mode) against
 * test/fixtures/fault-target.ts, and mcpload's counts (its JSON report)
 * compared with the target's own, per tool. Each failure must be named as
 * the target caused it.
 *
 * One run covers every per-request fault at once: the target injects the
 * fault a tool is named after, and each user starts at its own tool, so all
 * of them are in flight together and a failure landing on the wrong row
 * would show. Session expiry and a target killed and started again on the
 * same port touch every call of a session, so each has its own run.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertFdsFlat, CUT_LABEL, failuresOf, RESET, rowOf, runSampled, type SampledRun } from './fault-matrix-helpers.js';
import { startFaultTarget, type Fault, type FaultCounts } from '../fixtures/fault-target.js';

const SCENARIO = 'test/fixtures/fault-calls.ts';
/** Long enough that a 20 MiB reply on a busy machine is given up for its size, not its time. */
const REPLY_TIMEOUT_MS = 10_000;
/** Short, for the faults that never answer. */
const SILENCE_TIMEOUT_MS = 1000;
const TIMEOUT = `timeout: no reply within ${SILENCE_TIMEOUT_MS} ms`;

/** What each fault must read as, on its own row. */
const EXPECTED: Partial<Record<Fault, string[]>> = {
  'none': [],
  'reset-before': RESET,
  'reset-during': RESET,
  'invalid-json': ['jsonrpc: invalid JSON'],
  'wrong-id': ['jsonrpc: wrong response id'],
  'not-http': ['http: malformed HTTP response'],
  'too-large-length': ['http: response too large'],
  'too-large-chunked': ['http: response too large'],
  'too-large-close': ['http: response too large'],
  'too-large-sse': ['http: response too large'],
  'status-500': ['http: HTTP 500'],
  'status-429': ['http: HTTP 429'],
  'status-503': ['http: HTTP 503'],
  'stall': [TIMEOUT],
  'endless-sse': [TIMEOUT],
};
const SILENT: Fault[] = ['none', 'stall', 'endless-sse'];
const ANSWERING = (Object.keys(EXPECTED) as Fault[]).filter((f) => !SILENT.includes(f) || f === 'none');

const label = (labels: Map<string, number>): string => JSON.stringify([...labels]);

describe('fault matrix: the general client counts every fault as the target caused it', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcpload-fault-general-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function run(url: string, name: string, users: number, time: string, tools: string[], timeoutMs = REPLY_TIMEOUT_MS, stopWhen?: () => boolean): Promise<SampledRun> {
    const json = path.join(dir, `${name}.json`);
    return runSampled(['run', SCENARIO, '--headless', '--host', url, '-u', String(users), '-r', '100', '-t', time, '--stop-timeout', '5s',
      '--request-timeout', `${timeoutMs}ms`, '--transport', 'streamable-http', '--print-interval', '0', '--json', json], json, { FAULT_TOOLS: tools.join(',') }, stopWhen);
  }

  /** A request cut at the stop may not have reached the target; every other one did, and the target saw nothing more. */
  function assertReceived(out: SampledRun, type: string, name: string | undefined, received: number): void {
    const row = rowOf(out, type, name);
    assert.ok(received <= row.requests && row.requests - row.cut <= received,
      `${type} ${name ?? ''}: mcpload recorded ${row.requests} (${row.cut} cut at the stop), the target received ${received}`);
  }

  /** One run, a user starting on each of `tools`: each row counts what the target did to it, named as it did it. */
  async function sideBySide(name: string, tools: Fault[], time: string, timeoutMs: number): Promise<void> {
    const target = await startFaultTarget({ fault: 'none', byTool: true });
    try {
      const out = await run(target.url, name, tools.length, time, tools, timeoutMs);
      const counts = target.counts();
      assert.equal(out.code, 1, `a run with failures fails\n${out.output}`);
      assert.doesNotMatch(out.output, /PASSED/);
      for (const tool of tools) {
        const row = rowOf(out, 'tools/call', tool);
        const seen = counts.tools[tool] ?? { received: 0, ok: 0, injected: 0 };
        assert.ok(row.requests - row.cut > 0, `${tool}: no call completed\n${out.output}`);
        assertReceived(out, 'tools/call', tool, seen.received);
        const labels = failuresOf(out, 'tools/call', tool);
        const expected = EXPECTED[tool]!;
        // Only the names this fault causes (and the stop's own); one of them at least once.
        assert.ok([...labels.keys()].every((l) => expected.includes(l) || l === CUT_LABEL), `${tool}: ${label(labels)}`);
        if (tool === 'none') {
          assert.equal(row.failures, row.cut, `none: ${label(labels)}`);
          assert.equal(seen.ok, row.requests - row.failures, 'calls answered normally');
        } else {
          assert.ok(expected.some((l) => labels.has(l)), `${tool}: ${label(labels)}`);
          assert.equal(row.failures, row.requests, `${tool}: every call fails`);
          assert.equal(seen.injected, seen.received, `${tool}: the target faulted every call it received`);
        }
      }
      // Handshakes are answered normally: one per user, none failed.
      assert.equal(rowOf(out, 'initialize').requests, tools.length);
      assert.equal(rowOf(out, 'initialize').failures, 0);
      assertReceived(out, 'initialize', undefined, counts.received.initialize ?? 0);
      // Replies over the cap are given up at 16 MiB, and the sockets of failed calls are closed, not kept.
      assert.ok(out.peakMiB > 0 && out.peakMiB < 640, `peak RSS ${out.peakMiB.toFixed(0)} MiB`);
      assertFdsFlat(out, tools.length);
    } finally {
      await target.close();
    }
  }

  it('every fault that answers (resets, bad replies, replies over the cap, 5xx, 429) side by side: per row, recorded == received and named as caused', () =>
    sideBySide('answering', ANSWERING, '5s', REPLY_TIMEOUT_MS));

  it(`stall and an endless SSE reply beside normal calls: timeouts after ${SILENCE_TIMEOUT_MS} ms on their rows only`, () =>
    sideBySide('silent', SILENT, '3s', SILENCE_TIMEOUT_MS));

  it('session-404 on every 3rd call: each 404 the target sent is one "session expired" failure, and the user opens a new session', async () => {
    const users = 5;
    const target = await startFaultTarget({ fault: 'session-404', every: 3 });
    try {
      const out = await run(target.url, 'session-404', users, '2s', ['add']);
      const counts = target.counts();
      assertReceived(out, 'tools/call', undefined, counts.received['tools/call'] ?? 0);
      const labels = failuresOf(out, 'tools/call');
      assert.ok([...labels.keys()].every((l) => l === 'http: HTTP 404 (session expired)' || l === CUT_LABEL), label(labels));
      assert.equal(labels.get('http: HTTP 404 (session expired)'), counts.injected['session-404'], label(labels));
      // A session per user from onStart, and one after each 404 (but a user's last, which the stop may leave).
      const init = rowOf(out, 'initialize');
      assert.equal(init.failures - init.cut, 0);
      assertReceived(out, 'initialize', undefined, counts.sessions);
      const expired = counts.injected['session-404'] ?? 0;
      assert.ok(expired > 0 && init.requests - users <= expired && expired <= init.requests, `initialize ${init.requests}, 404s ${expired}`);
      assertFdsFlat(out, users);
    } finally {
      await target.close();
    }
  });

  it('a target killed and started again on the same port: refusals while it is down, one 404 per user after, and every call accounted for', async () => {
    const users = 5;
    const first = await startFaultTarget({ fault: 'none' });
    const port = first.port;
    let second: Awaited<ReturnType<typeof startFaultTarget>> | undefined;
    let before: FaultCounts | undefined;
    // Stopped (Ctrl-C) once every user has a session on the restarted target and calls go through; -t is only the bound,
    // so a loaded machine where the kill comes late, or a user reconnects late, still sees every user come back.
    const running = run(first.url, 'restart', users, '40s', ['add'], REPLY_TIMEOUT_MS, () => {
      const now = second?.counts();
      return now !== undefined && now.sessions >= users && now.ok >= 4 * users;
    });
    try {
      // Kill it once the load is on (bounded: a run that ends first fails below).
      const end = Date.now() + 20_000;
      while (first.counts().ok < 50 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      before = first.counts();
      await first.close();
      before = first.counts();
      await new Promise((r) => setTimeout(r, 300));
      second = await startFaultTarget({ fault: 'none', port });
      const out = await running;
      const afterCounts = second.counts();

      const labels = failuresOf(out, 'tools/call');
      const allowed = ['connect: ECONNREFUSED', 'http: HTTP 404 (session expired)', CUT_LABEL, ...RESET];
      assert.ok([...labels.keys()].every((l) => allowed.includes(l)), label(labels));
      assert.ok((labels.get('connect: ECONNREFUSED') ?? 0) > 0, `calls while the target was down are refused: ${label(labels)}`);
      // The restarted target knew none of the old sessions: a user's first call on an old session was 404, then the
      // user started anew. A user whose call failed on the kill itself (refused, reset) may start anew without one.
      assert.equal(labels.get('http: HTTP 404 (session expired)'), afterCounts.injected['session-404'], label(labels));
      const expired = afterCounts.injected['session-404'] ?? 0;
      assert.ok(expired >= 1 && expired <= users, `404s on the restarted target: ${expired} for ${users} users`);
      assert.equal(afterCounts.sessions, users);
      // Every call went to one target or the other, or was refused; a call on a socket the kill closed may not have
      // been read (it failed as a reset), and one cut at the stop may not have arrived.
      const row = rowOf(out, 'tools/call');
      const refused = labels.get('connect: ECONNREFUSED') ?? 0;
      const resets = RESET.reduce((n, l) => n + (labels.get(l) ?? 0), 0);
      const received = (before.received['tools/call'] ?? 0) + (afterCounts.received['tools/call'] ?? 0);
      assert.ok(received + refused <= row.requests && row.requests - row.cut - resets <= received + refused,
        `mcpload ${row.requests} (${row.cut} cut, ${resets} reset, ${refused} refused), the targets received ${received}`);
      assert.equal(row.requests - row.failures, before.ok + afterCounts.ok, 'calls answered');
      assert.ok(afterCounts.ok > 0, 'calls succeeded after the restart');
    } finally {
      await first.close();
      await second?.close();
      await running.catch(() => undefined);
    }
  });
});

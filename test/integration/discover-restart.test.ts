/**
 * Sessions that come back come back whole (issue 13): discovery users load
 * `mcpload serve` (a child process), which is killed (SIGKILL) and started
 * again on the same port mid-run. Every session dies with the server; each
 * user gets a 404 on its next call, initializes again and must open the new
 * session's GET stream again, where the server sends the questions of
 * test_sampling and test_elicitation. Without that stream those calls wait
 * for an answer that never comes and time out for the rest of the run.
 *
 * What the server says (its open sessions, /api/v1/mcp/status) is checked
 * against what mcpload recorded; mcpload's live counts at the kill come from
 * its Prometheus exporter, so that the calls answered after the restart are
 * told apart from those before it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { until } from '../helpers/until.js';
import { freePort, startCli, type CliResult } from './cli-helpers.js';

const USERS = 4;
const TOOLS = ['test_sampling', 'test_elicitation'];
const QUESTIONS = ['sampling/createMessage', 'elicitation/create'];

interface Entry { type: string; name: string; requests: number; failures: number }
interface Report {
  snapshot: { entries: Entry[]; errors: Array<{ type: string; name: string; error: string; occurrences: number }> };
}

/** `mcpload serve` on a given port; resolves once it listens. */
async function serve(port: number): Promise<{ kill: () => Promise<void>; stop: () => Promise<CliResult> }> {
  const { child, done } = startCli(['serve', '--port', String(port), '--quiet']);
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('listening on')) resolve();
    });
    void done.then((r) => reject(new Error(`serve exited early: ${r.stderr}`)));
  });
  return {
    kill: async () => {
      child.kill('SIGKILL');
      await done;
    },
    stop: () => {
      child.kill('SIGTERM');
      return done;
    },
  };
}

async function openSessions(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/mcp/status`);
  return ((await res.json()) as { openSessions: number }).openSessions;
}

/** Successful requests of these types and names so far, from mcpload's Prometheus exporter. */
async function liveSuccesses(port: number, type: string, names: string[]): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let ok = 0;
  for (const name of names) {
    const labels = `{type="${type}",name="${name}"}`;
    const value = (metric: string): number => Number(new RegExp(`^${metric}${labels.replace(/[{}/]/g, '\\$&')} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    ok += value('mcpload_requests_total') - value('mcpload_failures_total');
  }
  return ok;
}

/** Polls until `probe` holds; false when `stop` comes first or after `ms` (bounded either way). */
async function holdsBefore(probe: () => Promise<boolean>, stop: Promise<unknown>, ms = 30_000): Promise<boolean> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  const outcome = await until('the probe or the end of the run', async () => (stopped ? 'stopped' : (await probe()) && 'held'), { timeoutMs: ms, everyMs: 100 })
    .catch(() => 'timed out');
  return outcome === 'held';
}

function successes(entries: Entry[], type: string, names?: string[]): number {
  return entries.filter((e) => e.type === type && (names === undefined || names.includes(e.name))).reduce((n, e) => n + e.requests - e.failures, 0);
}

test('discover: after the server is killed and restarted, every user comes back with its GET stream, and sampling and elicitation work again', { timeout: 90_000 }, async () => {
  const port = await freePort();
  const metricsPort = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-restart-'));
  const json = path.join(dir, 'run.json');
  let server = await serve(port);
  // Sessions, and so their loss, are of the handshake era: the default would negotiate 2026-07-28, which has none.
  const run = startCli(['run', '--headless', '--host', `http://127.0.0.1:${port}`, '--protocol-version', '2025-11-25', '--scenario', 'discover', '--tools', TOOLS.join(','), '--tags', 'tools',
    '-u', String(USERS), '-r', String(USERS), '-t', '12s', '--request-timeout', '4s', '--stop-timeout', '4s', '--print-interval', '0',
    '--prometheus-port', String(metricsPort), '--json', json]);
  try {
    // Before the kill: every user has its session, and questions are answered on the session streams.
    assert.ok(await holdsBefore(async () => (await openSessions(port)) === USERS && (await liveSuccesses(metricsPort, 'reply', QUESTIONS)) > 0, run.done),
      'the users did not get going before the kill');
    await server.kill();
    // The server is dead: nothing more can succeed until it is back, so these are the counts from before the restart.
    const repliesBefore = await liveSuccesses(metricsPort, 'reply', QUESTIONS);
    const callsBefore = await liveSuccesses(metricsPort, 'tools/call', TOOLS);
    server = await serve(port);

    // The server's own count: every user opened one new session (no more: a session is not leaked per retry).
    assert.ok(await holdsBefore(async () => (await openSessions(port)) >= USERS, run.done), 'not every user came back before the run ended');
    assert.equal(await openSessions(port), USERS, 'one session per user on the restarted server');
    // ...and questions are answered again after the restart, before the run ends.
    assert.ok(await holdsBefore(async () => (await liveSuccesses(metricsPort, 'reply', QUESTIONS)) > repliesBefore, run.done),
      'no sampling or elicitation question was answered after the restart');

    const r = await run.done;
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    const entries = report.snapshot.entries;
    const out = r.stdout + r.stderr;
    // Each user's sessions were ended at the stop: the server holds none.
    assert.equal(await openSessions(port), 0, 'sessions left open on the server after the run');

    // Two sessions per user (onStart, and after the 404), each with its GET stream.
    assert.equal(successes(entries, 'initialize'), 2 * USERS, out);
    assert.equal(successes(entries, 'GET', ['/mcp']), 2 * USERS, `one server stream per session\n${out}`);
    assert.equal(entries.find((e) => e.type === 'GET')?.failures ?? 0, 0, out);

    // What failed, failed because of the restart: one 404 per user (its first call on the dead session), and calls
    // the kill cut off or that found no server. Never a timeout: a question the client never saw.
    const errors = report.snapshot.errors.filter((e) => e.type === 'tools/call');
    const byLabel = new Map<string, number>();
    for (const e of errors) byLabel.set(e.error, (byLabel.get(e.error) ?? 0) + e.occurrences);
    assert.equal(byLabel.get('http: HTTP 404 (session expired)'), USERS, JSON.stringify([...byLabel]));
    for (const label of byLabel.keys()) assert.match(label, /^(http: HTTP 404 \(session expired\)|connect: |cut: )/, JSON.stringify([...byLabel]));

    // After the restart, calls succeeded and their questions were answered, one answer per successful call (a call
    // the kill or the stop cut off may have had its answer sent already).
    const calls = successes(entries, 'tools/call', TOOLS);
    const replies = successes(entries, 'reply', QUESTIONS);
    assert.ok(calls > callsBefore && replies > repliesBefore, `calls ${callsBefore} -> ${calls}, answers ${repliesBefore} -> ${replies}`);
    const failedCalls = errors.reduce((n, e) => n + e.occurrences, 0);
    assert.ok(calls <= replies && replies <= calls + failedCalls - USERS, `${calls} calls succeeded, ${replies} answers, ${failedCalls} failed calls`);
  } finally {
    run.child.kill('SIGKILL');
    await run.done;
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

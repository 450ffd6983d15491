/**
 * A target that accepts connections and never answers must not hold the
 * start: the checks before the load share one short deadline
 * (--connect-timeout), whatever --request-timeout says, and then the run
 * starts anyway and reports every request that never got its reply. Before,
 * each check waited a request timeout of its own (over two minutes for a
 * 10 s run). No timing is asserted: the run must end by itself before a
 * generous guard, with the right outcome.
 *
 * The cases run side by side, each with its own server, folder and
 * run: most of each is waiting on a deadline or a run's clock.
 */
import { describe, it as test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCli, type CliResult } from './cli-helpers.js';
import { startSilentTarget } from '../fixtures/silent-target.js';

/** Far beyond what start-up and the run need, far below the old four request timeouts (30 s each). */
const GUARD_MS = 60_000;

/** Runs the CLI; `endedByItself` is false when the guard had to kill it. */
async function runGuarded(args: string[]): Promise<CliResult & { endedByItself: boolean }> {
  const { child, done } = startCli(args);
  let killed = false;
  const guard = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, GUARD_MS);
  const r = await done;
  clearTimeout(guard);
  return { ...r, endedByItself: !killed };
}

interface Report {
  passed: boolean;
  verdict: { failures: string[] };
  snapshot: { entries: Array<{ type: string; requests: number; cut?: number }> };
}

const USERS = 5;
// The default --request-timeout (30 s) and --connect-timeout (5 s) stay: start-up must not wait a request timeout.
const LOAD = ['--headless', '-u', String(USERS), '-r', '50', '-t', '2s', '--stop-timeout', '1s', '--print-interval', '0'];

describe('a silent target', { concurrency: true }, () => {
  test('default scenario against a silent target: the run starts after the start-up deadline, every user\'s initialize is cut, exit 1', async () => {
    const target = await startSilentTarget();
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-silent-'));
    try {
      const json = path.join(dir, 'run.json');
      const r = await runGuarded(['run', '--host', target.url, ...LOAD, '--json', json]);
      assert.ok(r.endedByItself, `the run did not end by itself\n${r.stdout}${r.stderr}`);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /gave no answer within 5s \(--connect-timeout\): the checks before the load were cut short and the run starts anyway, over Streamable HTTP/);
      const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
      const cut = report.snapshot.entries.filter((e) => e.type === 'initialize').reduce((n, e) => n + (e.cut ?? 0), 0);
      assert.equal(cut, USERS, r.stdout);
      assert.equal(report.passed, false);
      assert.ok(report.verdict.failures.some((f) => f.startsWith(`no request completed: ${USERS} requests were still waiting`)), report.verdict.failures.join('\n'));
      assert.match(r.stdout, /FAILED: .*requests never answered/);
      assert.ok(!r.stdout.includes('PASSED'), r.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await target.close();
    }
  });

  test('--scenario discover against a silent target: one line naming --connect-timeout, exit 2, before any load', async () => {
    const target = await startSilentTarget();
    try {
      const r = await runGuarded(['run', '--host', target.url, '--scenario', 'discover', ...LOAD, '--connect-timeout', '1500ms']);
      assert.ok(r.endedByItself, `the run did not end by itself\n${r.stdout}${r.stderr}`);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /^error: discover: no MCP handshake with http:\/\/127\.0\.0\.1:\d+\/mcp: no answer within 1\.5s \(--connect-timeout\)$/m);
      assert.ok(!r.stdout.includes('users at'), r.stdout);
    } finally {
      await target.close();
    }
  });

  test('--transport sse against a silent target: the same deadline, exit 2 with one line', async () => {
    const target = await startSilentTarget();
    try {
      const r = await runGuarded(['run', '--host', target.url, '--transport', 'sse', ...LOAD]);
      assert.ok(r.endedByItself, `the run did not end by itself\n${r.stdout}${r.stderr}`);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /error: discover: no MCP handshake with .*: no answer within 5s \(--connect-timeout\)/);
    } finally {
      await target.close();
    }
  });
});

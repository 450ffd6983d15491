/**
 * Sessions as load, against the reference server with a small session
 * table: the churn class ends every session it opens (so a table of 4 never
 * fills), the leak flood never does (so it finds the table's size), and
 * reports the server's RSS per session when given its pid.
 *
 * The cases run side by side, each with its own server, folder and
 * run: most of each is waiting on a deadline or a run's clock.
 */
import { describe, it as test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseCsv } from '../helpers/csv.js';
import { runCli, startCli } from './cli-helpers.js';

async function startServer(maxSessions: number): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const { child, done } = startCli(['serve', '--port', '0', '--quiet', '--max-sessions', String(maxSessions)]);
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    void done.then((r) => reject(new Error(`serve exited early: ${r.stderr}`)));
  });
  return { url, pid: child.pid!, stop: async () => { child.kill('SIGTERM'); await done; } };
}

/** `Type Name` → [request count, failure count] from PREFIX_stats.csv. */
function statsByRow(prefix: string): Map<string, [number, number]> {
  const [header, ...rows] = parseCsv(readFileSync(`${prefix}_stats.csv`, 'utf8'));
  const col = (name: string) => header!.indexOf(name);
  const out = new Map<string, [number, number]>();
  for (const row of rows) out.set(`${row[col('Type')]} ${row[col('Name')]}`, [Number(row[col('Request Count')]), Number(row[col('Failure Count')])]);
  return out;
}

describe('sessions', { concurrency: 2 }, () => {
  test('churn: every session is ended, so a 4-session table never refuses', { timeout: 40_000 }, async () => {
    const server = await startServer(4);
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-churn-'));
    try {
      const res = await runCli(['run', '--headless', '--host', server.url, '--scenario', 'churn', '--protocol-version', '2025-11-25', '--calls-per-session', '2',
        '-u', '3', '-r', '3', '-t', '2s', '--print-interval', '0', '--csv', path.join(dir, 'run')]);
      assert.equal(res.code, 0, res.stdout + res.stderr);
      const stats = statsByRow(path.join(dir, 'run'));
      const cycles = stats.get('session churn');
      assert.ok(cycles !== undefined && cycles[0] > 4, `more sessions than the table holds must have cycled: ${res.stdout}`);
      for (const row of ['initialize /mcp', 'DELETE /mcp', 'tools/list /mcp']) {
        assert.equal(stats.get(row)?.[1], 0, `${row} failed: ${res.stdout}`);
      }
      // K calls per session: at least 2 per finished cycle.
      assert.ok(stats.get('tools/list /mcp')![0] >= 2 * cycles[0]);
      assert.ok(stats.get('DELETE /mcp')![0] >= cycles[0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await server.stop();
    }
  });

  test('leak flood: finds the session table size and the RSS per session', { timeout: 40_000 }, async () => {
    const server = await startServer(6);
    try {
      const res = await runCli(['run', '--headless', '--host', server.url, '--scenario', 'leak-flood', '--protocol-version', '2025-11-25',
        '-u', '2', '-r', '2', '-t', '2s', '--print-interval', '0', '--server-pid', String(server.pid)]);
      assert.equal(res.code, 0, res.stdout + res.stderr);
      assert.match(res.stdout, /note: leak flood: the server accepted 6 sessions before refusing or failing one/, res.stdout);
      assert.match(res.stdout, /server RSS grew -?\d+\.\d KiB per session/, res.stdout);
      assert.match(res.stdout, /initialize +\/mcp +http: HTTP 503/, res.stdout);
    } finally {
      await server.stop();
    }
  });

  test('leak flood over --processes 2: one tally for the whole run, in the notes and the JSON', { timeout: 40_000 }, async () => {
    const server = await startServer(8);
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-leak-'));
    try {
      const json = path.join(dir, 'leak.json');
      const res = await runCli(['run', '--headless', '--host', server.url, '--scenario', 'leak-flood', '--protocol-version', '2025-11-25', '--processes', '2',
        '-u', '2', '-r', '2', '-t', '2s', '--print-interval', '0', '--server-pid', String(server.pid), '--json', json]);
      assert.equal(res.code, 0, res.stdout + res.stderr);
      const result = JSON.parse(readFileSync(json, 'utf8')) as { scenarioFigures?: Record<string, number>; snapshot: { entries: Array<{ type: string; requests: number; failures: number }> } };
      const init = result.snapshot.entries.find((e) => e.type === 'initialize')!;
      // Both processes' sessions are counted: exactly the table's 8 were accepted, the rest refused.
      assert.deepEqual(result.scenarioFigures && [result.scenarioFigures.sessionsAccepted, result.scenarioFigures.sessionsRefused],
        [init.requests - init.failures, init.failures]);
      assert.equal(result.scenarioFigures!.sessionsAccepted, 8);
      assert.match(res.stdout, /note: leak flood: the server accepted \d+ sessions before refusing or failing one \(8 accepted and \d+ refused in all/, res.stdout);
      assert.match(res.stdout, /server RSS grew -?\d+\.\d KiB per session/, res.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await server.stop();
    }
  });

  test('churn and leak-flood refuse a target without Streamable HTTP sessions', async () => {
    const res = await runCli(['run', '--headless', '--stdio', 'node -e 0', '--scenario', 'leak-flood', '--protocol-version', '2025-11-25', '-t', '1s']);
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /needs a Streamable HTTP target/);
  });
});

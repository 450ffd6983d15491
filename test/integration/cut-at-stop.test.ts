/**
 * Every request has an outcome: a request still waiting for its reply when
 * the run stops is recorded (kind `cut`) in the JSON, the CSV and the
 * summary, and a target that never answers never reads as PASSED. Two small
 * targets made here on 127.0.0.1: one that accepts every request and never
 * answers, one that answers the handshake and then opens an SSE reply to
 * every tools/call that never ends. The general client and --bench-mode both.
 *
 * The cases run side by side (each with its own target and folder): each is
 * a bounded wait on a target that never answers.
 */
import { describe, it as test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './cli-helpers.js';

const USERS = 5;
// A request still waiting at the end of the stop timeout (2 s + 1 s) is cut, well before its own 5 s deadline
// (which also bounds the preflight's wait for a target that never answers).
const RUN = ['--headless', '-u', String(USERS), '-r', '50', '-t', '2s', '--stop-timeout', '1s', '--request-timeout', '5s',
  '--transport', 'streamable-http', '--print-interval', '0'];

interface Report {
  passed: boolean;
  verdict: { failures: string[] };
  snapshot: { entries: Array<{ type: string; name: string; requests: number; failures: number; cut?: number }>; errors: Array<{ type: string; name: string; error: string; occurrences: number }> };
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, server };
}

async function shut(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Reads the JSON-RPC body of a request. */
function bodyOf(req: IncomingMessage): Promise<{ id?: number; method?: string }> {
  return new Promise((resolve) => {
    let text = '';
    req.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => {
      try {
        resolve(JSON.parse(text) as { id?: number; method?: string });
      } catch {
        resolve({});
      }
    });
  });
}

/** A Streamable HTTP server that answers initialize and notifications, and opens an SSE reply to everything else that never ends. */
function endlessToolCalls(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'DELETE') {
    res.writeHead(200).end();
    return;
  }
  void bodyOf(req).then((msg) => {
    if (msg.method === 'initialize') {
      res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'abc' }).end(JSON.stringify({
        jsonrpc: '2.0', id: msg.id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'endless', version: '1' } },
      }));
    } else if (msg.id === undefined) {
      res.writeHead(202).end();
    } else {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': the result never comes\n\n');
    }
  });
}

function withDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-cut-'));
  return body(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

function cutOf(report: Report, type: string): number {
  return report.snapshot.entries.filter((e) => e.type === type).reduce((sum, e) => sum + (e.cut ?? 0), 0);
}

async function runAgainst(target: string, extra: string[], dir: string): Promise<{ code: number | null; stdout: string; report: Report; failuresCsv: string; statsCsv: string }> {
  const json = path.join(dir, 'run.json');
  const csv = path.join(dir, 'run');
  // Pinned: these targets are about the handshake era (and one never answers, not even server/discover).
  const r = await runCli(['run', ...extra, '--host', target, '--protocol-version', '2025-11-25', ...RUN, '--json', json, '--csv', csv]);
  return {
    code: r.code,
    stdout: r.stdout + r.stderr,
    report: JSON.parse(readFileSync(json, 'utf8')) as Report,
    failuresCsv: readFileSync(`${csv}_failures.csv`, 'utf8'),
    statsCsv: readFileSync(`${csv}_stats.csv`, 'utf8'),
  };
}

describe('cut at the stop', { concurrency: true }, () => {
  for (const mode of [[], ['--bench-mode']] as const) {
    const label = mode.length === 0 ? 'the general client' : '--bench-mode';

    test(`${label}: a target that never answers: every user's initialize is cut at the stop, recorded, and the run FAILS`, async () => {
      const { url, server } = await listen(() => { /* never answers */ });
      try {
        await withDir(async (dir) => {
          const scenario = mode.length === 0 ? ['test/fixtures/echo-once.ts'] : [...mode];
          const r = await runAgainst(url, scenario, dir);
          assert.equal(r.code, 1, r.stdout);
          assert.equal(cutOf(r.report, 'initialize'), USERS, r.stdout);
          assert.equal(r.report.passed, false);
          assert.ok(r.report.verdict.failures.some((f) => f.startsWith(`no request completed: ${USERS} requests were still waiting`)), r.report.verdict.failures.join('\n'));
          assert.match(r.stdout, new RegExp(`Cut at the stop: ${USERS} requests were still waiting for a reply when the run stopped`));
          assert.match(r.stdout, /FAILED: requests never answered/);
          assert.ok(!r.stdout.includes('PASSED'), r.stdout);
          assert.match(r.failuresCsv, new RegExp(`initialize,/mcp,cut: still waiting when the run stopped,${USERS}`));
          assert.match(r.statsCsv, new RegExp(`initialize,/mcp,${USERS},${USERS},`));
        });
      } finally {
        await shut(server);
      }
    });

    test(`${label}: a tools/call whose SSE reply never ends is cut at the stop, has its row, and the run FAILS`, async () => {
      const { url, server } = await listen(endlessToolCalls);
      try {
        await withDir(async (dir) => {
          const scenario = mode.length === 0 ? ['test/fixtures/echo-once.ts'] : [...mode];
          const r = await runAgainst(url, scenario, dir);
          assert.equal(r.code, 1, r.stdout);
          const name = mode.length === 0 ? 'echo' : 'add';
          const row = r.report.snapshot.entries.find((e) => e.type === 'tools/call' && e.name === name);
          assert.ok(row, r.stdout);
          assert.equal(row.cut, USERS, r.stdout);
          assert.equal(row.requests, USERS);
          assert.ok(r.report.snapshot.entries.some((e) => e.type === 'initialize' && e.requests === USERS && e.failures === 0), r.stdout);
          assert.ok(r.report.verdict.failures.some((f) => f.startsWith(`tools/call ${name}: none of ${USERS} requests completed`)), r.report.verdict.failures.join('\n'));
          assert.match(r.failuresCsv, new RegExp(`tools/call,${name},cut: still waiting when the run stopped,${USERS}`));
          assert.ok(!r.stdout.includes('PASSED'), r.stdout);
        });
      } finally {
        await shut(server);
      }
    });
  }

  test('stdio: a server process that never answers: each initialize is cut at the stop and recorded, and the run FAILS', async () => {
    await withDir(async (dir) => {
      const json = path.join(dir, 'run.json');
      const r = await runCli(['run', 'test/fixtures/echo-once.ts', '--stdio', `${process.execPath} -e process.stdin.resume()`,
        '--headless', '-u', '3', '-r', '50', '-t', '1s', '--stop-timeout', '0s', '--request-timeout', '20s', '--print-interval', '0', '--json', json]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
      assert.equal(cutOf(report, 'initialize'), 3, r.stdout);
      assert.ok(report.verdict.failures.some((f) => f.startsWith('no request completed: 3 requests')), report.verdict.failures.join('\n'));
    });
  });
});

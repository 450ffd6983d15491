/**
 * The discovery scenario end to end: against mcpload's own server (embedded)
 * and against a third-party one, @modelcontextprotocol/server-everything,
 * over Streamable HTTP. Every load is a few seconds, on loopback.
 *
 * The cases run side by side: each has its own folder and server, and
 * most of each is a run waiting on its clock.
 */
import { describe, it as test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunResult } from '../../src/report/run-result.js';
import { runCli } from './cli-helpers.js';
import { readEntries, startEverything } from '../helpers/everything.js';

describe('the discovery scenario', { concurrency: true }, () => {
  test('discover against server-everything over Streamable HTTP: a row per tool, resource and prompt, no failure', async () => {
    const server = await startEverything();
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-discover-'));
    try {
      const json = path.join(dir, 'result.json');
      // No --scenario: a server without the classic REST face gets the discovery scenario.
      const r = await runCli(['run', '--headless', '--host', server.url, '-u', '6', '-r', '6', '-t', '5s', '--stop-timeout', '1s',
        '--print-interval', '0', '--seed', '11', '--json', json, '--exit-code-on-error', '0']);
      // trigger-long-running-operation can outlast a 5 s run: cut at the stop, its row fails mcpload's "never answered"
      // rule (a default, so --exit-code-on-error 0 lets it pass); every other rule must hold.
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /✗ (error_rate|checks|exceptions)/, r.stdout);
      assert.match(r.stdout, /scenario discover against/);
      // The catalog is listed with the users' client capabilities (sampling, elicitation, roots): 16 tools, not 13.
      assert.match(r.stdout, /note: skipped 6 of 16 tools:\n.*--allow-writes: gzip-file-as-resource/);
      assert.match(r.stdout, /different catalogs to different client capabilities: 16 tools .*, 13 to a client declaring none; only with the capabilities: get-roots-list/);
      const entries = readEntries(json);
      const failed = entries.filter((e) => e.failures - (e.cut ?? 0) > 0);
      assert.deepEqual(failed, [], 'no failure but requests cut at the stop');
      const rows = new Set(entries.map((e) => `${e.type} ${e.name}`));
      for (const row of ['initialize /mcp', 'notifications/initialized /mcp', 'DELETE /mcp']) assert.ok(rows.has(row), row);
      // Writes are never called by default.
      assert.ok(![...rows].some((r) => r.includes('toggle-') || r.includes('gzip-file')));
      assert.ok([...rows].some((r) => r.startsWith('tools/call ')));
      // The first pass covers every task: the tool only listed to clients with roots is called, its question answered.
      assert.ok(rows.has('tools/call get-roots-list'), [...rows].join(', '));
      assert.ok(rows.has('reply roots/list'), [...rows].join(', '));
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await server.stop();
    }
  });

  test('--scenario discover against the embedded server, with --tools naming the calls', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-discover-'));
    try {
      const json = path.join(dir, 'result.json');
      // Users wait 0.5-2 s between tasks and tools/call is one pick among lists and reads: 4 users for 3 s drew
      // none at all on a slow CI run, so 8 users for 5 s make a call certain without changing what is checked.
      const r = await runCli(['run', '--headless', '--scenario', 'discover', '--tools', 'add,echo', '-u', '8', '-r', '8', '-t', '5s',
        '--stop-timeout', '1s', '--print-interval', '0', '--json', json]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const entries = readEntries(json);
      const tools = entries.filter((e) => e.type === 'tools/call').map((e) => e.name).sort();
      assert.ok(tools.length > 0 && tools.every((t) => t === 'add' || t === 'echo'), tools.join(','));
      assert.deepEqual(entries.filter((e) => e.failures > 0), []);
      assert.match(r.stdout, /not named in --tools/);
      // Time to first byte beside the full reply: the same requests, each first byte no later than its reply.
      assert.match(r.stdout, /time to first byte +\| +full reply/);
      const result = JSON.parse(readFileSync(json, 'utf8')) as RunResult;
      const firstBytes = result.firstByteSnapshot?.entries ?? [];
      assert.ok(firstBytes.some((e) => e.type === 'server/discover') && firstBytes.some((e) => e.type === 'tools/call'));
      for (const fb of firstBytes) {
        const full = entries.find((e) => e.type === fb.type && e.name === fb.name);
        assert.ok(full, `${fb.type} ${fb.name} has a full-reply row`);
        assert.equal(fb.requests, full.requests, `${fb.type} ${fb.name}`);
        assert.ok(fb.sumUs <= full.sumUs, `${fb.type} ${fb.name}: first bytes ${fb.sumUs} µs in all, replies ${full.sumUs} µs`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('discover users answer sampling and elicitation that the server sends on the session stream', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-discover-'));
    try {
      const json = path.join(dir, 'result.json');
      // Only the two tool calls run (--tags tools), so each is picked many times in a short run. Pinned: the
      // session stream is a handshake-era thing (under 2026-07-28 the questions come as input_required rounds).
      const r = await runCli(['run', '--headless', '--scenario', 'discover', '--tools', 'test_sampling,test_elicitation', '--tags', 'tools',
        '--protocol-version', '2025-11-25',
        '-u', '6', '-r', '6', '-t', '4s', '--stop-timeout', '2s', '--request-timeout', '10s', '--print-interval', '0', '--json', json]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const entries = readEntries(json);
      assert.deepEqual(entries.filter((e) => e.failures > 0), []);
      const replies = entries.filter((e) => e.type === 'reply').map((e) => e.name).sort();
      assert.deepEqual(replies, ['elicitation/create', 'sampling/createMessage']);
      assert.ok(entries.some((e) => e.type === 'GET' && e.name === '/mcp' && e.requests > 0), 'no session stream opened');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--tools with an unknown name is a usage error', async () => {
    const r = await runCli(['run', '--headless', '--scenario', 'discover', '--tools', 'nope', '-u', '1', '-t', '1s', '--print-interval', '0']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown tool nope/);
  });
});

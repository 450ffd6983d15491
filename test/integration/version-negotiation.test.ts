/**
 * Version negotiation of a dual-era client (2026-07-28 basic/versioning,
 * "Backward Compatibility"), end to end through the CLI: `client`, `run`
 * and `probe` against `mcpload serve` (dual-era: reaches 2026-07-28) and
 * against server-everything over Streamable HTTP (legacy: falls back to
 * 2025-11-25), each saying which version it chose; a pinned 2026-07-28
 * against the legacy server is one line and exit 1. Loads are a few
 * seconds, on loopback.
 *
 * The cases run three at a time: they only read what the CLI prints, so
 * the two servers can answer several at once.
 */
import { after, before, describe, it as test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEverything } from '../helpers/everything.js';
import { runCli, startServeProcess } from './cli-helpers.js';

let serve: { url: string; stop: () => Promise<void> };
let everything: { url: string; stop: () => Promise<void> };
const STATELESS_LINE = /^protocol 2026-07-28 \(server\/discover answered\)$/m;
const LEGACY_LINE = /^protocol 2025-11-25 \(server\/discover got HTTP 400 with JSON-RPC error -32000: a legacy server\)$/m;

before(async () => {
  serve = await startServeProcess();
  everything = await startEverything();
});

after(async () => {
  await serve?.stop();
  await everything?.stop();
});

describe('version negotiation', { concurrency: 3 }, () => {
  test('client, default and latest: 2026-07-28 against mcpload serve, no handshake and no ping', async () => {
    for (const extra of [[], ['--protocol-version', 'latest']]) {
      const r = await runCli(['client', `${serve.url}/mcp`, '--request-timeout', '10s', ...extra]);
      assert.match(r.stdout, STATELESS_LINE, r.stdout);
      assert.match(r.stdout, /^server\/discover\s+\/mcp\s.*\bok$/m, r.stdout);
      assert.match(r.stdout, /^session \(none: stateless server\), protocol 2026-07-28$/m, r.stdout);
      assert.doesNotMatch(r.stdout, /^(initialize|ping|DELETE) /m, r.stdout);
      // serve's fail, sleep and test_error_handling tools fail on purpose: 1, not 2.
      assert.equal(r.code, 1, r.stdout + r.stderr);
    }
  });

  test('client, default: falls back to 2025-11-25 and the handshake against server-everything', async () => {
    const r = await runCli(['client', everything.url, '--request-timeout', '10s']);
    assert.match(r.stdout, LEGACY_LINE, r.stdout);
    assert.match(r.stdout, /^initialize\s+\/mcp\s.*\bok$/m, r.stdout);
    assert.match(r.stdout, /^session \S+, protocol 2025-11-25$/m, r.stdout);
    assert.match(r.stdout, /^tools\/list\s+\/mcp\s.*\bok$/m, r.stdout);
    assert.notEqual(r.code, 2, r.stderr);
  });

  test('client, pinned 2026-07-28 against server-everything: one line, exit 1, no request after the probe', async () => {
    const r = await runCli(['client', everything.url, '--protocol-version', '2026-07-28']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^error: \S+ does not speak --protocol-version 2026-07-28 \(server\/discover got HTTP 400 .*a legacy server\); leave the flag out/);
    assert.doesNotMatch(r.stdout, /^(initialize|server\/discover|tools\/) /m, r.stdout);
  });

  test('client, pinned legacy version: no negotiation, the handshake offers it', async () => {
    const r = await runCli(['client', `${serve.url}/mcp`, '--protocol-version', '2025-06-18', '--request-timeout', '10s']);
    assert.doesNotMatch(r.stdout, /^protocol /m, r.stdout);
    assert.match(r.stdout, /^session \S+, protocol 2025-06-18$/m, r.stdout);
    assert.equal(r.code, 1, r.stdout + r.stderr);
  });

  test('run, default: 2026-07-28 against mcpload serve (no ping row), 2025-11-25 against server-everything', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-negotiate-'));
    try {
      for (const [host, line, rows] of [[serve.url, STATELESS_LINE, ['server/discover /mcp']], [everything.url, LEGACY_LINE, ['initialize /mcp', 'DELETE /mcp']]] as const) {
        const json = path.join(dir, 'result.json');
        const r = await runCli(['run', '--headless', '--host', host, '--scenario', 'discover', '-u', '2', '-r', '2', '-t', '3s', '--stop-timeout', '1s',
          '--print-interval', '0', '--json', json, '--exit-code-on-error', '0']);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, line, r.stdout);
        const entries = (JSON.parse(readFileSync(json, 'utf8')) as { snapshot: { entries: { type: string; name: string }[] } }).snapshot.entries;
        const seen = new Set(entries.map((e) => `${e.type} ${e.name}`));
        for (const row of rows) assert.ok(seen.has(row), `${row} in ${[...seen].join(', ')}`);
        if (host === serve.url) assert.ok(![...seen].some((row) => /^(ping|initialize|DELETE) /.test(row)), [...seen].join(', '));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('run and probe, pinned 2026-07-28 against server-everything: one line and exit 1 before any load', async () => {
    for (const args of [['run', '--headless', '-u', '1', '-t', '2s', '--scenario', 'discover'], ['probe']]) {
      const r = await runCli([...args, '--host', everything.url, '--protocol-version', '2026-07-28']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /^error: \S+ does not speak --protocol-version 2026-07-28 \(.*a legacy server\); leave the flag out/m, r.stderr);
      assert.doesNotMatch(r.stdout, /checks against|scenario discover against/, r.stdout);
    }
  });

  test('probe, default: says which version it found, and that the session checks stay legacy against a dual-era server', async () => {
    const stateless = await runCli(['probe', '--host', serve.url]);
    assert.match(stateless.stdout, /^protocol 2026-07-28 \(server\/discover answered\); the session checks open legacy sessions \(2025-11-25\)/m, stateless.stdout);
    const legacy = await runCli(['probe', '--host', everything.url]);
    assert.match(legacy.stdout, LEGACY_LINE, legacy.stdout);
    assert.notEqual(legacy.code, 2, legacy.stderr);
  });

  test('a bad --protocol-version is still a usage error: exit 2', async () => {
    const r = await runCli(['client', `${serve.url}/mcp`, '--protocol-version', '2026-07-29']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /latest or one of 2024-11-05/);
  });
});

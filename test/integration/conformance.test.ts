// node-matrix: the official conformance suite against mcpload serve on this Node
/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance`,
 * server side, active scenarios) against `mcpload serve`. The suite needs
 * Node 22: scripts/node-version.sh installs it into .cache/node-22 on first
 * use (or $MCPLOAD_NODE22 names one), without touching the Node that runs
 * the tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanEnv, ROOT, startServeProcess } from './cli-helpers.js';
import { nodeBinary } from '../helpers/node-version.js';

const SUITE = path.join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const node22 = nodeBinary(22);
const NODE22 = node22.path ?? '';
const missing = node22.missing
  ?? (!existsSync(SUITE) ? `no conformance suite at ${SUITE} (dev dependency @modelcontextprotocol/conformance)` : undefined);

function runSuite(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(NODE22, [SUITE, ...args], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, out });
    });
  });
}

test('conformance server suite: every active scenario passes against mcpload serve', { skip: missing, timeout: 90_000 }, async () => {
  const server = await startServeProcess();
  const results = mkdtempSync(path.join(tmpdir(), 'mcpload-conformance-'));
  try {
    const { code, out } = await runSuite(['server', '--url', `${server.url}/mcp`, '--output-dir', results], 75_000);
    const summary = out.slice(out.indexOf('=== SUMMARY ==='));
    const failed = summary.split('\n').filter((line) => line.startsWith('✗'));
    assert.deepEqual(failed, [], summary);
    assert.match(summary, /Total: \d+ passed, 0 failed/, summary);
    // The active suite has 30 scenarios today; fewer would mean the suite ran only part of them.
    const passed = summary.split('\n').filter((line) => line.startsWith('✓'));
    assert.ok(passed.length >= 30, `only ${passed.length} scenarios ran:\n${summary}`);
    assert.equal(code, 0, summary);
  } finally {
    rmSync(results, { recursive: true, force: true });
    await server.stop();
  }
});

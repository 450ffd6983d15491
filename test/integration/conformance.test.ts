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

/**
 * What a JSON reply cannot carry by definition: it is one response, so the
 * notifications a call sends while it runs (logging, progress) have nowhere
 * to go. Stateful sessions still have their GET stream for the questions a
 * tool asks the client; stateless ones have no stream at all, so sampling and
 * elicitation cannot be asked either (the tool fails at once, saying so).
 */
const JSON_CANNOT_CARRY = ['tools-call-with-logging', 'tools-call-with-progress'];
const STATELESS_JSON_CANNOT_CARRY = [
  ...JSON_CANNOT_CARRY, 'tools-call-sampling', 'tools-call-elicitation', 'elicitation-sep1034-defaults', 'elicitation-sep1330-enums',
];

const MODES: Array<{ args: string[]; cannotCarry: string[] }> = [
  { args: [], cannotCarry: [] },
  { args: ['--stateless'], cannotCarry: [] },
  { args: ['--json-response'], cannotCarry: JSON_CANNOT_CARRY },
  { args: ['--stateless', '--json-response'], cannotCarry: STATELESS_JSON_CANNOT_CARRY },
];

for (const { args, cannotCarry } of MODES) {
  const label = ['serve', ...args].join(' ');
  const expected = cannotCarry.length === 0 ? 'every active scenario passes' : `every active scenario passes but ${cannotCarry.length} a JSON reply cannot carry`;
  test(`conformance server suite against mcpload ${label}: ${expected}`, { skip: missing, timeout: 120_000 }, async () => {
    const server = await startServeProcess(args);
    const results = mkdtempSync(path.join(tmpdir(), 'mcpload-conformance-'));
    try {
      const { code, out } = await runSuite(['server', '--url', `${server.url}/mcp`, '--output-dir', results], 100_000);
      const summary = out.slice(out.indexOf('=== SUMMARY ==='));
      const failed = summary.split('\n').filter((line) => line.startsWith('✗')).map((line) => line.slice(2).split(':')[0]!).sort();
      assert.deepEqual(failed, [...cannotCarry].sort(), summary);
      // The active suite has 30 scenarios today; fewer would mean the suite ran only part of them.
      const passed = summary.split('\n').filter((line) => line.startsWith('✓'));
      assert.ok(passed.length + failed.length >= 30, `only ${passed.length + failed.length} scenarios ran:\n${summary}`);
      if (cannotCarry.length === 0) {
        assert.match(summary, /Total: \d+ passed, 0 failed/, summary);
        assert.equal(code, 0, summary);
      }
    } finally {
      rmSync(results, { recursive: true, force: true });
      await server.stop();
    }
  });
}

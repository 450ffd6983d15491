// node-matrix: the official conformance suite against mcpload serve on this Node
/**
 * The official MCP conformance suite 0.1.x (`@modelcontextprotocol/conformance`,
 * server side, the handshake-era versions) against `mcpload serve`: the
 * active scenarios, and the pending ones (`json-schema-2020-12`, and
 * `server-sse-polling`, whose `test_reconnection` tool closes its stream so
 * the client resumes with Last-Event-ID from the session's event store).
 * The suite needs Node 22: scripts/node-version.sh installs it into
 * .cache/node-22 on first use (or $MCPLOAD_NODE22 names one), without
 * touching the Node that runs the tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServeProcess } from './cli-helpers.js';
import { runSuite, SUITE_01, suiteMissing, summaryOf } from '../helpers/conformance-suite.js';

const missing = suiteMissing(SUITE_01);

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

async function runAgainstServe(serveArgs: string[], suiteArgs: string[]): Promise<{ code: number | null; text: string; scenarios: ReturnType<typeof summaryOf>['scenarios'] }> {
  const server = await startServeProcess(serveArgs);
  const results = mkdtempSync(path.join(tmpdir(), 'mcpload-conformance-'));
  try {
    const { code, out } = await runSuite(SUITE_01, ['server', '--url', `${server.url}/mcp`, '--output-dir', results, ...suiteArgs], 100_000);
    return { code, ...summaryOf(out) };
  } finally {
    rmSync(results, { recursive: true, force: true });
    await server.stop();
  }
}

for (const { args, cannotCarry } of MODES) {
  const label = ['serve', ...args].join(' ');
  const expected = cannotCarry.length === 0 ? 'every active scenario passes' : `every active scenario passes but ${cannotCarry.length} a JSON reply cannot carry`;
  test(`conformance server suite against mcpload ${label}: ${expected}`, { skip: missing, timeout: 120_000 }, async () => {
    const { code, text, scenarios } = await runAgainstServe(args, []);
    const failed = [...scenarios.values()].filter((s) => !s.passed).map((s) => s.name).sort();
    assert.deepEqual(failed, [...cannotCarry].sort(), text);
    // The active suite has 30 scenarios today; fewer would mean the suite ran only part of them.
    assert.ok(scenarios.size >= 30, `only ${scenarios.size} scenarios ran:\n${text}`);
    if (cannotCarry.length === 0) {
      assert.match(text, /Total: \d+ passed, 0 failed/, text);
      assert.equal(code, 0, text);
    }
  });
}

test('conformance server suite: the pending scenarios pass too, and not vacuously', { skip: missing, timeout: 120_000 }, async () => {
  const { text, scenarios } = await runAgainstServe([], ['--suite', 'pending']);
  assert.deepEqual([...scenarios.values()].filter((s) => !s.passed).map((s) => s.name), [], text);
  assert.match(text, /Total: \d+ passed, 0 failed/, text);
  for (const name of ['json-schema-2020-12', 'server-sse-polling']) assert.ok(scenarios.has(name), `${name} did not run:\n${text}`);
  // Its checks only count when the server really primed, announced a retry and resumed (else the scenario reports 0 of 0).
  assert.equal(scenarios.get('server-sse-polling')!.checksPassed, 3, text);
  assert.ok(scenarios.get('json-schema-2020-12')!.checksPassed >= 4, text);
});

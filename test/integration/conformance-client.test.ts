// node-matrix: the official conformance suite's client scenarios, mcpload client on this Node
/**
 * The official MCP conformance suite, client side: `conformance client`
 * starts its own test server per scenario and runs `mcpload client` against
 * it (appending the server URL), then grades what the client did. The suite
 * needs Node 22 (scripts/node-version.sh installs it into .cache/node-22 on
 * first use, or $MCPLOAD_NODE22 names one); mcpload itself runs on the Node
 * that runs the tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BIN, ROOT } from './cli-helpers.js';
import { runConformanceClient } from './conformance-run.js';
import { nodeBinary } from '../helpers/node-version.js';

const SUITE = path.join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const node22 = nodeBinary(22);
const NODE22 = node22.path ?? '';
const missing = node22.missing
  ?? (!existsSync(SUITE) ? `no conformance suite at ${SUITE} (dev dependency @modelcontextprotocol/conformance)` : undefined);

// The suite splits --command on spaces: neither path may hold one.
const CLIENT_COMMAND = `${process.execPath} ${BIN} client --request-timeout 10s`;

function runScenario(scenario: string): Promise<{ code: number | null; out: string }> {
  return runConformanceClient({ node22: NODE22, suite: SUITE, command: CLIENT_COMMAND, scenario, timeoutMs: 15_000, killAfterMs: 25_000 });
}

// One after another: sse-retry grades the reconnection delay, which a busy CPU would stretch.
for (const scenario of ['initialize', 'tools_call', 'elicitation-sep1034-client-defaults', 'sse-retry']) {
  test(`conformance client ${scenario}: mcpload client passes`, { skip: missing, timeout: 30_000 }, async () => {
    const { code, out } = await runScenario(scenario);
    const results = out.slice(out.indexOf('Test Results:'));
    assert.match(results, /Passed: [1-9]\d*\/\d+, 0 failed, 0 warnings/, out);
    assert.match(results, /OVERALL: PASSED/, out);
    assert.equal(code, 0, out);
  });
}

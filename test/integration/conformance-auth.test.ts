/**
 * The official conformance suite's `auth/*` client scenarios against
 * `mcpload client`: each starts its own MCP server and authorization server
 * and grades how the client authorized (discovery variants, registration,
 * client ID metadata documents, PKCE, scopes and step-up, token endpoint
 * authentication, pre-registered and client-credentials clients, issuer
 * checks). Both suites: 0.1.x (every auth scenario it lists) and the
 * 2026-07-28 one (devDependency conformance-2026), whose auth scenarios
 * beyond 0.1.x's are run as well except those named in LEFT_OUT. The suite
 * needs Node 22 (scripts/node-version.sh).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BIN, ROOT } from './cli-helpers.js';
import { runConformanceClient } from './conformance-run.js';
import { nodeBinary } from '../helpers/node-version.js';

const SUITE_01 = path.join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const SUITE_02 = path.join(ROOT, 'node_modules/conformance-2026/dist/index.js');
const node22 = nodeBinary(22);
const NODE22 = node22.path ?? '';
const missing = node22.missing ?? (!existsSync(SUITE_01) ? `no conformance suite at ${SUITE_01}` : undefined);

/** The suite's CIMD scenarios expect this URL as client_id, as its own example client sends. */
const CIMD_URL = 'https://conformance-test.local/client-metadata.json';

/**
 * 2026-07-28 extension scenarios mcpload does not pass yet, each with why.
 */
const LEFT_OUT: Record<string, string> = {
  'auth/dpop': 'DPoP (RFC 9449) proofs are not implemented',
  'auth/dpop-nonce': 'DPoP (RFC 9449) proofs are not implemented',
};

/** The auth scenarios a suite lists, with the spec versions it names for each. */
function authScenarios(suite: string): { name: string; versions: string[] }[] {
  if (missing !== undefined || !existsSync(suite)) return [];
  const out = spawnSync(NODE22, [suite, 'list'], { encoding: 'utf8', timeout: 60_000 });
  const list: { name: string; versions: string[] }[] = [];
  for (const m of `${out.stdout}${out.stderr}`.matchAll(/^\s*- (auth\/[\w-]+) \[([^\]]*)\]/gm)) list.push({ name: m[1]!, versions: m[2]!.split(',') });
  return list;
}

function runScenario(suite: string, scenario: string, protocolVersion: string | undefined): Promise<{ code: number | null; out: string }> {
  // The suite splits --command on spaces: no path may hold one.
  const command = [process.execPath, BIN, 'client', '--request-timeout', '10s', '--oauth-client-metadata-url', CIMD_URL,
    ...(protocolVersion === undefined ? [] : ['--protocol-version', protocolVersion])].join(' ');
  // Generous deadlines: an authorization takes a dozen exchanges, and a loaded 2-core box stretches each.
  return runConformanceClient({ node22: NODE22, suite, command, scenario, timeoutMs: 60_000, killAfterMs: 90_000 });
}

function assertPassed(code: number | null, out: string): void {
  const results = out.slice(out.indexOf('Test Results:'));
  assert.match(results, /Passed: [1-9]\d*\/\d+, 0 failed, 0 warnings/, out);
  assert.match(results, /OVERALL: PASSED/, out);
  assert.equal(code, 0, out);
}

const first = authScenarios(SUITE_01);
test('the 0.1.x suite lists its 22 auth scenarios', { skip: missing }, () => {
  assert.equal(first.length, 22, first.map((s) => s.name).join(', '));
});
for (const { name } of first) {
  test(`conformance 0.1.x ${name}: mcpload client passes`, { skip: missing, timeout: 120_000 }, async () => {
    const { code, out } = await runScenario(SUITE_01, name, undefined);
    assertPassed(code, out);
  });
}

// 0.2.x: the scenarios 0.1.x does not have (the shared ones are graded the same way).
const known = new Set(first.map((s) => s.name));
for (const { name, versions } of authScenarios(SUITE_02).filter((s) => !known.has(s.name))) {
  // A scenario of 2026-07-28 alone runs a stateless server: the client must speak that revision.
  const only2026 = versions.length === 1 && versions[0] === '2026-07-28';
  test(`conformance 0.2.x ${name}: mcpload client passes`, { skip: missing ?? LEFT_OUT[name], timeout: 120_000 }, async () => {
    const { code, out } = await runScenario(SUITE_02, name, only2026 ? '2026-07-28' : undefined);
    assertPassed(code, out);
  });
}

/**
 * How a dual-era client reads the answer to its `server/discover` probe
 * (2026-07-28 basic/versioning and streamable-http "Backward
 * Compatibility"), which version it retries with after -32022, and the
 * once-per-tool warning for tools left out for a broken x-mcp-header.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickSupportedVersion } from '../../src/protocol/rev-2026-07-28.js';
import { eraFromDiscoverReply } from '../../src/transports/negotiate-version.js';
import { MirroredHeaders } from '../../src/transports/rev-2026-07-28-http.js';

const discoverResult = (supportedVersions: unknown) => ({ result: { resultType: 'complete', supportedVersions, capabilities: {} } });
const rpcError = (code: number, data?: unknown) => ({ error: { code, message: 'x', ...(data === undefined ? {} : { data }) } });

test('a DiscoverResult: stateless, the newest version both sides list', () => {
  assert.deepEqual(eraFromDiscoverReply({ status: 200, message: discoverResult(['2025-11-25', '2026-07-28']) }),
    { era: 'stateless', version: '2026-07-28', reason: 'server/discover answered' });
  // A 2026-07-28-era server that only serves legacy versions on this endpoint: the handshake, at its newest.
  assert.equal(eraFromDiscoverReply({ status: 200, message: discoverResult(['2025-06-18', '2025-03-26']) }).era, 'legacy');
  assert.equal((eraFromDiscoverReply({ status: 200, message: discoverResult(['2025-06-18']) }) as { version: string }).version, '2025-06-18');
  assert.equal(eraFromDiscoverReply({ status: 200, message: discoverResult(['2099-01-01']) }).era, undefined);
});

test('a legacy server that answers any method with an empty result is not taken for a stateless one', () => {
  assert.deepEqual(eraFromDiscoverReply({ status: 200, message: { result: {} } }),
    { era: 'legacy', version: '2025-11-25', reason: 'server/discover got a result without supportedVersions: a legacy server' });
  assert.equal(eraFromDiscoverReply({ status: 200, message: rpcError(-32601) }).era, 'legacy');
});

test('a 4xx with a stateless JSON-RPC error: stateless; -32022 names the version to use', () => {
  const rejected = eraFromDiscoverReply({ status: 400, message: rpcError(-32022, { supported: ['2026-07-28'], requested: '2026-07-28' }) });
  assert.equal(rejected.era, 'stateless');
  assert.equal((rejected as { version: string }).version, '2026-07-28');
  assert.equal((eraFromDiscoverReply({ status: 400, message: rpcError(-32022, { supported: ['2025-11-25'] }) }) as { version: string }).version, '2025-11-25');
  assert.match(eraFromDiscoverReply({ status: 400, message: rpcError(-32022, { supported: ['1999-01-01'] }) }).reason, /supports none of mcpload's versions/);
  assert.equal(eraFromDiscoverReply({ status: 400, message: rpcError(-32020) }).era, 'stateless');
  assert.equal(eraFromDiscoverReply({ status: 400, message: rpcError(-32021) }).era, 'stateless');
});

test('anything else: a legacy server (400 without a stateless error, 404, 405, an empty body); 5xx tells nothing', () => {
  for (const reply of [{ status: 400, message: rpcError(-32000) }, { status: 404 }, { status: 405 }, { status: 400 }]) {
    const found = eraFromDiscoverReply(reply);
    assert.equal(found.era, 'legacy', JSON.stringify(reply));
    assert.equal((found as { version: string }).version, '2025-11-25');
  }
  assert.match(eraFromDiscoverReply({ status: 400, message: rpcError(-32000) }).reason, /HTTP 400 with JSON-RPC error -32000: a legacy server/);
  assert.equal(eraFromDiscoverReply({ status: 503 }).era, undefined);
});

test('the version to retry with after -32022: newest of the list that mcpload speaks, stateless first', () => {
  assert.equal(pickSupportedVersion(['2025-06-18', '2026-07-28']), '2026-07-28');
  assert.equal(pickSupportedVersion(['2025-03-26', '2025-06-18']), '2025-06-18');
  assert.equal(pickSupportedVersion(['2025-06-18'], 'stateless'), undefined);
  assert.equal(pickSupportedVersion('2026-07-28'), undefined);
  assert.equal(pickSupportedVersion(undefined), undefined);
});

test('a tool left out for its x-mcp-header is warned about once, however often it is listed', () => {
  const mirrored = new MirroredHeaders();
  const list = () => ({ tools: [
    { name: 'ok', inputSchema: { type: 'object', properties: { r: { type: 'string', 'x-mcp-header': 'R' } } } },
    { name: 'empty', inputSchema: { type: 'object', properties: { v: { type: 'string', 'x-mcp-header': '' } } } },
  ] });
  mirrored.learn(list());
  mirrored.learn(list());
  const warnings = mirrored.takeWarnings();
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /^left out tool empty: x-mcp-header "" is not a header token/);
  mirrored.learn(list());
  assert.deepEqual(mirrored.takeWarnings(), []);
});

test('a 401 or 403 tells nothing of the era: authorization comes first in both, so a pinned version stands', () => {
  for (const status of [401, 403]) {
    const reply = eraFromDiscoverReply({ status, message: { error: { code: -32001, message: 'unauthorized' } } });
    assert.equal(reply.era, undefined);
    assert.match(reply.reason, /needs authorization first/);
  }
});

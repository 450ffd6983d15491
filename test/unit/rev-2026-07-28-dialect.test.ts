import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rev20260728Dialect, takeToolWarnings } from '../../src/transports/rev-2026-07-28-dialect.js';
import { NO_CANCEL, type WireDialect } from '../../src/transports/wire-dialect.js';
import type { ServerRequestReplies } from '../../src/transports/server-messages.js';
import { result, ScriptedLink } from '../helpers/scripted-link.js';

const BASE = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const META_VERSION = 'io.modelcontextprotocol/protocolVersion';
let endpoints = 0;

/** Typed as the contract: the client sees nothing else. */
function dialect(link: ScriptedLink, replies?: ServerRequestReplies): WireDialect {
  // Each test its own endpoint: what is learnt of an endpoint is shared by every client of it.
  return new Rev20260728Dialect({
    link, version: '2026-07-28', clientInfo: { name: 'c', version: '1' }, clientCaps: {}, base: BASE, endpointKey: `http://127.0.0.1/e${endpoints++}`, replies,
  });
}

const rpcBody = (error: object): Buffer => Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, error }));

test('server/discover opens (no handshake, no session); it must list the version in use', async () => {
  const link = new ScriptedLink({ 'server/discover': [result({ supportedVersions: ['2026-07-28'], capabilities: { tools: {} } }), result({ supportedVersions: ['2025-11-25'] })] });
  const d = dialect(link);
  assert.deepEqual(d.headers, { ...BASE, 'mcp-protocol-version': '2026-07-28' }, 'the version header from the first request');
  assert.equal(await d.open(), true);
  assert.deepEqual(link.sent.map((s) => [s.method, s.flags]), [['server/discover', NO_CANCEL]]);
  assert.deepEqual(d.capabilities, { tools: {} });
  assert.equal(d.ready, true);
  assert.equal(d.sessionId, undefined);
  assert.equal(await d.open(), false, 'a discover result without 2026-07-28 fails the opening');
  d.adoptSession('ignored');
  assert.equal(d.sessionId, undefined);
});

test('the methods and notifications 2026-07-28 removed are answered here, never sent', () => {
  const d = dialect(new ScriptedLink({}));
  for (const method of ['initialize', 'notifications/initialized', 'ping', 'logging/setLevel', 'resources/subscribe', 'notifications/cancelled']) {
    const out = d.unsent(method);
    assert.equal(out?.ok, false, method);
    assert.equal(!out!.ok && out!.error.detail, `not sent: ${method} does not exist in protocol 2026-07-28`);
  }
  for (const method of ['tools/call', 'tools/list', 'server/discover', 'subscriptions/listen']) assert.equal(d.unsent(method), undefined, method);
});

test('every request carries _meta (the caller\'s own keys kept, the traceparent added) and Mcp-Method', () => {
  const d = dialect(new ScriptedLink({}));
  const sent = d.params({ name: 'add', _meta: { progressToken: 'p1' } }, '00-aa-bb-01') as { _meta: Record<string, unknown> };
  assert.equal(sent._meta[META_VERSION], '2026-07-28');
  assert.equal(sent._meta.progressToken, 'p1');
  assert.equal(sent._meta.traceparent, '00-aa-bb-01');
  assert.equal((d.params(undefined, undefined) as { _meta: Record<string, unknown> })._meta.traceparent, undefined);
  assert.deepEqual(d.routed('tools/list', undefined), { ...d.headers, 'mcp-method': 'tools/list' });
  assert.deepEqual(d.routed('notifications/progress', undefined), { ...d.headers, 'mcp-method': 'notifications/progress' });
});

test('a tools/call before any listing lists every page first (once), learns x-mcp-header, then gets Mcp-Name and Mcp-Param-*', async () => {
  const tool = { name: 'weather', inputSchema: { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' } } } };
  const broken = { name: 'bad', inputSchema: { type: 'object', properties: { n: { type: 'number', 'x-mcp-header': 'N' } } } };
  const link = new ScriptedLink({ 'tools/list': [result({ tools: [tool], nextCursor: 'c2' }), result({ tools: [broken] })] });
  const d = dialect(link);
  // The client passes every successful, checked result on; here as it would for the listing's pages.
  const exchange = link.exchange.bind(link);
  link.exchange = async (method, params, name, validate, flags) => {
    const out = await exchange(method, params, name, validate, flags);
    if (out.ok) d.accepted(method, out.result);
    return out;
  };
  const waiting = d.before('tools/call');
  assert.ok(waiting !== undefined);
  assert.equal(d.before('tools/call'), waiting, 'one listing for all the calls that wait');
  await waiting;
  assert.deepEqual(link.sent.map((s) => [s.method, s.params]), [['tools/list', undefined], ['tools/list', { cursor: 'c2' }]]);
  assert.equal(d.before('tools/call'), undefined, 'listed: calls go at once');
  assert.equal(d.before('tools/list'), undefined);
  assert.deepEqual(d.routed('tools/call', { name: 'weather', arguments: { region: 'eu west' } }), {
    ...d.headers, 'mcp-method': 'tools/call', 'mcp-name': 'weather', 'mcp-param-region': 'eu west',
  });
  assert.deepEqual(takeToolWarnings().filter((w) => w.includes('tool bad')).length, 1, 'the broken annotation is warned about');
});

test('a non-2xx body says why in a JSON-RPC error; -32022 names a version to retry with, once', () => {
  const d = dialect(new ScriptedLink({}));
  const mismatch = d.failedStatus(400, rpcBody({ code: -32020, message: 'Mcp-Name does not match' }), false, true);
  assert.equal(mismatch.error.detail, '-32020 Mcp-Name does not match (HTTP 400)');
  assert.equal(mismatch.retryWith, undefined);
  assert.equal(d.failedStatus(502, Buffer.from('<html>bad gateway</html>'), false, true).error.detail, 'HTTP 502');
  assert.equal(d.failedStatus(404, undefined, true, true).error.detail, 'HTTP 404', 'no session to lose');
  const unsupported = rpcBody({ code: -32022, message: 'Unsupported protocol version', data: { supported: ['2025-11-25', '2026-07-28'] } });
  assert.equal(d.failedStatus(400, unsupported, false, false).retryWith, undefined, 'not on the retry itself');
  assert.equal(d.failedStatus(400, rpcBody({ code: -32022, data: { supported: ['2025-11-25'] } }), false, true).retryWith, undefined,
    'a handshake-era version is not retried mid-way');
  assert.equal(d.failedStatus(400, unsupported, false, true).retryWith, '2026-07-28');
  d.adoptVersion('2026-07-28');
  assert.equal(d.failedStatus(400, unsupported, false, true).retryWith, undefined, 'once per client');
});

test('input_required: answered and sent again, each round its own request; a question with no answer configured fails', async () => {
  const question = { resultType: 'input_required', inputRequests: { q1: { method: 'elicitation/create', params: {} } }, requestState: 's1' };
  const link = new ScriptedLink({ 'tools/call': [result({ content: [] })] });
  const d = dialect(link, { elicitation: () => ({ action: 'accept', content: { ok: true } }) });
  assert.equal(d.isPartial(question), true);
  assert.equal(d.isPartial({ content: [] }), false);
  const out = await d.settle(Promise.resolve({ ok: true, result: question }), 'tools/call', { name: 't' }, 't', undefined, 0);
  assert.deepEqual(out, { ok: true, result: { content: [] } });
  assert.deepEqual(link.sent.map((s) => [s.name, s.params]), [
    ['t (round 2)', { name: 't', inputResponses: { q1: { action: 'accept', content: { ok: true } } }, requestState: 's1' }],
  ]);
  const unanswered = await dialect(link).settle(Promise.resolve({ ok: true, result: question }), 'tools/call', { name: 't' }, 't', undefined, 0);
  assert.equal(unanswered.ok, false);
  assert.deepEqual(link.recorder.ofType('input_required').map((s) => s.error?.detail), ['no answer configured for elicitation/create (input_required)']);
});

test('a timeout sends nothing: closing the stream was the cancellation', () => {
  const link = new ScriptedLink({});
  dialect(link).timedOut(3);
  assert.deepEqual(link.notified, []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionDialect } from '../../src/transports/session-dialect.js';
import { ADOPT_SESSION, NO_CANCEL, type WireDialect } from '../../src/transports/wire-dialect.js';
import { SESSION_GONE } from '../../src/transports/errors.js';
import { result, ScriptedLink } from '../helpers/scripted-link.js';

const BASE = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** Typed as the contract: the client sees nothing else. */
function dialect(link: ScriptedLink): WireDialect {
  return new SessionDialect({
    link, version: '2025-11-25', clientInfo: { name: 'c', version: '1' }, clientCaps: {}, base: BASE, endpointKey: 'x', replies: undefined,
  });
}

/** An initialize whose reply carried `sid` (the client adopts it from the headers when ADOPT_SESSION is set). */
function handshake(d: WireDialect, link: ScriptedLink, sid: string | undefined): Promise<boolean> {
  const exchange = link.exchange.bind(link);
  link.exchange = async (method, params, name, validate, flags) => {
    const out = await exchange(method, params, name, validate, flags);
    if ((flags & ADOPT_SESSION) !== 0) d.adoptSession(sid);
    return out;
  };
  return d.open();
}

test('the handshake: initialize then notifications/initialized; the session id and the server\'s version go on every later message', async () => {
  const link = new ScriptedLink({ initialize: [result({ protocolVersion: '2025-06-18', capabilities: { tools: {} } })] });
  const d = dialect(link);
  assert.equal(d.headers, BASE, 'before the handshake: the base headers only');
  assert.equal(await handshake(d, link, 'abc'), true);
  assert.deepEqual(link.sent.map((s) => [s.method, s.flags]), [['initialize', ADOPT_SESSION | NO_CANCEL]]);
  assert.deepEqual((link.sent[0]!.params as { protocolVersion: string }).protocolVersion, '2025-11-25');
  assert.deepEqual(link.notified.map((n) => n.method), ['notifications/initialized']);
  assert.equal(d.version, '2025-06-18');
  assert.deepEqual(d.capabilities, { tools: {} });
  assert.equal(d.ready, true);
  assert.deepEqual(d.headers, { ...BASE, 'mcp-session-id': 'abc', 'mcp-protocol-version': '2025-06-18' });
});

test('a session-less server: no session id, but the version header after the handshake', async () => {
  const link = new ScriptedLink({ initialize: [result({ protocolVersion: '2025-11-25' })] });
  const d = dialect(link);
  await handshake(d, link, undefined);
  assert.equal(d.sessionId, undefined);
  assert.deepEqual(d.headers, { ...BASE, 'mcp-protocol-version': '2025-11-25' });
});

test('the hot path hands back what it holds: the same headers object and params, nothing unsent, no further rounds', async () => {
  const link = new ScriptedLink({ initialize: [result({})] });
  const d = dialect(link);
  await handshake(d, link, 's1');
  const params = { name: 'add', arguments: { a: 1 } };
  assert.equal(d.routed('tools/call', params), d.headers);
  assert.equal(d.params(params, '00-trace-span-01'), params, 'no _meta, not even the traceparent');
  for (const method of ['initialize', 'ping', 'logging/setLevel', 'notifications/cancelled']) assert.equal(d.unsent(method), undefined, method);
  assert.equal(d.before('tools/call'), undefined);
  assert.equal(d.isPartial({ resultType: 'input_required' }), false);
  const first = Promise.resolve({ ok: true as const, result: 1 });
  assert.equal(d.settle(first, 'tools/call', params, 'add', undefined, 0), first);
});

test('404 on a request that carried the session: the session is gone and forgotten; other statuses are plain HTTP errors', async () => {
  const link = new ScriptedLink({ initialize: [result({})] });
  const d = dialect(link);
  await handshake(d, link, 's1');
  assert.equal(d.failedStatus(503, Buffer.from('{"jsonrpc":"2.0","error":{"code":-32022}}'), true, true).error.detail, 'HTTP 503', 'the body is not read');
  assert.equal(d.sessionId, 's1');
  const gone = d.failedStatus(404, undefined, true, true);
  assert.equal(gone.error, SESSION_GONE);
  assert.equal(gone.retryWith, undefined);
  assert.equal(d.sessionId, undefined);
  assert.equal(d.ready, false);
  assert.equal(d.headers, BASE);
  assert.equal(d.failedStatus(404, undefined, false, true).error.detail, 'HTTP 404', 'without a session, 404 is only a status');
});

test('a request given up on is cancelled with an unrecorded notifications/cancelled; forget returns the session it ends', async () => {
  const link = new ScriptedLink({ initialize: [result({})] });
  const d = dialect(link);
  await handshake(d, link, 's2');
  d.timedOut(7);
  assert.deepEqual(link.notified.at(-1), { method: 'notifications/cancelled', params: { requestId: 7, reason: 'client timeout' }, record: false });
  assert.equal(d.forget(), 's2');
  assert.equal(d.forget(), undefined);
});

test('new base headers (Authorization) keep the session headers on top', async () => {
  const link = new ScriptedLink({ initialize: [result({ protocolVersion: '2025-11-25' })] });
  const d = dialect(link);
  await handshake(d, link, 's3');
  d.useBase({ ...BASE, authorization: 'Bearer t' });
  assert.deepEqual(d.headers, { ...BASE, authorization: 'Bearer t', 'mcp-session-id': 's3', 'mcp-protocol-version': '2025-11-25' });
});

test('a failed initialize leaves the dialect not ready and sends nothing more', async () => {
  const link = new ScriptedLink({ initialize: [() => ({ ok: false, error: { kind: 'http', detail: 'HTTP 500' } })] });
  const d = dialect(link);
  assert.equal(await d.open(), false);
  assert.equal(d.ready, false);
  assert.deepEqual(link.notified, []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'undici';
import {
  AUTO_TRANSPORT, HTTP_TRANSPORTS, httpTransport, isTransportChoice, TRANSPORT_CHOICES, transportHelp,
} from '../../src/transports/http-transports.js';

test('the --transport values are auto and each registered transport, once', () => {
  assert.deepEqual(TRANSPORT_CHOICES, ['auto', 'streamable-http', 'sse']);
  assert.equal(new Set(HTTP_TRANSPORTS.map((t) => t.name)).size, HTTP_TRANSPORTS.length);
  assert.ok(isTransportChoice('sse'));
  assert.ok(!isTransportChoice('websocket'));
});

test('auto names no transport; each name finds its entry', () => {
  assert.equal(httpTransport(AUTO_TRANSPORT), undefined);
  assert.equal(httpTransport(undefined), undefined);
  assert.equal(httpTransport('sse')?.title, 'legacy HTTP+SSE, 2024-11-05');
  // Streamable HTTP is the built-in client: no connector to load, and the only one that carries the stateless revision and OAuth.
  const streamable = httpTransport('streamable-http');
  assert.equal(streamable?.connector, undefined);
  assert.deepEqual(HTTP_TRANSPORTS.filter((t) => t.statelessRevision).map((t) => t.name), ['streamable-http']);
  assert.deepEqual(HTTP_TRANSPORTS.filter((t) => t.oauth).map((t) => t.name), ['streamable-http']);
});

test('the help line names every transport and what auto detects', () => {
  const help = transportHelp();
  for (const t of HTTP_TRANSPORTS) assert.ok(help.includes(`'${t.name}' (${t.title})`), help);
  assert.match(help, /'auto' \(Streamable HTTP first, sse when the server answers as such\)$/);
});

test('the legacy SSE entry loads its connector when chosen', async () => {
  const dispatcher = new Agent();
  try {
    const connector = await httpTransport('sse')!.connector!({ url: 'http://127.0.0.1:9/sse', dispatcher, headers: {}, timeoutMs: 1000 });
    assert.equal(connector.kind, 'sse');
    assert.equal(connector.description, 'http://127.0.0.1:9/sse');
    await connector.close();
  } finally {
    await dispatcher.close();
  }
});

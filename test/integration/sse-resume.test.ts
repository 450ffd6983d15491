// node-matrix: SSE streams read through undici and resumed on a new GET
/**
 * Resumption of a Streamable HTTP reply whose SSE stream ends before the
 * response (SEP-1699): the client waits the server's `retry`, GETs with
 * `Last-Event-ID`, and takes the response from there. A tiny server on
 * loopback plays the part; it also answers 405 to GET in the second case,
 * where the call must fail instead of hanging.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Recorder, SampleError } from '../../src/metrics/sample.js';
import { createDispatcher } from '../../src/transports/http-pool.js';
import { McpHttpClient } from '../../src/transports/mcp-http.js';

interface Seen {
  lastEventIds: (string | undefined)[];
}

function startServer(allowGet: boolean): Promise<{ url: string; seen: Seen; close: () => Promise<void> }> {
  const seen: Seen = { lastEventIds: [] };
  let pendingId: unknown;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      seen.lastEventIds.push(req.headers['last-event-id'] as string | undefined);
      if (!allowGet) { res.writeHead(405).end(); return; }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // First resume: one more early close with a new id; the second brings the response.
      if (seen.lastEventIds.length === 1) { res.end('id: e2\nretry: 20\ndata: \n\n'); return; }
      res.write(`id: e3\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: pendingId, result: { content: [{ type: 'text', text: 'resumed' }] } })}\n\n`);
      return; // stays open, like a session's GET stream: the client must let go by itself
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const msg = JSON.parse(body) as { id?: unknown; method: string };
      if (msg.id === undefined) { res.writeHead(202).end(); return; }
      if (msg.method === 'initialize') {
        res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 's1' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 't', version: '1' } } }));
        return;
      }
      pendingId = msg.id;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('id: e1\nretry: 30\ndata: \n\n');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    resolve({ url: `http://127.0.0.1:${port}/mcp`, seen, close: () => { server.closeAllConnections(); return new Promise((r) => server.close(() => r())); } });
  }));
}

class Rows implements Recorder {
  readonly rows: string[] = [];
  record(type: string, name: string, _l: number, _b: number, error?: SampleError): void {
    this.rows.push(`${type} ${name} ${error === undefined ? 'ok' : `${error.kind}: ${error.detail}`}`);
  }
  exception(): void {}
}

test('a stream closed early is resumed with Last-Event-ID until the response comes', { timeout: 10_000 }, async () => {
  const server = await startServer(true);
  const dispatcher = createDispatcher();
  try {
    const rows = new Rows();
    const client = new McpHttpClient({ url: server.url, recorder: rows, dispatcher, timeoutMs: 5000 });
    assert.equal(await client.initialize(), true);
    const out = await client.callTool('slow');
    assert.equal(out.ok, true, rows.rows.join('\n'));
    assert.deepEqual(out.ok && out.result.content[0].text, 'resumed');
    assert.deepEqual(server.seen.lastEventIds, ['e1', 'e2']);
    assert.ok(rows.rows.includes('tools/call slow ok'), rows.rows.join('\n'));
  } finally {
    await dispatcher.destroy();
    await server.close();
  }
});

test('a stream closed early on a server without GET streams fails the call', { timeout: 10_000 }, async () => {
  const server = await startServer(false);
  const dispatcher = createDispatcher();
  try {
    const rows = new Rows();
    const client = new McpHttpClient({ url: server.url, recorder: rows, dispatcher, timeoutMs: 5000 });
    assert.equal(await client.initialize(), true);
    const out = await client.callTool('slow');
    assert.equal(out.ok, false);
    assert.deepEqual(server.seen.lastEventIds, ['e1']);
    assert.ok(rows.rows.includes('tools/call slow jsonrpc: no response'), rows.rows.join('\n'));
  } finally {
    await dispatcher.destroy();
    await server.close();
  }
});

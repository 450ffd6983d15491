/**
 * The 2026-07-28 client against a small 2026-07-28 server on loopback that
 * refuses the first request with -32022 (as the conformance suite's
 * request-metadata scenario does): the client retries once with a version
 * from the error's `supported` list, under a new id, and keeps that version;
 * it never sends a method the revision removed (ping...).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDispatcher } from '../../src/transports/http-pool.js';
import { McpHttpClient } from '../../src/transports/mcp-http.js';
import { SampleLog } from '../helpers/recorder.js';

interface Seen { id: unknown; method: string; header: string | undefined; meta: unknown }

async function readJson(req: IncomingMessage): Promise<{ id?: unknown; method?: string; params?: { _meta?: Record<string, unknown> } }> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return JSON.parse(body) as { id?: unknown; method?: string };
}

test('after -32022 the client retries once with a supported version, then keeps it; ping is never sent', async () => {
  const seen: Seen[] = [];
  let refusals = 0;
  const server = createServer((req, res) => {
    void readJson(req).then((msg) => {
      const header = req.headers['mcp-protocol-version'] as string | undefined;
      seen.push({ id: msg.id, method: msg.method ?? '', header, meta: msg.params?._meta?.['io.modelcontextprotocol/protocolVersion'] });
      res.setHeader('content-type', 'application/json');
      if (refusals++ === 0) {
        res.statusCode = 400;
        res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, error: { code: -32022, message: 'Unsupported protocol version', data: { supported: ['2026-07-28'], requested: header } } }));
        return;
      }
      const result = msg.method === 'server/discover' ? { resultType: 'complete', supportedVersions: ['2026-07-28'], capabilities: { tools: {} } }
        : { resultType: 'complete', tools: [] };
      res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dispatcher = createDispatcher();
  const rec = new SampleLog();
  try {
    const client = new McpHttpClient({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, recorder: rec, dispatcher, protocolVersion: '2026-07-28',
    });
    assert.equal(await client.initialize(), true);
    const ping = await client.ping();
    assert.equal(ping.ok, false);
    assert.match(!ping.ok ? ping.error.detail : '', /not sent: ping does not exist in protocol 2026-07-28/);
    assert.equal((await client.listTools()).ok, true);
    // One refusal, one retry; every later request keeps the version the retry used.
    assert.deepEqual(seen.map((s) => s.method), ['server/discover', 'server/discover', 'tools/list']);
    assert.notEqual(seen[0]!.id, seen[1]!.id, 'the retry is a new request');
    for (const s of seen) assert.deepEqual([s.header, s.meta], ['2026-07-28', '2026-07-28']);
    assert.deepEqual(rec.samples.map((s) => [s.type, s.name, s.error]), [
      ['server/discover', '/mcp (2026-07-28 refused, retried with 2026-07-28)', undefined],
      ['server/discover', '/mcp', undefined],
      ['tools/list', '/mcp', undefined],
    ]);
  } finally {
    await dispatcher.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

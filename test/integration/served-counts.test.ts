/**
 * The reference server's own counts of what it served (`served` on
 * GET /api/v1/mcp/status), for real on loopback: an SDK client's session,
 * messages the endpoint refuses (not counted), the stateless mode and a
 * 2026-07-28 request.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { META_CLIENT_CAPABILITIES, META_PROTOCOL_VERSION } from '../../src/protocol/rev-2026-07-28.js';
import { startReferenceServer, type RunningReferenceServer } from '../../src/server/reference-server.js';
import type { ServedSnapshot } from '../../src/server/served-counts.js';

const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function served(server: RunningReferenceServer): Promise<ServedSnapshot> {
  const res = await fetch(`${server.url}/api/v1/mcp/status`);
  return ((await res.json()) as { served: ServedSnapshot }).served;
}

async function post(server: RunningReferenceServer, body: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body });
  await res.text();
  return res.status;
}

describe('what mcpload serve served', { timeout: 30_000 }, () => {
  it('counts a session\'s requests by method and tool, its notifications and its end, and not what it refused', async () => {
    const server = await startReferenceServer({ port: 0, quiet: true });
    try {
      assert.deepEqual(await served(server), { requests: {}, toolCalls: {}, notifications: {}, responses: 0, sessionsOpened: 0, sessionsDeleted: 0 });
      const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`));
      const client = new Client({ name: 'served-test', version: '1' });
      await client.connect(transport);
      await client.listTools();
      await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
      await client.callTool({ name: 'add', arguments: { a: 3, b: 4 } });
      await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
      await transport.terminateSession();
      await client.close();

      // Refused before the MCP server sees them: an unknown session, invalid JSON, no session id.
      const call = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 1 } } });
      assert.equal(await post(server, call, { 'mcp-session-id': 'no-such-session', 'mcp-protocol-version': '2025-06-18' }), 404);
      assert.equal(await post(server, '{not json'), 400);
      assert.equal(await post(server, call), 400);
      // A session of its own, whose call the SDK transport refuses (406: Accept without text/event-stream).
      const init = await fetch(`${server.url}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify({
        jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }) });
      await init.text();
      const sid = init.headers.get('mcp-session-id')!;
      assert.ok(sid);
      assert.equal(await post(server, call, { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18', accept: 'application/json' }), 406);

      const counts = await served(server);
      assert.deepEqual(counts.requests, { initialize: 2, 'tools/list': 1, 'tools/call': 3 });
      assert.deepEqual(counts.toolCalls, { add: 2, echo: 1 });
      assert.deepEqual(counts.notifications, { 'notifications/initialized': 1 });
      assert.equal(counts.sessionsOpened, 2);
      assert.equal(counts.sessionsDeleted, 1);
    } finally {
      await server.close();
    }
  });

  it('counts stateless and 2026-07-28 requests, which open no session', async () => {
    const server = await startReferenceServer({ port: 0, quiet: true, stateless: true, responseMode: 'json' });
    try {
      const legacy = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 2 } } });
      assert.equal(await post(server, legacy, { 'mcp-protocol-version': '2025-06-18' }), 200);
      const meta = { [META_PROTOCOL_VERSION]: '2026-07-28', [META_CLIENT_CAPABILITIES]: {} };
      const rev = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' }, _meta: meta } });
      const revHeaders = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' };
      assert.equal(await post(server, rev, revHeaders), 200);
      // The same request with a header that disagrees is refused (HeaderMismatch) and not counted.
      assert.equal(await post(server, rev, { ...revHeaders, 'mcp-name': 'add' }), 400);
      const counts = await served(server);
      assert.deepEqual(counts.requests, { 'tools/call': 2 });
      assert.deepEqual(counts.toolCalls, { add: 1, echo: 1 });
      assert.equal(counts.sessionsOpened, 0);
    } finally {
      await server.close();
    }
  });
});

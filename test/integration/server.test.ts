/**
 * The reference server, for real: started on a free loopback port, driven by
 * the SDK's own client and by plain HTTP.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { REFUSED_STATUSES, SECURITY_PROBES } from '../../src/protocol/sensitive-routes.js';
import { startReferenceServer, type ReferenceServerOptions, type RunningReferenceServer } from '../../src/server/reference-server.js';
import { runServe } from '../../src/server/serve-command.js';
import { until } from '../helpers/until.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const PROTOCOL_VERSION = '2025-06-18';
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'server-test', version: '1' } },
};

function start(opts: ReferenceServerOptions = {}): Promise<RunningReferenceServer> {
  return startReferenceServer({ port: 0, quiet: true, ...opts });
}

async function connectClient(server: RunningReferenceServer, headers?: Record<string, string>) {
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), headers ? { requestInit: { headers } } : undefined);
  const client = new Client({ name: 'server-test', version: '1' });
  await client.connect(transport);
  return { client, transport };
}

/** Raw initialize; the body is read so the connection is free again. */
async function rawInitialize(server: RunningReferenceServer, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: JSON.stringify(INITIALIZE) });
  const text = await res.text();
  return { res, text, sessionId: res.headers.get('mcp-session-id') };
}

function postMcp(server: RunningReferenceServer, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: { ...MCP_HEADERS, 'mcp-protocol-version': PROTOCOL_VERSION, ...headers },
    body: JSON.stringify(body),
  });
}

/** The text of a CallToolResult (the SDK types callTool's answer as a union with a legacy shape). */
function textOf(result: unknown): string {
  const content = (result as { content: { type: string; text?: string }[] }).content;
  return content.map((c) => c.text ?? '').join('');
}

/** A request with a Host header of our choosing (fetch does not let one set Host). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('reference server: MCP over Streamable HTTP (stateful, SSE)', () => {
  let server: RunningReferenceServer;
  before(async () => {
    server = await start();
  });
  after(() => server.close());

  it('initializes, lists and calls tools, reads resources and gets prompts', async () => {
    const { client, transport } = await connectClient(server);
    try {
      assert.equal(server.openSessions(), 1);
      const { tools } = await client.listTools();
      // The load-test tools, beside the conformance catalog's tools (conformance.test.ts covers those).
      assert.deepEqual(tools.map((t) => t.name).filter((n) => !n.startsWith('test_') && n !== 'json_schema_2020_12_tool').sort(), ['add', 'echo', 'fail', 'long_job', 'sleep']);
      const add = tools.find((t) => t.name === 'add')!;
      assert.equal(add.annotations?.readOnlyHint, true);
      assert.deepEqual(add.outputSchema?.required, ['sum']);

      const sum = await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } });
      assert.deepEqual(sum.structuredContent, { sum: 42 });
      assert.equal(textOf(sum), '42');
      assert.notEqual(sum.isError, true);

      const echo = await client.callTool({ name: 'echo', arguments: { text: 'héllo' } });
      assert.equal(textOf(echo), 'héllo');

      const failed = await client.callTool({ name: 'fail', arguments: { message: 'boom' } });
      assert.equal(failed.isError, true);
      assert.equal(textOf(failed), 'boom');

      const badArgs = await client.callTool({ name: 'add', arguments: { a: 'x', b: 1 } });
      assert.equal(badArgs.isError, true);

      const info = await client.readResource({ uri: 'mcpload://info' });
      const infoJson = JSON.parse((info.contents[0] as { text: string }).text) as { name: string; version: string };
      assert.equal(infoJson.name, 'mcpload-reference-server');
      assert.match(infoJson.version, /^\d+\.\d+\.\d+/);

      const item = await client.readResource({ uri: 'mcpload://items/42' });
      assert.equal(item.contents[0]!.uri, 'mcpload://items/42');
      assert.equal((JSON.parse((item.contents[0] as { text: string }).text) as { id: string }).id, '42');
      await assert.rejects(client.readResource({ uri: 'mcpload://items/no.such.item' }), /-32002/);

      const { resources } = await client.listResources();
      assert.ok(resources.some((r) => r.uri === 'mcpload://info'));
      const { resourceTemplates } = await client.listResourceTemplates();
      assert.ok(resourceTemplates.some((r) => r.uriTemplate === 'mcpload://items/{id}'));

      const prompt = await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
      const message = prompt.messages[0]!;
      assert.equal(message.role, 'user');
      assert.match((message.content as { text: string }).text, /Ada/);
    } finally {
      await transport.terminateSession();
      await client.close();
    }
  });

  it('sleep sends increasing progress notifications when asked', async () => {
    const { client, transport } = await connectClient(server);
    try {
      const seen: number[] = [];
      const result = await client.callTool({ name: 'sleep', arguments: { ms: 120 } }, undefined, {
        onprogress: (p) => seen.push(p.progress),
      });
      assert.equal(textOf(result), 'slept 120 ms');
      assert.ok(seen.length >= 2, `expected progress notifications, got ${seen.length}`);
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!, `progress must increase: ${seen.join(',')}`);
    } finally {
      await transport.terminateSession();
      await client.close();
    }
  });

  it('answers initialize as SSE with a random session id', async () => {
    const a = await rawInitialize(server);
    const b = await rawInitialize(server);
    assert.equal(a.res.status, 200);
    assert.match(a.res.headers.get('content-type') ?? '', /text\/event-stream/);
    assert.match(a.text, /^event: message\ndata: .*"protocolVersion"/m);
    // 24 random bytes in base64url: 192 bits, more than a UUIDv4's 122 (see the session.id-entropy probe check).
    assert.match(a.sessionId ?? '', /^[A-Za-z0-9_-]{32}$/);
    assert.notEqual(a.sessionId, b.sessionId);
    for (const id of [a.sessionId!, b.sessionId!]) {
      const del = await fetch(`${server.url}/mcp`, { method: 'DELETE', headers: { 'mcp-session-id': id } });
      assert.equal(del.status, 200);
    }
  });

  it('DELETE ends the session; later use gets 404', async () => {
    const { sessionId } = await rawInitialize(server);
    assert.ok(sessionId);
    const before = server.openSessions();
    const del = await fetch(`${server.url}/mcp`, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } });
    assert.equal(del.status, 200);
    assert.equal(server.openSessions(), before - 1);
    const after = await postMcp(server, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': sessionId });
    assert.equal(after.status, 404);
    assert.equal(((await after.json()) as { error: { code: number } }).error.code, -32001);
    const delAgain = await fetch(`${server.url}/mcp`, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } });
    assert.equal(delAgain.status, 404);
  });

  it('refuses a missing session id with 400 and a forged one with 404', async () => {
    const missing = await postMcp(server, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
    assert.equal(missing.status, 400);
    assert.equal(((await missing.json()) as { jsonrpc: string }).jsonrpc, '2.0');
    const forged = await postMcp(server, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': crypto.randomUUID() });
    assert.equal(forged.status, 404);
    await forged.text();
    const getWithout = await fetch(`${server.url}/mcp`, { headers: { accept: 'text/event-stream' } });
    assert.equal(getWithout.status, 400);
    await getWithout.text();
    const badJson = await fetch(`${server.url}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: '{"jsonrpc":' });
    assert.equal(badJson.status, 400);
    assert.equal(((await badJson.json()) as { error: { code: number } }).error.code, -32700);
  });
});

describe('reference server: JSON replies and stateless mode', () => {
  it('responseMode json answers with application/json', async () => {
    const server = await start({ responseMode: 'json' });
    try {
      const init = await rawInitialize(server);
      assert.equal(init.res.status, 200);
      assert.match(init.res.headers.get('content-type') ?? '', /application\/json/);
      assert.equal((JSON.parse(init.text) as { result: { serverInfo: { name: string } } }).result.serverInfo.name, 'mcpload-reference-server');
      const { client, transport } = await connectClient(server);
      const sum = await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
      assert.deepEqual(sum.structuredContent, { sum: 3 });
      await transport.terminateSession();
      await client.close();
    } finally {
      await server.close();
    }
  });

  it('stateless mode serves each request on its own and keeps no session', async () => {
    const server = await start({ stateless: true });
    try {
      const { client } = await connectClient(server);
      const sum = await client.callTool({ name: 'add', arguments: { a: 5, b: 6 } });
      assert.deepEqual(sum.structuredContent, { sum: 11 });
      await client.close();
      assert.equal(server.openSessions(), 0);
      // No initialize and no session id needed.
      const list = await postMcp(server, { jsonrpc: '2.0', id: 7, method: 'tools/list' });
      assert.equal(list.status, 200);
      assert.equal(list.headers.get('mcp-session-id'), null);
      assert.match(await list.text(), /"name":"add"/);
      const get = await fetch(`${server.url}/mcp`, { headers: { accept: 'text/event-stream' } });
      assert.equal(get.status, 405);
      await get.text();
    } finally {
      await server.close();
    }
  });
});

describe('reference server: guard and secure defaults', () => {
  async function probe(server: RunningReferenceServer, p: (typeof SECURITY_PROBES)[number]) {
    const res = await fetch(`${server.url}${p.path}`, {
      method: p.method,
      headers: p.body !== undefined ? { 'content-type': 'application/json' } : {},
      body: p.body !== undefined ? JSON.stringify(p.body) : undefined,
    });
    return { status: res.status, text: await res.text() };
  }

  it('refuses every security probe', async () => {
    const server = await start();
    try {
      for (const p of SECURITY_PROBES) {
        const { status, text } = await probe(server, p);
        assert.ok(REFUSED_STATUSES.includes(status), `${p.method} ${p.path} answered ${status}`);
        assert.ok(!text.includes('vulnerable'), `${p.method} ${p.path}: ${text}`);
      }
      // Sensitive paths hide (404); destructive methods are forbidden (403).
      assert.equal((await probe(server, { method: 'GET', path: '/admin' })).status, 404);
      assert.equal((await probe(server, { method: 'PUT', path: '/api/v1/tools/call', body: {} })).status, 403);
    } finally {
      await server.close();
    }
  });

  it('with guard off (test-only) the same probes get 200', async () => {
    const server = await start({ guard: false });
    try {
      for (const p of SECURITY_PROBES) {
        const { status, text } = await probe(server, p);
        assert.equal(status, 200, `${p.method} ${p.path}`);
        assert.deepEqual(JSON.parse(text), { ok: true, vulnerable: true });
      }
    } finally {
      await server.close();
    }
  });

  it('applies extra deny rules', async () => {
    const server = await start({ extraDenyRules: [{ path: '/internal', reason: 'test rule' }, { path: '/api/v1/mcp/discovery', methods: ['GET'], reason: 'closed' }] });
    try {
      assert.equal((await probe(server, { method: 'GET', path: '/internal/x' })).status, 404);
      assert.equal((await probe(server, { method: 'GET', path: '/api/v1/mcp/discovery' })).status, 403);
      assert.equal((await probe(server, { method: 'GET', path: '/api/v1/health' })).status, 200);
    } finally {
      await server.close();
    }
  });

  it('refuses a foreign Origin and a foreign Host, accepts loopback and allowed ones', async () => {
    const server = await start({ allowedOrigins: ['https://app.example.com'] });
    try {
      const status = async (origin: string) => {
        const res = await fetch(`${server.url}/api/v1/health`, { headers: { origin } });
        await res.text();
        return res.status;
      };
      assert.equal(await status('https://evil.example'), 403);
      assert.equal(await status('null'), 403);
      assert.equal(await status('http://localhost:3000'), 200);
      assert.equal(await status('http://127.0.0.1:8089'), 200);
      assert.equal(await status('https://app.example.com'), 200);
      const mcpForeign = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { ...MCP_HEADERS, origin: 'https://evil.example' }, body: JSON.stringify(INITIALIZE) });
      assert.equal(mcpForeign.status, 403);
      await mcpForeign.text();
      assert.equal(server.openSessions(), 0);

      assert.equal(await getWithHost(`${server.url}/api/v1/health`, 'evil.example'), 403);
      assert.equal(await getWithHost(`${server.url}/api/v1/health`, 'rebind.example:' + server.port), 403);
      assert.equal(await getWithHost(`${server.url}/api/v1/health`, `localhost:${server.port}`), 200);
    } finally {
      await server.close();
    }
  });

  it('refuses a body over maxBodyBytes with 413, declared or streamed', async () => {
    const server = await start({ maxBodyBytes: 1024 });
    try {
      const big = JSON.stringify({ ...INITIALIZE, params: { ...INITIALIZE.params, pad: 'x'.repeat(4096) } });
      const declared = await fetch(`${server.url}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: big });
      assert.equal(declared.status, 413);
      await declared.text();

      // A chunked body has no Content-Length: the bytes are counted as they come.
      const chunks = [Buffer.from(big.slice(0, 800)), Buffer.from(big.slice(800))];
      const streamed = await fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: MCP_HEADERS,
        body: new ReadableStream({
          pull(controller) {
            const next = chunks.shift();
            if (next) controller.enqueue(next);
            else controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      assert.equal(streamed.status, 413);
      await streamed.text();

      const rest = await fetch(`${server.url}/api/v1/tools/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'echo', arguments: { text: 'y'.repeat(2048) } }) });
      assert.equal(rest.status, 413);
      await rest.text();
      assert.equal(server.openSessions(), 0);

      // The server is still fine afterwards.
      const ok = await rawInitialize(server);
      assert.equal(ok.res.status, 200);
    } finally {
      await server.close();
    }
  });

  it('requires the bearer token everywhere but health, and never shows it', async () => {
    const token = 'tok-' + crypto.randomUUID();
    const server = await start({ authToken: token });
    const seen: string[] = [];
    const call = async (p: string, init: RequestInit = {}) => {
      const res = await fetch(`${server.url}${p}`, init);
      const text = await res.text();
      seen.push(text, JSON.stringify([...res.headers]));
      return { res, text };
    };
    try {
      const missing = await call('/api/v1/mcp/status');
      assert.equal(missing.res.status, 401);
      assert.match(missing.res.headers.get('www-authenticate') ?? '', /^Bearer .*resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource"/);

      const wrong = await call('/api/v1/mcp/status', { headers: { authorization: 'Bearer nope' } });
      assert.equal(wrong.res.status, 401);
      const almost = await call('/api/v1/mcp/status', { headers: { authorization: `Bearer ${token}x` } });
      assert.equal(almost.res.status, 401);

      const right = await call('/api/v1/mcp/status', { headers: { authorization: `Bearer ${token}` } });
      assert.equal(right.res.status, 200);

      const inQuery = await call(`/api/v1/mcp/status?access_token=${token}`);
      assert.equal(inQuery.res.status, 401);
      const inQueryWithHeader = await call(`/api/v1/mcp/status?access_token=${token}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(inQueryWithHeader.res.status, 401);

      assert.equal((await call('/api/v1/health')).res.status, 200);
      assert.equal((await call('/api/v1/mcp/health')).res.status, 200);

      const metadata = await call('/.well-known/oauth-protected-resource');
      assert.equal(metadata.res.status, 200);
      const doc = JSON.parse(metadata.text) as { resource: string; authorization_servers: unknown[]; bearer_methods_supported: string[] };
      assert.equal(doc.resource, `${server.url}/mcp`);
      assert.deepEqual(doc.authorization_servers, []);
      assert.deepEqual(doc.bearer_methods_supported, ['header']);

      const mcpNoToken = await call('/mcp', { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify(INITIALIZE) });
      assert.equal(mcpNoToken.res.status, 401);
      assert.equal(server.openSessions(), 0);

      const { client, transport } = await connectClient(server, { authorization: `Bearer ${token}` });
      const sum = await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
      assert.deepEqual(sum.structuredContent, { sum: 2 });
      await transport.terminateSession();
      await client.close();

      for (const text of seen) assert.ok(!text.includes(token), 'the token must never appear in a reply');
    } finally {
      await server.close();
    }
  });
});

describe('reference server: bounded session table', () => {
  it('never holds more than maxSessions; the rest get 503 with Retry-After', async () => {
    const server = await start({ maxSessions: 50 });
    try {
      const statuses = new Map<number, number>();
      let peak = 0;
      let retryAfter: string | null = null;
      for (let batch = 0; batch < 20; batch++) {
        const results = await Promise.all(Array.from({ length: 10 }, () => rawInitialize(server)));
        for (const { res } of results) {
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 503) retryAfter = res.headers.get('retry-after');
        }
        peak = Math.max(peak, server.openSessions());
      }
      assert.equal(peak, 50);
      assert.equal(statuses.get(200), 50);
      assert.equal(statuses.get(503), 150);
      assert.match(retryAfter ?? '', /^[1-9]\d*$/);

      // Still full: one more initialize gets no session.
      const { sessionId } = await rawInitialize(server);
      assert.equal(sessionId, null);
      const status = await fetch(`${server.url}/api/v1/mcp/status`);
      assert.equal(((await status.json()) as { openSessions: number }).openSessions, 50);
    } finally {
      await server.close();
    }
  });

  it('frees a slot when a session is deleted', async () => {
    const server = await start({ maxSessions: 2 });
    try {
      const a = await rawInitialize(server);
      await rawInitialize(server);
      assert.equal((await rawInitialize(server)).res.status, 503);
      const del = await fetch(`${server.url}/mcp`, { method: 'DELETE', headers: { 'mcp-session-id': a.sessionId! } });
      assert.equal(del.status, 200);
      assert.equal((await rawInitialize(server)).res.status, 200);
      assert.equal(server.openSessions(), 2);
    } finally {
      await server.close();
    }
  });

  it('closes sessions left idle for sessionIdleMs', async () => {
    const server = await start({ sessionIdleMs: 300 });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await rawInitialize(server)).sessionId!);
      assert.equal(server.openSessions(), 5);
      await until(() => `every session closed (still open: ${server.openSessions()})`, () => server.openSessions() === 0, { timeoutMs: 5000, everyMs: 50 });
      const late = await postMcp(server, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': ids[0]! });
      assert.equal(late.status, 404);
      await late.text();
    } finally {
      await server.close();
    }
  });

  it('does not expire a session while one of its calls is running', async () => {
    const server = await start({ sessionIdleMs: 200 });
    try {
      const { client, transport } = await connectClient(server);
      // A session closed under the call would leave it unanswered: the timeout makes that a quick failure.
      const result = await client.callTool({ name: 'sleep', arguments: { ms: 700 } }, undefined, { timeout: 5000 });
      assert.equal(textOf(result), 'slept 700 ms');
      // The session is still there right after its slow call ended.
      const sum = await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
      assert.deepEqual(sum.structuredContent, { sum: 3 });
      await transport.terminateSession();
      await client.close();
    } finally {
      await server.close();
    }
  });
});

describe('reference server: REST face', () => {
  let server: RunningReferenceServer;
  before(async () => {
    server = await start();
  });
  after(() => server.close());

  async function get(p: string) {
    const res = await fetch(`${server.url}${p}`);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  async function callTool(body: string) {
    const res = await fetch(`${server.url}/api/v1/tools/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('status, health and discovery', async () => {
    const status = await get('/api/v1/mcp/status');
    assert.equal(status.status, 200);
    assert.equal(status.body.name, 'mcpload-reference-server');
    assert.equal(status.body.stateless, false);
    assert.equal(typeof status.body.uptimeSeconds, 'number');
    assert.equal(typeof status.body.openSessions, 'number');
    assert.deepEqual(status.body.counts, { tools: 5, resources: 1, resourceTemplates: 1, prompts: 1 });

    assert.deepEqual(await get('/api/v1/health'), { status: 200, body: { status: 'ok' } });
    assert.deepEqual(await get('/api/v1/mcp/health'), { status: 200, body: { status: 'ok' } });

    const discovery = await get('/api/v1/mcp/discovery');
    assert.equal(discovery.status, 200);
    const tools = discovery.body.tools as { name: string; inputSchema: { type: string; required?: string[] }; outputSchema?: unknown; annotations?: { readOnlyHint?: boolean } }[];
    assert.deepEqual(tools.map((t) => t.name).sort(), ['add', 'echo', 'fail', 'long_job', 'sleep']);
    const add = tools.find((t) => t.name === 'add')!;
    assert.equal(add.inputSchema.type, 'object');
    assert.deepEqual(add.inputSchema.required, ['a', 'b']);
    assert.ok(add.outputSchema);
    assert.equal(add.annotations?.readOnlyHint, true);
    assert.deepEqual((discovery.body.resources as { uri: string }[]).map((r) => r.uri), ['mcpload://info']);
    assert.deepEqual((discovery.body.resourceTemplates as { uriTemplate: string }[]).map((r) => r.uriTemplate), ['mcpload://items/{id}']);
    assert.deepEqual(discovery.body.prompts, [
      { name: 'greet', title: 'Greeting', description: 'Asks the model to greet someone by name.', arguments: [{ name: 'name', description: 'who to greet', required: true }] },
    ]);
  });

  it('tools/call runs the shared tool definitions', async () => {
    const add = await callTool(JSON.stringify({ name: 'add', arguments: { a: 20, b: 22 } }));
    assert.equal(add.status, 200);
    assert.deepEqual(add.body, { content: [{ type: 'text', text: '42' }], structuredContent: { sum: 42 } });
    const fail = await callTool(JSON.stringify({ name: 'fail', arguments: {} }));
    assert.equal(fail.status, 200);
    assert.equal(fail.body.isError, true);
    const echo = await callTool(JSON.stringify({ name: 'echo', arguments: { text: 'hi' } }));
    assert.deepEqual(echo.body.content, [{ type: 'text', text: 'hi' }]);

    assert.equal((await callTool(JSON.stringify({ name: 'nope', arguments: {} }))).status, 404);
    assert.equal((await callTool('{not json')).status, 400);
    assert.equal((await callTool(JSON.stringify({ arguments: {} }))).status, 400);
    const badArgs = await callTool(JSON.stringify({ name: 'add', arguments: { a: 'one' } }));
    assert.equal(badArgs.status, 400);
    assert.equal(badArgs.body.error, 'invalid arguments');
  });

  it('resources by path; anything else is a JSON 404', async () => {
    const info = await get('/api/v1/resources/info');
    assert.equal(info.status, 200);
    const infoContents = info.body.contents as { uri: string; text: string }[];
    assert.equal(infoContents[0]!.uri, 'mcpload://info');
    assert.equal((JSON.parse(infoContents[0]!.text) as { name: string }).name, 'mcpload-reference-server');

    const item = await get('/api/v1/resources/items/42');
    assert.equal(item.status, 200);
    assert.equal((item.body.contents as { uri: string }[])[0]!.uri, 'mcpload://items/42');

    assert.equal((await get('/api/v1/resources/nothing-here')).status, 404);
    assert.equal((await get('/api/v1/resources/')).status, 404);
    assert.equal((await get('/api/v1/nope')).status, 404);
    assert.equal((await get('/')).status, 404);
    assert.equal((await get('/.well-known/oauth-protected-resource')).status, 404);
  });
});

describe('runServe', () => {
  it('prints one ready line on stdout, applies the config file, and exits 0 on SIGTERM', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mcpload-serve-'));
    try {
      const config = path.join(dir, 'serve.json');
      await writeFile(config, JSON.stringify({ deny: [{ path: '/internal', reason: 'test' }], maxSessions: 3 }));
      const script = `import('./src/server/serve-command.ts').then((m) => m.runServe({ port: 0, configFile: ${JSON.stringify(config)} })).catch((e) => { console.error(e.message); process.exit(2); })`;
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        const lines = createInterface({ input: child.stdout });
        const firstLine = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ready line; stderr: ${stderr}`)), 15_000);
          lines.once('line', (line) => {
            clearTimeout(timer);
            resolve(line);
          });
        });
        lines.on('line', (line) => (stdout += line + '\n'));
        const match = /^mcpload reference server listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(firstLine);
        assert.ok(match, firstLine);
        const url = match[1]!;
        const health = await fetch(`${url}/api/v1/health`);
        assert.equal(health.status, 200);
        await health.text();
        const denied = await fetch(`${url}/internal/thing`);
        assert.equal(denied.status, 404);
        await denied.text();
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          const res = await fetch(`${url}/mcp`, { method: 'POST', headers: MCP_HEADERS, body: JSON.stringify(INITIALIZE) });
          statuses.push(res.status);
          await res.text();
        }
        assert.deepEqual(statuses, [200, 200, 200, 503]);
      } finally {
        child.kill('SIGTERM');
      }
      assert.equal(await exited, 0, `stderr: ${stderr}`);
      assert.equal(stdout, '', 'nothing but the ready line on stdout');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a bad config file with a one-line message', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'mcpload-serve-'));
    try {
      const notJson = path.join(dir, 'a.json');
      await writeFile(notJson, '{ deny: ');
      await assert.rejects(runServe({ port: 0, quiet: true, configFile: notJson }), (err: Error) => /not valid JSON/.test(err.message) && !err.message.includes('\n'));
      const badRule = path.join(dir, 'b.json');
      await writeFile(badRule, JSON.stringify({ deny: [{ path: 'internal', reason: 'x' }] }));
      await assert.rejects(runServe({ port: 0, quiet: true, configFile: badRule }), /deny\.0\.path/);
      const typo = path.join(dir, 'c.json');
      await writeFile(typo, JSON.stringify({ maxSession: 5 }));
      await assert.rejects(runServe({ port: 0, quiet: true, configFile: typo }), /maxSession/);
      await assert.rejects(runServe({ port: 0, quiet: true, configFile: path.join(dir, 'missing.json') }), /cannot read config file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

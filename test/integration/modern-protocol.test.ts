/**
 * The stateless 2026-07-28 revision, both ends: the reference server's
 * dual-era `/mcp` (raw HTTP, checked against the spec's rules) and
 * mcpload's client speaking it (server/discover, _meta, routing headers,
 * multi round-trip requests), then the CLI.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Recorder, SampleError } from '../../src/metrics/sample.js';
import type { RunResult } from '../../src/reporters/json.js';
import { startReferenceServer, type RunningReferenceServer } from '../../src/server/reference-server.js';
import { createDispatcher } from '../../src/transports/http-pool.js';
import { McpHttpClient } from '../../src/transports/mcp-http.js';
import { runCli } from './cli-helpers.js';

const VERSION = '2026-07-28';
const META = {
  'io.modelcontextprotocol/protocolVersion': VERSION,
  'io.modelcontextprotocol/clientInfo': { name: 'modern-test', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

interface Sample { type: string; name: string; error: SampleError | undefined }
function recorder(): Recorder & { samples: Sample[] } {
  const samples: Sample[] = [];
  return { samples, record: (type, name, _us, _bytes, error) => samples.push({ type, name, error }), exception: () => undefined };
}

function post(server: RunningReferenceServer, body: object, headers: Record<string, string>): Promise<Response> {
  return fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

/** The JSON-RPC message of a reply, JSON or the last SSE event. */
async function messageOf(res: Response): Promise<any> {
  const text = await res.text();
  if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) return JSON.parse(text);
  const events = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
  return events.at(-1);
}

const routed = (method: string, name?: string): Record<string, string> => ({
  'mcp-protocol-version': VERSION, 'mcp-method': method, ...(name === undefined ? {} : { 'mcp-name': name }),
});

describe('reference server: the stateless 2026-07-28 revision on the same endpoint', () => {
  let server: RunningReferenceServer;
  before(async () => { server = await startReferenceServer({ port: 0, quiet: true }); });
  after(async () => { await server.close(); });

  it('answers server/discover with its versions and capabilities, and serves calls with no handshake and no session', async () => {
    const discover = await post(server, { jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: META } }, routed('server/discover'));
    assert.equal(discover.status, 200);
    assert.equal(discover.headers.get('mcp-session-id'), null);
    const found = await messageOf(discover);
    assert.equal(found.result.resultType, 'complete');
    assert.deepEqual(found.result.supportedVersions.slice(0, 2), [VERSION, '2025-11-25']);
    assert.ok(found.result.capabilities.tools && found.result.capabilities.prompts);

    const call = await post(server, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add', arguments: { a: 2, b: 3 }, _meta: META } },
      routed('tools/call', 'add'));
    assert.equal(call.status, 200);
    assert.equal(call.headers.get('mcp-session-id'), null);
    const answer = await messageOf(call);
    assert.deepEqual([answer.id, answer.result.resultType, answer.result.structuredContent], [1, 'complete', { sum: 5 }]);

    const note = await post(server, { jsonrpc: '2.0', method: 'notifications/whatever', params: { _meta: META } }, routed('notifications/whatever'));
    assert.equal(note.status, 202);
  });

  it('streams progress before the result when asked, on the call\'s own stream', async () => {
    const res = await post(server, {
      jsonrpc: '2.0', id: 'c1', method: 'tools/call', params: { name: 'sleep', arguments: { ms: 40 }, _meta: { ...META, progressToken: 't' } },
    }, routed('tools/call', 'sleep'));
    const text = await res.text();
    const events = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
    assert.ok(events.length >= 2, text);
    assert.ok(events.slice(0, -1).every((e) => e.method === 'notifications/progress' && e.params.progressToken === 't'));
    assert.equal(events.at(-1).id, 'c1');
  });

  it('refuses what the spec says to refuse, each with its code', async () => {
    const cases: Array<[string, object, Record<string, string>, number, number]> = [
      ['Mcp-Method differs from the body', { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } }, routed('prompts/list'), 400, -32020],
      ['Mcp-Name differs from the body', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add', arguments: {}, _meta: META } }, routed('tools/call', 'echo'), 400, -32020],
      ['Mcp-Name is missing', { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'mcpload://info', _meta: META } }, routed('resources/read'), 400, -32020],
      ['no MCP-Protocol-Version header', { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } }, { 'mcp-method': 'tools/list' }, 400, -32020],
      ['an unknown version', { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } } },
        { ...routed('tools/list'), 'mcp-protocol-version': '2099-01-01' }, 400, -32022],
      ['no clientCapabilities', { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': VERSION } } }, routed('tools/list'), 400, -32602],
      ['an unknown method', { jsonrpc: '2.0', id: 1, method: 'no/such', params: { _meta: META } }, routed('no/such'), 404, -32601],
      ['initialize', { jsonrpc: '2.0', id: 1, method: 'initialize', params: { _meta: META } }, routed('initialize'), 404, -32601],
    ];
    for (const [what, body, headers, status, code] of cases) {
      const res = await post(server, body, headers);
      const message = await messageOf(res);
      assert.deepEqual([res.status, message.error?.code], [status, code], what);
      if (code === -32022) assert.deepEqual(message.error.data, { supported: [VERSION, '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'], requested: '2099-01-01' });
    }
    // A header-safe encoding is decoded before comparing.
    const encoded = await post(server, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add', arguments: { a: 1, b: 1 }, _meta: META } },
      routed('tools/call', `=?base64?${Buffer.from('add').toString('base64')}?=`));
    assert.equal((await messageOf(encoded)).result.structuredContent.sum, 2);
  });

  it('still serves legacy clients on the same endpoint', async () => {
    const client = new Client({ name: 'legacy', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`));
    await client.connect(transport);
    assert.ok(transport.sessionId);
    const tools = await client.listTools();
    assert.ok(tools.tools.some((t) => t.name === 'add'));
    await transport.terminateSession();
    await client.close();
  });

  it('mcpload\'s client: server/discover instead of a handshake, routed requests, MRTR rounds, no DELETE', async () => {
    const dispatcher = createDispatcher();
    try {
      const rec = recorder();
      const c = new McpHttpClient({
        url: `${server.url}/mcp`, recorder: rec, dispatcher, protocolVersion: VERSION,
        serverRequests: { sampling: () => ({ role: 'assistant', content: { type: 'text', text: 'forty-two' }, model: 'm', stopReason: 'endTurn' }) },
      });
      assert.equal(await c.initialize(), true);
      assert.equal(c.sessionId, undefined);
      assert.ok(c.serverCapabilities?.tools);
      assert.deepEqual(rec.samples, [{ type: 'server/discover', name: '/mcp', error: undefined }]);

      const add = await c.callTool('add', { a: 1, b: 2 });
      assert.ok(add.ok && add.result.structuredContent.sum === 3);
      const read = await c.readResource('mcpload://info');
      assert.ok(read.ok);
      const progress = await c.callTool('sleep', { ms: 30 }, { progress: true });
      assert.ok(progress.ok);
      assert.ok(rec.samples.some((s) => s.type === 'first progress' && s.name === 'sleep'));

      // The tool asks for a completion: round 1 gets input_required, round 2 carries the answer.
      const sampled = await c.callTool('test_sampling', { prompt: 'meaning?' });
      assert.ok(sampled.ok, JSON.stringify(sampled));
      assert.match(sampled.result.content[0].text, /forty-two/);
      assert.deepEqual(rec.samples.filter((s) => s.type === 'tools/call' && s.name.startsWith('test_sampling')).map((s) => [s.name, s.error]),
        [['test_sampling', undefined], ['test_sampling (round 2)', undefined]]);

      // No elicitation capability declared: the server says which one it needs.
      const elicited = await c.callTool('test_elicitation', { message: 'name?' });
      assert.deepEqual(elicited.ok ? undefined : elicited.error.detail, '-32021 Missing required client capability: elicitation');

      await c.close();
      assert.equal(rec.samples.filter((s) => s.type === 'DELETE').length, 0);
      assert.deepEqual(rec.samples.filter((s) => s.type === 'initialize' || s.type === 'notifications/initialized'), []);
    } finally {
      await dispatcher.destroy();
    }
  });

  it('mcpload\'s client names a refusal by its JSON-RPC error', async () => {
    const dispatcher = createDispatcher();
    try {
      const rec = recorder();
      const c = new McpHttpClient({ url: `${server.url}/mcp`, recorder: rec, dispatcher, protocolVersion: VERSION });
      const out = await c.request('no/such/method');
      assert.deepEqual(out, { ok: false, error: { kind: 'http', detail: '-32601 Method not found (HTTP 404)' } });
    } finally {
      await dispatcher.destroy();
    }
  });
});

describe('mcpload run --protocol-version 2026-07-28', () => {
  let dir = '';
  before(async () => { dir = await mkdtemp(path.join(tmpdir(), 'mcpload-modern-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('runs the discovery scenario statelessly against the embedded server', async () => {
    const json = path.join(dir, 'modern.json');
    const r = await runCli(['run', '--headless', '--scenario', 'discover', '--protocol-version', VERSION, '--tools', 'add,echo,test_sampling',
      '-u', '3', '-r', '3', '-t', '3s', '--stop-timeout', '1s', '--print-interval', '0', '--json', json]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const result = JSON.parse(await readFile(json, 'utf8')) as RunResult;
    const types = new Set(result.snapshot.entries.map((e) => e.type));
    assert.ok(types.has('server/discover') && types.has('tools/call'), [...types].join(','));
    assert.ok(!types.has('initialize') && !types.has('DELETE'), [...types].join(','));
    assert.deepEqual(result.snapshot.entries.filter((e) => e.failures > 0).map((e) => `${e.type} ${e.name}`), []);
  });

  it('refuses it over --stdio in one line', async () => {
    const r = await runCli(['run', '--headless', '--stdio', 'node -e 0', '--protocol-version', VERSION, '-u', '1', '-t', '1s']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /Streamable HTTP only/);
  });
});

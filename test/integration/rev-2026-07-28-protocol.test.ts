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
import type { RunResult } from '../../src/report/run-result.js';
import { startReferenceServer, type RunningReferenceServer } from '../../src/server/reference-server.js';
import { createDispatcher } from '../../src/transports/http-pool.js';
import { McpHttpClient } from '../../src/transports/mcp-http.js';
import { runCli } from './cli-helpers.js';

const VERSION = '2026-07-28';
const META = {
  'io.modelcontextprotocol/protocolVersion': VERSION,
  'io.modelcontextprotocol/clientInfo': { name: 'stateless-test', version: '1' },
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

  it('puts caching hints on discover, the lists and reads; a resource that changes on a clock says when', async () => {
    const cases: Array<[string, Record<string, unknown>, string?]> = [
      ['server/discover', {}], ['tools/list', {}], ['prompts/list', {}], ['resources/list', {}], ['resources/templates/list', {}],
      ['resources/read', { uri: 'mcpload://info' }, 'mcpload://info'],
    ];
    for (const [method, params, name] of cases) {
      const result = (await messageOf(await post(server, { jsonrpc: '2.0', id: 1, method, params: { ...params, _meta: META } }, routed(method, name)))).result;
      assert.deepEqual([result.resultType, result.ttlMs, result.cacheScope], ['complete', 60_000, 'public'], method);
    }
    const watched = 'test://watched-resource';
    const read = (await messageOf(await post(server, { jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: watched, _meta: META } }, routed('resources/read', watched)))).result;
    assert.ok(Number.isInteger(read.ttlMs) && read.ttlMs >= 0 && read.ttlMs <= 3_000, String(read.ttlMs));
    // Results that are not cacheable carry none.
    const call = (await messageOf(await post(server, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' }, _meta: META } }, routed('tools/call', 'echo')))).result;
    assert.deepEqual([call.ttlMs, call.cacheScope], [undefined, undefined]);
  });

  it('answers the methods 2026-07-28 removed, and a _meta without its version, as the spec says', async () => {
    for (const method of ['ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe']) {
      const res = await post(server, { jsonrpc: '2.0', id: 7, method, params: { uri: 'test://watched-resource', level: 'info', _meta: META } }, routed(method));
      const message = await messageOf(res);
      assert.deepEqual([res.status, message.id, message.error?.code], [404, 7, -32601], method);
    }
    for (const params of [{}, { _meta: { 'io.modelcontextprotocol/clientCapabilities': {} } }]) {
      const res = await post(server, { jsonrpc: '2.0', id: 8, method: 'server/discover', params }, routed('server/discover'));
      assert.deepEqual([res.status, (await messageOf(res)).error?.code], [400, -32602], JSON.stringify(params));
    }
  });

  it('refuses a missing client capability with 400 and -32021 even when the client accepts a stream', async () => {
    for (const [name, needed] of [['test_missing_capability', 'sampling'], ['test_sampling', 'sampling'], ['test_input_required_result_elicitation', 'elicitation']] as const) {
      const res = await post(server, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name, arguments: { prompt: 'p' }, _meta: META } }, routed('tools/call', name));
      const message = await messageOf(res);
      assert.deepEqual([res.status, message.error?.code, message.error?.data], [400, -32021, { requiredCapabilities: { [needed]: {} } }], name);
    }
  });

  it('runs multi round-trip requests with a sealed requestState that refuses tampering and other targets', async () => {
    const meta = { ...META, 'io.modelcontextprotocol/clientCapabilities': { elicitation: {} } };
    const call = async (name: string, extra: Record<string, unknown>): Promise<{ status: number; message: any }> => {
      const res = await post(server, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name, arguments: {}, _meta: meta, ...extra } }, routed('tools/call', name));
      return { status: res.status, message: await messageOf(res) };
    };
    const name = 'test_input_required_result_multi_round';
    const r1 = (await call(name, {})).message.result;
    assert.deepEqual([r1.resultType, Object.keys(r1.inputRequests)], ['input_required', ['step1']]);
    const r2 = (await call(name, { inputResponses: { step1: { action: 'accept', content: { name: 'Ada' } } }, requestState: r1.requestState })).message.result;
    assert.deepEqual([r2.resultType, Object.keys(r2.inputRequests)], ['input_required', ['step2']]);
    assert.notEqual(r2.requestState, r1.requestState);
    const r3 = (await call(name, { inputResponses: { step2: { action: 'accept', content: { color: 'blue' } } }, requestState: r2.requestState })).message.result;
    assert.deepEqual([r3.resultType, r3.content[0].text], ['complete', 'Ada likes blue']);

    const answer = { step2: { action: 'accept', content: { color: 'red' } } };
    for (const [what, state, tool] of [['altered', `${r2.requestState}x`, name], ['made for another tool', r2.requestState, 'test_input_required_result_request_state']]) {
      const { status, message } = await call(tool, { inputResponses: answer, requestState: state });
      assert.deepEqual([status, message.error?.code], [400, -32602], what);
    }
    const bad = await call('test_input_required_result_elicitation', { inputResponses: { user_name: 12345 } });
    assert.deepEqual([bad.status, bad.message.error?.code], [400, -32602]);
  });

  it('checks Mcp-Param headers against the arguments of a tool that marks them x-mcp-header', async () => {
    const name = 'test_custom_header_tool';
    const call = (region: string, headers: Record<string, string>): Promise<Response> =>
      post(server, { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name, arguments: { region }, _meta: META } }, { ...routed('tools/call', name), ...headers });
    const ok = await call('Région', { 'mcp-param-region': `=?base64?${Buffer.from('Région').toString('base64')}?=` });
    assert.equal((await messageOf(ok)).result.content[0].text, 'region=Région');
    for (const [what, headers] of [['missing', {}], ['different', { 'mcp-param-region': 'eu' }], ['bad padding', { 'mcp-param-region': '=?base64?SGVsbG8?=' }]] as const) {
      const res = await call('Hello', headers);
      assert.deepEqual([res.status, (await messageOf(res)).error?.code], [400, -32020], what);
    }
  });

  it('keeps each request\'s log level to itself', async () => {
    const logs = async (level?: string): Promise<number> => {
      const meta = level === undefined ? META : { ...META, 'io.modelcontextprotocol/logLevel': level };
      const res = await post(server, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'test_logging_tool', arguments: {}, _meta: meta } }, routed('tools/call', 'test_logging_tool'));
      return (await res.text()).split('\n').filter((l) => l.includes('notifications/message')).length;
    };
    assert.deepEqual([await logs('debug'), await logs(), await logs('error'), await logs('info')], [1, 0, 0, 1]);
  });

  it('opens subscriptions/listen streams: acknowledged first, only what the filter asked for, tagged with the subscription id', async () => {
    const controller = new AbortController();
    const listen = (id: number, notifications: object): Promise<Response> => fetch(`${server.url}/mcp`, {
      method: 'POST', signal: controller.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...routed('subscriptions/listen') },
      body: JSON.stringify({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params: { _meta: META, notifications } }),
    });
    /** Reads a stream's events: each call returns the next `count`. */
    const reader = (res: Response): ((count: number) => Promise<any[]>) => {
      const stream = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      const queue: any[] = [];
      let buffer = '';
      return async (count) => {
        while (queue.length < count) {
          const { value, done } = await stream.read();
          if (done) break;
          buffer += value;
          const lines = buffer.split('\n');
          buffer = lines.pop()!;
          for (const l of lines) if (l.startsWith('data: ')) queue.push(JSON.parse(l.slice(6)));
        }
        return queue.splice(0, count);
      };
    };
    try {
      const tools = reader(await listen(21, { toolsListChanged: true }));
      const watched = reader(await listen(22, { promptsListChanged: true, resourceSubscriptions: ['test://watched-resource'], unknownKind: true }));
      const [ack] = await tools(1);
      assert.deepEqual([ack.method, ack.params.notifications, ack.params._meta['io.modelcontextprotocol/subscriptionId']],
        ['notifications/subscriptions/acknowledged', { toolsListChanged: true }, 21]);
      const [ack2] = await watched(1);
      assert.deepEqual(ack2.params.notifications, { promptsListChanged: true, resourceSubscriptions: ['test://watched-resource'] });
      const trigger = await post(server, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'test_trigger_tool_change', arguments: {}, _meta: META } },
        routed('tools/call', 'test_trigger_tool_change'));
      assert.equal(trigger.status, 200);
      await trigger.text();
      const [changed] = await tools(1);
      assert.deepEqual([changed.method, changed.params._meta['io.modelcontextprotocol/subscriptionId']], ['notifications/tools/list_changed', 21]);
      // The watched resource changes every 3 s: its update comes, the tools change never does (not asked for).
      const [updated] = await watched(1);
      assert.deepEqual([updated.method, updated.params.uri, updated.params._meta['io.modelcontextprotocol/subscriptionId']],
        ['notifications/resources/updated', 'test://watched-resource', 22]);
    } finally {
      controller.abort();
    }
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
      assert.deepEqual(elicited.ok ? undefined : elicited.error.detail, '-32021 Missing required client capability: elicitation (HTTP 400)');

      await c.close();
      assert.equal(rec.samples.filter((s) => s.type === 'DELETE').length, 0);
      assert.deepEqual(rec.samples.filter((s) => s.type === 'initialize' || s.type === 'notifications/initialized'), []);
    } finally {
      await dispatcher.destroy();
    }
  });

  it('lists the tools once before the first tools/call, so x-mcp-header arguments go out as Mcp-Param headers', async () => {
    // A server of its own: the annotations are learnt per endpoint, and nothing may have listed this one yet.
    const fresh = await startReferenceServer({ port: 0, quiet: true });
    const dispatcher = createDispatcher();
    try {
      const rec = recorder();
      const clients = [1, 2, 3].map(() => new McpHttpClient({ url: `${fresh.url}/mcp`, recorder: rec, dispatcher, protocolVersion: VERSION }));
      const outs = await Promise.all(clients.map((c) => c.callTool('test_custom_header_tool', { region: 'eu-west', query: 'q' })));
      assert.deepEqual(outs.map((o) => (o.ok ? o.result.content[0].text : o.error.detail)), Array(3).fill('region=eu-west, query=q'));
      assert.deepEqual(rec.samples.map((s) => s.type), ['tools/list', 'tools/call', 'tools/call', 'tools/call']);
    } finally {
      await dispatcher.destroy();
      await fresh.close();
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
  before(async () => { dir = await mkdtemp(path.join(tmpdir(), 'mcpload-stateless-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('runs the discovery scenario statelessly against the embedded server', async () => {
    const json = path.join(dir, 'stateless.json');
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

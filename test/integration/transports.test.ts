// node-matrix: the clients on undici and node:http sockets against real servers
/**
 * The MCP and REST clients against real servers on loopback: the official
 * SDK's server in its three modes, a hand-written misbehaving server for
 * what a real server cannot be made to do, a plain REST server, and a
 * closed port.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import type { Dispatcher } from 'undici';
import type { Recorder, SampleError } from '../../src/metrics/sample.js';
import { createDispatcher } from '../../src/transports/http-pool.js';
import { McpHttpClient } from '../../src/transports/mcp-http.js';
import { RestClient } from '../../src/transports/rest.js';
import { readSseReply } from '../../src/transports/sse.js';

interface Sample { type: string; name: string; latencyUs: number; bytes: number; error: SampleError | undefined }

class TestRecorder implements Recorder {
  readonly samples: Sample[] = [];
  readonly exceptions: { err: unknown; where: string }[] = [];
  record(type: string, name: string, latencyUs: number, bytes: number, error?: SampleError): void {
    this.samples.push({ type, name, latencyUs, bytes, error });
  }
  exception(err: unknown, where: string): void {
    this.exceptions.push({ err, where });
  }
  last(): Sample {
    const s = this.samples.at(-1);
    assert.ok(s, 'a sample was recorded');
    return s;
  }
  ofType(type: string): Sample[] {
    return this.samples.filter((s) => s.type === type);
  }
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function stop(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function readJson(req: http.IncomingMessage): Promise<any> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8');
      try { resolve(text.length > 0 ? JSON.parse(text) : undefined); } catch (err) { reject(err); }
    });
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------
// A real MCP server, built with the official SDK.

function buildMcpServer(): McpServer {
  const mcp = new McpServer({ name: 'transport-test', version: '1.0.0' }, { capabilities: { logging: {} } });
  mcp.registerTool('add', {
    description: 'adds two numbers',
    inputSchema: { a: z.number(), b: z.number() },
    outputSchema: { sum: z.number() },
  }, async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }], structuredContent: { sum: a + b } }));
  mcp.registerTool('fail', { description: 'always fails' }, async () => ({
    content: [{ type: 'text', text: '  deliberate failure\n   for testing  ' }],
    isError: true,
  }));
  mcp.registerTool('chatty', { description: 'logs before answering' }, async (extra) => {
    await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: 'working' } });
    return { content: [{ type: 'text', text: 'done' }] };
  });
  mcp.registerResource('greeting', 'test://greeting', { mimeType: 'text/plain' }, async (uri) => ({
    contents: [{ uri: uri.href, text: 'hello' }],
  }));
  mcp.registerPrompt('hello', { argsSchema: { who: z.string() } }, ({ who }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `hello ${who}` } }],
  }));
  return mcp;
}

type SdkMode = 'stateful-sse' | 'stateful-json' | 'stateless';

interface SdkServer {
  url: string;
  /** Headers of the last request, as the server saw them. */
  lastHeaders: http.IncomingHttpHeaders | undefined;
  /** Ends every session on the server side, as an idle expiry would. */
  expireSessions(): Promise<void>;
  close(): Promise<void>;
}

async function startSdkServer(mode: SdkMode): Promise<SdkServer> {
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const state: SdkServer = {
    url: '',
    lastHeaders: undefined,
    async expireSessions() {
      for (const t of [...sessions.values()]) await t.close();
    },
    async close() {
      await this.expireSessions();
      await stop(server);
    },
  };
  const server = http.createServer((req, res) => {
    state.lastHeaders = req.headers;
    void handle(req, res).catch(() => { if (!res.headersSent) res.writeHead(500).end(); });
  });
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (mode === 'stateless') {
      const mcp = buildMcpServer();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => { void transport.close(); void mcp.close(); });
      await mcp.connect(transport);
      await transport.handleRequest(req, res);
      return;
    }
    const sid = req.headers['mcp-session-id'];
    if (typeof sid === 'string') {
      const known = sessions.get(sid);
      if (known === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } }));
        return;
      }
      await known.handleRequest(req, res);
      return;
    }
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      enableJsonResponse: mode === 'stateful-json',
      onsessioninitialized: (id) => { sessions.set(id, transport); },
    });
    transport.onclose = () => { if (transport.sessionId) sessions.delete(transport.sessionId); };
    await buildMcpServer().connect(transport);
    await transport.handleRequest(req, res);
  }
  const port = await listen(server);
  state.url = `http://127.0.0.1:${port}/mcp`;
  return state;
}

/** No test may hang the run: each suite has a hard limit. */
const SUITE = { timeout: 15_000 };

let dispatcher: Dispatcher;
before(() => { dispatcher = createDispatcher({ connectTimeoutMs: 2000 }); });
after(async () => { await dispatcher.close(); });

for (const mode of ['stateful-sse', 'stateful-json', 'stateless'] as const) {
  describe(`McpHttpClient against the SDK server (${mode})`, SUITE, () => {
    let server: SdkServer;
    before(async () => { server = await startSdkServer(mode); });
    after(async () => { await server.close(); });

    function client(rec: TestRecorder): McpHttpClient {
      return new McpHttpClient({ url: server.url, recorder: rec, dispatcher, headers: { Authorization: 'Bearer t0ken' } });
    }

    it('initializes, then echoes the session id and protocol version', async () => {
      const rec = new TestRecorder();
      const c = client(rec);
      assert.equal(await c.initialize(), true);
      assert.equal(c.initialized, true);
      if (mode === 'stateless') assert.equal(c.sessionId, undefined);
      else assert.match(c.sessionId ?? '', /^[0-9a-f-]{36}$/);
      assert.deepEqual(rec.samples.map((s) => [s.type, s.name, s.error]), [
        ['initialize', '/mcp', undefined],
        ['notifications/initialized', '/mcp', undefined],
      ]);
      assert.ok(rec.samples[0]!.bytes > 0 && rec.samples[0]!.latencyUs > 0);
      assert.equal(c.negotiatedProtocolVersion, '2025-11-25');

      assert.equal((await c.ping()).ok, true);
      assert.equal(server.lastHeaders?.['mcp-protocol-version'], '2025-11-25');
      assert.equal(server.lastHeaders?.['mcp-session-id'], c.sessionId);
      assert.equal(server.lastHeaders?.authorization, 'Bearer t0ken');
      await c.close();
    });

    it('lists and calls tools, with validation, tool errors and JSON-RPC errors', async () => {
      const rec = new TestRecorder();
      const c = client(rec);
      assert.ok(await c.initialize());

      const tools = await c.listTools();
      assert.ok(tools.ok);
      assert.deepEqual(tools.result.tools.map((t: { name: string }) => t.name).sort(), ['add', 'chatty', 'fail']);
      assert.deepEqual([rec.last().type, rec.last().name, rec.last().error], ['tools/list', '/mcp', undefined]);

      const sumIs5 = (r: any): string | undefined => (r.structuredContent?.sum === 5 ? undefined : `sum is ${r.structuredContent?.sum}`);
      const add = await c.callTool('add', { a: 2, b: 3 }, { validate: sumIs5 });
      assert.ok(add.ok);
      assert.deepEqual(add.result.structuredContent, { sum: 5 });
      assert.equal(rec.last().type, 'tools/call');
      assert.equal(rec.last().name, 'add');
      assert.equal(rec.last().error, undefined);
      assert.ok(rec.last().bytes > 0);

      const wrong = await c.callTool('add', { a: 2, b: 2 }, { validate: sumIs5 });
      assert.deepEqual(wrong, { ok: false, error: { kind: 'check', detail: 'sum is 4' } });
      assert.deepEqual(rec.last().error, { kind: 'check', detail: 'sum is 4' });

      const fail = await c.callTool('fail');
      assert.deepEqual(fail, { ok: false, error: { kind: 'tool', detail: 'deliberate failure for testing' } });
      assert.equal(rec.last().name, 'fail');

      // The SDK answers unknown tools with isError (see DESIGN.md); either way it is a failure.
      const unknownTool = await c.callTool('nope');
      assert.equal(unknownTool.ok, false);

      const noMethod = await c.request('no/such/method');
      assert.deepEqual(noMethod, { ok: false, error: { kind: 'jsonrpc', detail: '-32601 Method not found' } });
      assert.equal(rec.last().type, 'no/such/method');

      const chatty = await c.callTool('chatty');
      assert.ok(chatty.ok, 'a logging notification before the response is skipped');
      await c.close();
    });

    it('reads resources and prompts under their own names', async () => {
      const rec = new TestRecorder();
      const c = client(rec);
      assert.ok(await c.initialize());
      assert.ok((await c.listResources()).ok);
      const res = await c.readResource('test://greeting');
      assert.ok(res.ok);
      assert.equal(res.result.contents[0].text, 'hello');
      assert.deepEqual([rec.last().type, rec.last().name], ['resources/read', 'test://greeting']);
      assert.ok((await c.listPrompts()).ok);
      const prompt = await c.getPrompt('hello', { who: 'load' });
      assert.ok(prompt.ok);
      assert.equal(prompt.result.messages[0].content.text, 'hello load');
      assert.deepEqual([rec.last().type, rec.last().name], ['prompts/get', 'hello']);
      assert.ok(rec.samples.every((s) => s.error === undefined));
      await c.close();
    });

    it('ends the session with DELETE, once', async () => {
      const rec = new TestRecorder();
      const c = client(rec);
      assert.ok(await c.initialize());
      const sid = c.sessionId;
      await c.close();
      await c.close();
      assert.equal(c.sessionId, undefined);
      assert.equal(c.initialized, false);
      if (mode === 'stateless') {
        assert.equal(rec.ofType('DELETE').length, 0, 'no session, nothing to delete');
        return;
      }
      assert.deepEqual(rec.ofType('DELETE').map((s) => [s.name, s.error]), [['/mcp', undefined]]);
      // The server really forgot it: the old id now gets 404.
      const res = await dispatcher.request({
        origin: new URL(server.url).origin, path: '/mcp', method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': sid!, 'mcp-protocol-version': '2025-11-25' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
      await res.body.dump();
      assert.equal(res.statusCode, 404);
      // A closed client can start over, and that new session is closed too.
      assert.ok(await c.initialize());
      assert.notEqual(c.sessionId, sid);
      await c.close();
      assert.equal(rec.ofType('DELETE').length, 2);
    });

    if (mode !== 'stateless') {
      it('classifies a request on an expired session as 404 and recovers with a new session', async () => {
        const rec = new TestRecorder();
        const c = client(rec);
        assert.ok(await c.initialize());
        const first = c.sessionId;
        await server.expireSessions();
        const out = await c.listTools();
        assert.deepEqual(out, { ok: false, error: { kind: 'http', detail: 'HTTP 404 (session expired)' } });
        assert.deepEqual(rec.last().error, { kind: 'http', detail: 'HTTP 404 (session expired)' });
        assert.equal(c.sessionId, undefined);
        assert.equal(c.initialized, false);
        assert.ok(await c.initialize());
        assert.notEqual(c.sessionId, first);
        assert.ok((await c.listTools()).ok);
        await c.close();
      });
    }

    if (mode === 'stateful-sse') {
      it('sees the notification the server streams before the response (readSseReply on a real reply)', async () => {
        const rec = new TestRecorder();
        const c = client(rec);
        assert.ok(await c.initialize());
        const res = await dispatcher.request({
          origin: new URL(server.url).origin, path: '/mcp', method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': c.sessionId!, 'mcp-protocol-version': '2025-11-25' },
          body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/call', params: { name: 'chatty', arguments: {} } }),
        });
        assert.match(String(res.headers['content-type']), /^text\/event-stream/);
        const reply = await readSseReply(res.body, 99, 1 << 20);
        if (reply.rest) for await (const _ of { [Symbol.asyncIterator]: () => reply.rest! }) { /* drain */ }
        assert.equal(reply.problem, undefined);
        assert.equal(reply.response?.id, 99);
        assert.deepEqual(reply.messages?.map((m) => m.method), ['notifications/message']);
        await c.close();
      });
    }
  });
}

// ---------------------------------------------------------------------------
// A server that misbehaves on purpose.

interface BadServer {
  url: string;
  /** requestId of each notifications/cancelled received. */
  cancelled: unknown[];
  /** Resolves with the JSON-RPC id of the next `bad/slow` request once it arrived. */
  nextSlow(): Promise<number>;
  /** Resolves when the next notifications/cancelled arrives. */
  nextCancel(): Promise<unknown>;
  close(): Promise<void>;
}

async function startBadServer(): Promise<BadServer> {
  let slowWaiter: ((id: number) => void) | undefined;
  let cancelWaiter: ((id: unknown) => void) | undefined;
  const state: BadServer = {
    url: '',
    cancelled: [],
    nextSlow: () => new Promise((resolve) => { slowWaiter = resolve; }),
    nextCancel: () => new Promise((resolve) => { cancelWaiter = resolve; }),
    close: () => stop(server),
  };
  const json = (res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    void readJson(req).then((msg: { id?: number; method?: string; params?: any }) => {
      const id = msg.id;
      switch (msg.method) {
        case 'initialize':
          return json(res, 200, { jsonrpc: '2.0', id, result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'bad', version: '0' } } }, { 'mcp-session-id': 'bad-session' });
        case 'notifications/initialized':
          return res.writeHead(202).end();
        case 'notifications/cancelled':
          state.cancelled.push(msg.params?.requestId);
          cancelWaiter?.(msg.params?.requestId);
          return res.writeHead(202).end();
        case 'echo/headers':
          return json(res, 200, { jsonrpc: '2.0', id, result: { headers: req.headers } });
        case 'bad/json':
          return json(res, 200, 'this is not json');
        case 'bad/truncated':
          return json(res, 200, '{"jsonrpc":"2.0","id":');
        case 'bad/id':
          return json(res, 200, { jsonrpc: '2.0', id: (id ?? 0) + 1000, result: {} });
        case 'bad/huge': {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.on('error', () => { /* the client hangs up mid-body */ });
          res.write(`{"jsonrpc":"2.0","id":${id},"result":{"pad":"`);
          const block = 'x'.repeat(64 * 1024);
          for (let i = 0; i < 32; i++) res.write(block); // 2 MiB
          return res.end('"}}');
        }
        case 'bad/slow':
          slowWaiter?.(id ?? -1);
          return; // never answers; the socket is closed when the test server stops
        case 'bad/500':
          return res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
        case 'bad/rpc-error':
          return json(res, 200, { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } });
        case 'bad/202':
          return res.writeHead(202).end();
        case 'bad/gone':
          return json(res, 404, { jsonrpc: '2.0', id, error: { code: -32001, message: 'Session not found' } });
        case 'bad/sse': {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(': keep-alive comment\r\n\r\nid: e1\r\ndata:\r\n\r\n');
          res.write(`data: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}\r\n\r\n`);
          res.write('data: {"jsonrpc":"2.0","id":"srv-1","method":"ping"}\n\n');
          res.write(`event: message\ndata: {"jsonrpc":"2.0",\ndata: "id":${id},"result":{"ok":true}}\n`);
          return res.end('\n');
        }
        case 'bad/sse-empty': {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          return res.end('data: {"jsonrpc":"2.0","method":"notifications/message","params":{}}\n\n');
        }
        default:
          return json(res, 200, { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } });
      }
    }, () => json(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }));
  });
  const port = await listen(server);
  state.url = `http://127.0.0.1:${port}/mcp`;
  return state;
}

describe('McpHttpClient against a misbehaving server', SUITE, () => {
  let bad: BadServer;
  before(async () => { bad = await startBadServer(); });
  after(async () => { await bad.close(); });

  function client(rec: TestRecorder, extra: Partial<ConstructorParameters<typeof McpHttpClient>[0]> = {}): McpHttpClient {
    return new McpHttpClient({ url: bad.url, recorder: rec, dispatcher, maxBodyBytes: 1024 * 1024, ...extra });
  }

  it('adopts the negotiated version and the session id', async () => {
    const rec = new TestRecorder();
    const c = client(rec);
    assert.ok(await c.initialize());
    assert.equal(c.sessionId, 'bad-session');
    assert.equal(c.negotiatedProtocolVersion, '2025-06-18');
    const echo = await c.request('echo/headers');
    assert.ok(echo.ok);
    assert.equal(echo.result.headers['mcp-session-id'], 'bad-session');
    assert.equal(echo.result.headers['mcp-protocol-version'], '2025-06-18');
    assert.equal(echo.result.headers.accept, 'application/json, text/event-stream');
  });

  it('classifies broken replies, each as one sample', async () => {
    const rec = new TestRecorder();
    const c = client(rec);
    const cases: [string, SampleError][] = [
      ['bad/json', { kind: 'jsonrpc', detail: 'invalid JSON' }],
      ['bad/truncated', { kind: 'jsonrpc', detail: 'invalid JSON' }],
      ['bad/id', { kind: 'jsonrpc', detail: 'wrong response id' }],
      ['bad/huge', { kind: 'http', detail: 'response too large' }],
      ['bad/500', { kind: 'http', detail: 'HTTP 500' }],
      ['bad/rpc-error', { kind: 'jsonrpc', detail: '-32601 Method not found' }],
      ['bad/202', { kind: 'jsonrpc', detail: 'no response' }],
      ['bad/gone', { kind: 'http', detail: 'HTTP 404' }], // no session id was sent: a plain 404
      ['bad/sse-empty', { kind: 'jsonrpc', detail: 'no response' }],
    ];
    for (const [method, expected] of cases) {
      const out = await c.request(method, { any: 1 }, { name: 'case' });
      assert.deepEqual(out, { ok: false, error: expected }, method);
      assert.deepEqual([rec.last().type, rec.last().name, rec.last().error], [method, 'case', expected], method);
    }
    // Logging notifications inside an SSE reply get their own rows (server-messages.ts); the calls are one sample each.
    assert.equal(rec.samples.filter((s) => !s.type.startsWith('notifications/')).length, cases.length);
    const huge = rec.ofType('bad/huge')[0]!;
    assert.ok(huge.bytes > 1024 * 1024, `bytes counted up to the cap (${huge.bytes})`);
    assert.ok(rec.ofType('bad/500')[0]!.bytes > 0);
    // The client is still usable after all that.
    assert.ok((await c.request('echo/headers')).ok);
  });

  it('takes the response out of an SSE reply with a notification and a server request before it', async () => {
    const rec = new TestRecorder();
    const c = client(rec);
    const out = await c.request('bad/sse');
    assert.deepEqual(out, { ok: true, result: { ok: true } });
    // The server's ping is answered by a separate POST (type `reply`), which may finish after the call.
    const call = rec.ofType('bad/sse')[0]!;
    assert.equal(call.error, undefined);
    assert.ok(call.bytes > 100);
  });

  it('records the time to first byte beside the full reply, for every reply that had headers', async () => {
    const rec = new TestRecorder();
    const firstByte = new TestRecorder();
    const c = client(rec, { firstByte });
    for (const method of ['bad/sse', 'bad/500', 'echo/headers']) await c.request(method, undefined, { name: 'case' });
    const isCall = (s: Sample): boolean => s.type.startsWith('bad/') || s.type === 'echo/headers';
    const calls = rec.samples.filter(isCall);
    // (The answer to the server's ping inside bad/sse is a POST of its own, type `reply`, which may finish later.)
    const callFirstBytes = firstByte.samples.filter(isCall);
    assert.deepEqual(callFirstBytes.map((s) => [s.type, s.name, s.bytes, s.error]), [
      ['bad/sse', 'case', 0, undefined], ['bad/500', 'case', 0, undefined], ['echo/headers', 'case', 0, undefined],
    ]);
    // Both figures count from the same send, and the headers come before the rest of the reply.
    callFirstBytes.forEach((s, i) => assert.ok(s.latencyUs > 0 && s.latencyUs <= calls[i]!.latencyUs, `${s.type}: ${s.latencyUs} µs vs ${calls[i]!.latencyUs} µs`));
  });

  it('forgets the session on 404 when it sent one', async () => {
    const rec = new TestRecorder();
    const c = client(rec);
    assert.ok(await c.initialize());
    const out = await c.request('bad/gone');
    assert.deepEqual(out, { ok: false, error: { kind: 'http', detail: 'HTTP 404 (session expired)' } });
    assert.equal(c.sessionId, undefined);
    assert.equal(c.initialized, false);
  });

  it('times out a slow reply and sends notifications/cancelled for it', async () => {
    const rec = new TestRecorder();
    const c = client(rec, { timeoutMs: 300 });
    const arrived = bad.nextSlow();
    const cancelled = bad.nextCancel();
    const out = await c.request('bad/slow');
    assert.deepEqual(out, { ok: false, error: { kind: 'timeout', detail: 'no reply within 300 ms' } });
    assert.deepEqual([rec.last().type, rec.last().error?.kind], ['bad/slow', 'timeout']);
    assert.equal(await cancelled, await arrived, 'the cancelled notification names the timed-out request');
    assert.equal(rec.samples.length, 1, 'the cancellation itself is not a sample');
  });

  it('records a request in flight when the user is stopped as cut, once, at the moment of the stop', async () => {
    const rec = new TestRecorder();
    const stopUser = new AbortController();
    const c = client(rec, { signal: stopUser.signal });
    const arrived = bad.nextSlow();
    const pending = c.request('bad/slow');
    await arrived;
    stopUser.abort();
    // Recorded synchronously by the stop, before the aborted request unwinds.
    assert.deepEqual(rec.samples.map((s) => [s.type, s.error?.kind, s.error?.detail]), [['bad/slow', 'cut', 'still waiting when the run stopped']]);
    const out = await pending;
    assert.deepEqual(out, { ok: false, error: { kind: 'cut', detail: 'still waiting when the run stopped' } });
    assert.equal((await c.ping()).ok, false, 'a stopped user sends nothing more');
    assert.equal(rec.samples.length, 1, 'one sample for the cut request, none for the ping never sent');
  });

  it('refuses a bad endpoint or timeout with a clear error at construction', () => {
    const rec = new TestRecorder();
    assert.throws(() => new McpHttpClient({ url: 'not a url', recorder: rec, dispatcher }), /not a valid URL/);
    assert.throws(() => new McpHttpClient({ url: 'ftp://127.0.0.1/mcp', recorder: rec, dispatcher }), /http:\/\/ or https:\/\//);
    assert.throws(() => new McpHttpClient({ url: bad.url, recorder: rec, dispatcher, timeoutMs: 0 }), /timeoutMs/);
    assert.throws(() => new RestClient({ baseUrl: 'ws://127.0.0.1:8000', recorder: rec, dispatcher }), /http:\/\/ or https:\/\//);
  });

  it('reports a validator that throws as a check failure and an exception', async () => {
    const rec = new TestRecorder();
    const c = client(rec);
    const out = await c.request('echo/headers', undefined, { validate: () => { throw new Error('oops'); } });
    assert.deepEqual(out, { ok: false, error: { kind: 'check', detail: 'validate threw' } });
    assert.equal(rec.exceptions.length, 1);
  });
});

// ---------------------------------------------------------------------------
// Nobody listening.

async function closedPortUrl(path: string): Promise<string> {
  const server = http.createServer();
  const port = await listen(server);
  await stop(server);
  return `http://127.0.0.1:${port}${path}`;
}

describe('a closed port', SUITE, () => {
  it('is a connect error for MCP, never a throw, and leaks no header values', async () => {
    const rec = new TestRecorder();
    const firstByte = new TestRecorder();
    const c = new McpHttpClient({ url: await closedPortUrl('/mcp'), recorder: rec, firstByte, dispatcher, headers: { Authorization: 'Bearer s3cret' } });
    assert.equal(await c.initialize(), false);
    assert.deepEqual(rec.samples.map((s) => [s.type, s.name, s.error]), [['initialize', '/mcp', { kind: 'connect', detail: 'ECONNREFUSED' }]]);
    const out = await c.callTool('add', { a: 1, b: 2 });
    assert.deepEqual(out, { ok: false, error: { kind: 'connect', detail: 'ECONNREFUSED' } });
    await c.close(); // no session: nothing to do
    assert.equal(rec.samples.length, 2);
    assert.equal(firstByte.samples.length, 0, 'no reply, no first byte');
    assert.ok(rec.samples.every((s) => !JSON.stringify(s).includes('s3cret')));
  });

  it('is a connect error for REST, security probes included', async () => {
    const rec = new TestRecorder();
    const r = new RestClient({ baseUrl: await closedPortUrl(''), recorder: rec, dispatcher });
    assert.deepEqual(await r.get('/health'), { ok: false, status: 0, error: { kind: 'connect', detail: 'ECONNREFUSED' } });
    const probe = await r.request('GET', '/admin', { securityProbe: true });
    assert.deepEqual(probe.error, { kind: 'connect', detail: 'ECONNREFUSED' });
    assert.deepEqual(rec.last().type, 'SECURITY');
  });
});

// ---------------------------------------------------------------------------
// REST.

describe('RestClient', SUITE, () => {
  let server: http.Server;
  let origin: string;
  before(async () => {
    server = http.createServer((req, res) => {
      void readJson(req).then((body) => {
        const send = (status: number, payload: unknown, type = 'application/json'): void => {
          res.writeHead(status, { 'content-type': type }).end(typeof payload === 'string' ? payload : JSON.stringify(payload));
        };
        switch (`${req.method} ${req.url}`) {
          case 'GET /api/v1/health': return send(200, { status: 'ok' });
          case 'POST /api/v1/echo': return send(200, { got: body, auth: req.headers.authorization, type: req.headers['content-type'] });
          case 'GET /api/v1/created': return send(201, { created: true });
          case 'GET /api/v1/broken': return send(200, '{"half":');
          case 'GET /api/v1/page': return send(200, '<html></html>', 'text/html');
          case 'GET /api/v1/slow': return; // never answers
          case 'GET /debug': return send(200, { debug: true });
          default: return send(404, { detail: 'Not Found' });
        }
      }, () => res.writeHead(400).end());
    });
    origin = `http://127.0.0.1:${await listen(server)}`;
  });
  after(async () => { await stop(server); });

  it('GETs and POSTs JSON under the base path, with the path as the name', async () => {
    const rec = new TestRecorder();
    const r = new RestClient({ baseUrl: `${origin}/api/v1/`, recorder: rec, dispatcher, headers: { Authorization: 'Bearer abc' } });
    const health = await r.get('/health', { validate: (j) => (j?.status === 'ok' ? undefined : 'not healthy') });
    assert.deepEqual(health, { ok: true, status: 200, json: { status: 'ok' } });
    assert.deepEqual([rec.last().type, rec.last().name, rec.last().error], ['GET', '/health', undefined]);
    assert.ok(rec.last().bytes > 0);

    const echo = await r.post('/echo', { x: [1, 2] }, { name: 'echo', type: 'custom' });
    assert.ok(echo.ok);
    assert.deepEqual(echo.json, { got: { x: [1, 2] }, auth: 'Bearer abc', type: 'application/json' });
    assert.deepEqual([rec.last().type, rec.last().name], ['custom', 'echo']);

    assert.ok((await r.get('health')).ok, 'a path without its leading slash still lands under the base path');
    const page = await r.get('/page');
    assert.deepEqual(page, { ok: true, status: 200 });
  });

  it('applies expectStatus, validate and JSON parsing as failures of the right kind', async () => {
    const rec = new TestRecorder();
    const r = new RestClient({ baseUrl: `${origin}/api/v1`, recorder: rec, dispatcher });
    assert.equal((await r.get('/created')).ok, true, 'any 2xx by default');
    assert.deepEqual((await r.get('/created', { expectStatus: [200] })).error, { kind: 'http', detail: 'HTTP 201' });
    assert.deepEqual((await r.get('/missing')).error, { kind: 'http', detail: 'HTTP 404' });
    assert.equal((await r.get('/missing', { expectStatus: [404] })).ok, true);
    const checked = await r.get('/health', { validate: (j, status) => (status === 200 && j.status === 'degraded' ? undefined : `status ${j.status}`) });
    assert.deepEqual(checked.error, { kind: 'check', detail: 'status ok' });
    assert.deepEqual((await r.get('/broken')).error, { kind: 'http', detail: 'invalid JSON' });
    assert.deepEqual(rec.samples.map((s) => s.error?.kind), [undefined, 'http', 'http', undefined, 'check', 'http']);
  });

  it('passes a refused security probe and flags one that is let through', async () => {
    const rec = new TestRecorder();
    const r = new RestClient({ baseUrl: origin, recorder: rec, dispatcher });
    const refused = await r.request('GET', '/admin', { securityProbe: true });
    assert.deepEqual([refused.ok, refused.status], [true, 404]);
    assert.deepEqual([rec.last().type, rec.last().name, rec.last().error], ['SECURITY', 'GET /admin', undefined]);

    const open = await r.request('GET', '/debug', { securityProbe: true });
    assert.deepEqual(open.error, { kind: 'security', detail: 'GET /debug answered 200, expected 401/403/404' });
    assert.deepEqual([rec.last().type, rec.last().name, rec.last().error?.kind], ['SECURITY', 'GET /debug', 'security']);

    const strict = await r.request('delete', '/admin', { securityProbe: true, expectStatus: [401] });
    assert.deepEqual(strict.error, { kind: 'security', detail: 'DELETE /admin answered 404, expected 401' });
  });

  it('times out a slow reply', async () => {
    const rec = new TestRecorder();
    const r = new RestClient({ baseUrl: `${origin}/api/v1`, recorder: rec, dispatcher, timeoutMs: 200 });
    assert.deepEqual(await r.get('/slow'), { ok: false, status: 0, error: { kind: 'timeout', detail: 'no reply within 200 ms' } });
    assert.equal(rec.samples.length, 1);
  });
});

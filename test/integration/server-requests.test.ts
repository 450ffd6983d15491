/**
 * A virtual user as an agent client: an SDK server on loopback that, during
 * one tool call, sends progress and logging notifications and asks the
 * client for sampling, elicitation, roots and a ping; McpHttpClient must
 * answer each over a separate POST and record the progress figures.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { EmptyResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Dispatcher } from 'undici';
import { createDispatcher } from '../../src/transports/http-pool.js';
import { McpHttpClient } from '../../src/transports/mcp-http.js';
import { FIRST_PROGRESS } from '../../src/transports/server-messages.js';
import { SampleLog } from '../helpers/recorder.js';


function buildServer(): McpServer {
  const mcp = new McpServer({ name: 'agent-test', version: '1' }, { capabilities: { tools: {}, logging: {} } });
  mcp.registerTool('agent', { description: 'asks the client for everything' }, async (extra) => {
    const token = extra._meta?.progressToken;
    const progress = async (value: number) => {
      if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: value, total: 3 } });
    };
    await progress(1);
    await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: 'working' } });
    const sampled = await mcp.server.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 10 }, { relatedRequestId: extra.requestId });
    await progress(2);
    const elicited = await mcp.server.elicitInput({ message: 'name?', requestedSchema: { type: 'object', properties: { name: { type: 'string' } } } }, { relatedRequestId: extra.requestId });
    const roots = await mcp.server.listRoots(undefined, { relatedRequestId: extra.requestId });
    await mcp.server.request({ method: 'ping' }, EmptyResultSchema, { relatedRequestId: extra.requestId });
    await progress(2); // not increasing: a check failure
    const text = [(sampled.content as { text?: string }).text, elicited.action, (elicited.content as { name?: string } | undefined)?.name, roots.roots[0]?.uri].join('|');
    return { content: [{ type: 'text', text }] };
  });
  return mcp;
}

let server: http.Server;
let url: string;
let dispatcher: Dispatcher;
const transports = new Map<string, StreamableHTTPServerTransport>();

before(async () => {
  server = http.createServer(async (req, res) => {
    const sid = req.headers['mcp-session-id'];
    let transport = typeof sid === 'string' ? transports.get(sid) : undefined;
    if (!transport) {
      transport = new StreamableHTTPServerTransport({ sessionIdGenerator: randomUUID, onsessioninitialized: (id) => { transports.set(id, transport!); } });
      await buildServer().connect(transport);
    }
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  dispatcher = createDispatcher();
});

after(async () => {
  await dispatcher.close();
  for (const t of transports.values()) await t.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test('answers sampling, elicitation, roots and ping during a call, and records progress and logging', async () => {
  const recorder = new SampleLog();
  const client = new McpHttpClient({
    url, recorder, dispatcher,
    serverRequests: {
      sampling: () => ({ role: 'assistant', content: { type: 'text', text: 'sampled' }, model: 'test-model' }),
      elicitation: () => ({ action: 'accept', content: { name: 'Ada' } }),
      roots: () => ({ roots: [{ uri: 'file:///tmp/project', name: 'project' }] }),
    },
  });
  assert.ok(await client.initialize());
  const out = await client.callTool('agent', {}, { progress: true });
  assert.ok(out.ok, JSON.stringify(out) + JSON.stringify(recorder.samples));
  assert.equal(out.result.content[0].text, 'sampled|accept|Ada|file:///tmp/project');

  assert.equal(recorder.ofType(FIRST_PROGRESS).length, 1);
  const progress = recorder.ofType('notifications/progress');
  assert.equal(progress.length, 3);
  assert.deepEqual(progress.map((p) => p.error?.detail), [undefined, undefined, 'progress did not increase']);
  assert.equal(recorder.ofType('notifications/message').length, 1);
  const replies = recorder.ofType('reply').map((s) => `${s.name}:${s.error ? 'failed' : 'ok'}`).sort();
  assert.deepEqual(replies, ['elicitation/create:ok', 'ping:ok', 'roots/list:ok', 'sampling/createMessage:ok']);
  assert.ok(recorder.ofType('tools/call').every((s) => s.error === undefined));
  await client.close();
});

test('without configured replies, the client announces no capability and the server’s request fails cleanly', async () => {
  const recorder = new SampleLog();
  const client = new McpHttpClient({ url, recorder, dispatcher });
  assert.ok(await client.initialize());
  const out = await client.callTool('agent');
  // The SDK server refuses to send sampling to a client without the capability: a tool error, not a hang.
  assert.equal(out.ok, false);
  assert.equal(recorder.ofType(FIRST_PROGRESS).length, 0, 'no progress without a progressToken');
  await client.close();
});

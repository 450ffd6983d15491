/**
 * The official SDK client (Client + StreamableHTTPClientTransport) against
 * `mcpload serve` and `serve --stateless`: every feature a real agent uses.
 * Stateless, the questions a tool asks the client (sampling, elicitation)
 * travel on the call's own stream, and a resource subscription is not
 * advertised (no update could arrive); stateful, the subscription delivers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema, LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { startReferenceServer, type RunningReferenceServer } from '../../src/server/reference-server.js';

function textOf(result: unknown): string {
  return (result as CallToolResult).content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

async function connect(server: RunningReferenceServer): Promise<{ client: Client; logs: string[]; updates: string[] }> {
  const client = new Client({ name: 'sdk-client-test', version: '1' }, { capabilities: { sampling: {}, elicitation: { form: {} }, roots: {} } });
  const logs: string[] = [];
  const updates: string[] = [];
  client.setRequestHandler(CreateMessageRequestSchema, () => ({
    role: 'assistant', content: { type: 'text', text: 'sampled by the test' }, model: 'test', stopReason: 'endTurn',
  }));
  client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: { username: 'ada', email: 'ada@example.com' } }));
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [] }));
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(String(n.params.data)));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
  return { client, logs, updates };
}

for (const stateless of [false, true]) {
  const mode = stateless ? 'serve --stateless' : 'serve';
  test(`the official SDK client against ${mode}: list, call, progress, resources, prompts, completion, sampling, elicitation, logging, ping`, { timeout: 60_000 }, async () => {
    const server = await startReferenceServer({ port: 0, quiet: true, stateless });
    const { client, logs } = await connect(server);
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name);
      for (const name of ['add', 'echo', 'sleep', 'fail', 'long_job', 'test_sampling', 'test_elicitation']) assert.ok(tools.includes(name), name);
      const sum = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
      assert.deepEqual(sum.structuredContent, { sum: 5 });

      const progress: number[] = [];
      await client.callTool({ name: 'sleep', arguments: { ms: 200 } }, undefined, { onprogress: (p) => void progress.push(p.progress) });
      assert.equal(progress.length, 4, 'one progress notification per step');

      const resources = (await client.listResources()).resources.map((r) => r.uri);
      assert.ok(resources.includes('mcpload://info'));
      const item = await client.readResource({ uri: 'mcpload://items/abc' });
      assert.match(JSON.stringify(item.contents), /Item abc/);

      const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
      assert.ok(prompts.includes('greet'));
      const prompt = await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
      assert.match(JSON.stringify(prompt.messages), /Ada/);
      const completion = await client.complete({ ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' }, argument: { name: 'arg1', value: 'test' } });
      assert.ok(completion.completion.values.includes('testValue1'), JSON.stringify(completion));

      // Questions to the client: stateless, on the call's own stream (there is no other).
      const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hello' } });
      assert.equal(sampled.isError, undefined, textOf(sampled));
      assert.match(textOf(sampled), /sampled by the test/);
      const elicited = await client.callTool({ name: 'test_elicitation', arguments: { message: 'who are you?' } });
      assert.equal(elicited.isError, undefined, textOf(elicited));
      assert.match(textOf(elicited), /action=accept.*ada@example.com/);

      await client.setLoggingLevel('info');
      await client.callTool({ name: 'test_tool_with_logging', arguments: {} });
      assert.deepEqual(logs, ['Tool execution started', 'Tool processing data', 'Tool execution completed']);

      await client.ping();
    } finally {
      await client.close();
      await server.close();
    }
  });
}

test('serve advertises resource subscriptions and delivers an update; serve --stateless does not advertise them', { timeout: 30_000 }, async () => {
  const stateful = await startReferenceServer({ port: 0, quiet: true });
  const stateless = await startReferenceServer({ port: 0, quiet: true, stateless: true });
  const a = await connect(stateful);
  const b = await connect(stateless);
  try {
    assert.equal(a.client.getServerCapabilities()?.resources?.subscribe, true);
    await a.client.subscribeResource({ uri: 'test://watched-resource' });
    // The watched resource changes every 3 s; its update comes on the session's GET stream.
    const deadline = Date.now() + 20_000;
    while (a.updates.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(a.updates.slice(0, 1), ['test://watched-resource']);

    const caps = b.client.getServerCapabilities();
    assert.equal(caps?.resources?.subscribe, undefined, JSON.stringify(caps));
    assert.equal(caps?.resources?.listChanged, false);
    assert.equal(caps?.tools?.listChanged, false);
    // Stateless lists no tasks (it would show every client's); stateful does.
    assert.deepEqual(caps?.tasks, { cancel: {}, requests: { tools: { call: {} } } });
    assert.ok(a.client.getServerCapabilities()?.tasks?.list);
  } finally {
    await a.client.close();
    await b.client.close();
    await stateful.close();
    await stateless.close();
  }
});

for (const stateless of [false, true]) {
  test(`the SDK client runs long_job as a task on ${stateless ? 'serve --stateless' : 'serve'}: created, polled, result fetched`, { timeout: 30_000 }, async () => {
    const server = await startReferenceServer({ port: 0, quiet: true, stateless });
    const { client } = await connect(server);
    try {
      const seen: string[] = [];
      let result: unknown;
      for await (const message of client.experimental.tasks.callToolStream({ name: 'long_job', arguments: { ms: 300 } }, undefined, { task: { ttl: 30_000 } })) {
        seen.push(message.type === 'taskStatus' ? `status ${message.task.status}` : message.type);
        if (message.type === 'result') result = message.result;
        if (message.type === 'error') assert.fail(String(message.error));
      }
      assert.equal(seen[0], 'taskCreated');
      assert.equal(seen.at(-1), 'result');
      assert.equal(textOf(result), 'worked 300 ms');
      // Called plainly, the optional task tool answers when done.
      assert.equal(textOf(await client.callTool({ name: 'long_job', arguments: { ms: 50 } })), 'worked 50 ms');
    } finally {
      await client.close();
      await server.close();
    }
  });
}

test('serve --stateless: two calls asking their clients at once each get their own client\'s answer', { timeout: 30_000 }, async () => {
  const server = await startReferenceServer({ port: 0, quiet: true, stateless: true });
  const clients: Client[] = [];
  try {
    // Every per-request server numbers its questions from 0: without routing, the two answers would clash.
    let asked = 0;
    let bothAsked: () => void = () => undefined;
    const together = new Promise<void>((resolve) => (bothAsked = resolve));
    for (const who of ['first', 'second']) {
      const client = new Client({ name: who, version: '1' }, { capabilities: { sampling: {} } });
      client.setRequestHandler(CreateMessageRequestSchema, async () => {
        if (++asked === 2) bothAsked();
        await together; // both questions are open before either is answered
        return { role: 'assistant', content: { type: 'text', text: `answer of the ${who} client` }, model: 'test' };
      });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
      clients.push(client);
    }
    const [a, b] = await Promise.all(clients.map((c) => c.callTool({ name: 'test_sampling', arguments: { prompt: 'who?' } })));
    assert.match(textOf(a), /answer of the first client/);
    assert.match(textOf(b), /answer of the second client/);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  }
});

/**
 * `RpcOptions.expectError` (how a replay judges a recorded error) through
 * the real transports: Streamable HTTP against the reference server, in a
 * handshake-era session and under 2026-07-28, and stdio against the
 * conformance fixture. The expected error is a successful sample with a
 * passed check; a result where an error was expected is a `check` error.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Recorder, SampleError } from '../../src/metrics/sample.js';
import { startReferenceServer, type RunningReferenceServer } from '../../src/server/reference-server.js';
import { createDispatcher } from '../../src/transports/http-pool.js';
import type { McpClient } from '../../src/transports/mcp-client.js';
import { McpHttpClient } from '../../src/transports/mcp-http.js';
import { StdioConnector } from '../../src/transports/mcp-stdio.js';
import { ROOT } from './cli-helpers.js';

class TestRecorder implements Recorder {
  readonly samples: Array<{ type: string; name: string; error: SampleError | undefined }> = [];
  checks = 0;
  record(type: string, name: string, _latencyUs: number, _bytes: number, error?: SampleError): void {
    this.samples.push({ type, name, error });
  }
  exception(): void {}
  checkPassed(): void {
    this.checks++;
  }
  last(type: string, name: string) {
    return this.samples.filter((s) => s.type === type && s.name === name).at(-1);
  }
}

/** The same judgments whatever the transport. */
async function judge(client: McpClient, rec: TestRecorder, tools: { failing: string; working: string }, badUri: string): Promise<void> {
  const failingTool = tools.failing;
  assert.ok(await client.initialize());
  const checksBefore = rec.checks;
  const toolError = await client.callTool(failingTool, {}, { expectError: 'tool' });
  assert.equal(toolError.ok, false);
  assert.equal(!toolError.ok && toolError.expected, true, 'the recorded isError came again');
  assert.equal(rec.last('tools/call', failingTool)?.error, undefined, 'a successful sample');

  const rpcError = await client.readResource(badUri, { expectError: 'jsonrpc' });
  assert.equal(!rpcError.ok && rpcError.expected, true, JSON.stringify(rpcError));
  assert.equal(rec.last('resources/read', badUri)?.error, undefined);
  assert.equal(rec.checks - checksBefore, 2, 'each a passed check');

  const answered = await client.callTool(tools.working, { a: 1, b: 2 }, { expectError: 'jsonrpc' });
  assert.equal(answered.ok, false);
  assert.equal(!answered.ok && answered.expected, undefined);
  assert.deepEqual(rec.last('tools/call', tools.working)?.error, { kind: 'check', detail: 'a result where an error was expected' });

  const crossed = await client.callTool(failingTool, {}, { expectError: 'jsonrpc' });
  assert.equal(!crossed.ok && crossed.expected, undefined, 'an isError is not the JSON-RPC error the recording had');
  assert.equal(rec.last('tools/call', failingTool)?.error?.kind, 'tool');
  assert.equal(rec.checks - checksBefore, 2);

  // Without the option nothing changes: the tool error is a failed sample.
  await client.callTool(failingTool, {});
  assert.equal(rec.last('tools/call', failingTool)?.error?.kind, 'tool');
  await client.close();
}

describe('expectError', { timeout: 30_000 }, () => {
  let server: RunningReferenceServer;
  const dispatcher = createDispatcher({});
  before(async () => {
    server = await startReferenceServer({ port: 0, quiet: true });
  });
  after(async () => {
    await server.close();
    await dispatcher.close();
  });

  for (const protocolVersion of ['2025-06-18', '2026-07-28']) {
    it(`Streamable HTTP, ${protocolVersion}`, async () => {
      const rec = new TestRecorder();
      const client = new McpHttpClient({ url: `${server.url}/mcp`, recorder: rec, dispatcher, protocolVersion });
      await judge(client, rec, { failing: 'fail', working: 'add' }, 'mcpload://nowhere/at-all');
    });
  }

  it('stdio', async () => {
    const connector = new StdioConnector({
      command: process.execPath, args: [path.join(ROOT, 'test/fixtures/stdio-conformance-server.mjs')], shared: false, timeoutMs: 10_000,
    });
    const rec = new TestRecorder();
    try {
      await judge(connector.create({ recorder: rec } as Parameters<StdioConnector['create']>[0]), rec, { failing: 'test_error_handling', working: 'test_simple_text' }, 'test://no-such-resource');
    } finally {
      await connector.close?.();
    }
  });
});

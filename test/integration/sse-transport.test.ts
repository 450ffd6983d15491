/**
 * The legacy HTTP+SSE transport (2024-11-05) against the SDK's own
 * SSEServerTransport on loopback: the client (stream, endpoint, POSTs,
 * progress, a sampling request), the spec's fallback check, and
 * `mcpload run` with `--transport sse` and with the automatic fallback.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { Dispatcher } from 'undici';
import { registerConformanceCatalog } from '../../src/server/conformance-catalog.js';
import { startReferenceServer, type RunningReferenceServer } from '../../src/server/reference-server.js';
import { createDispatcher } from '../../src/transports/http-pool.js';
import { detectTransport, SseConnector } from '../../src/transports/mcp-sse.js';
import { FIRST_PROGRESS } from '../../src/transports/server-messages.js';
import { runCli } from './cli-helpers.js';
import { SampleLog } from '../helpers/recorder.js';


/** A 2024-11-05 server: GET /sse opens a session, POST /messages?sessionId=... carries messages; nothing else. */
class LegacyServer {
  readonly sessions = new Map<string, SSEServerTransport>();
  closedSessions = 0;
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sse`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/sse') {
      const transport = new SSEServerTransport('/messages', res);
      const mcp = new McpServer({ name: 'legacy', version: '1' }, { capabilities: { tools: {}, resources: {}, prompts: {} } });
      registerConformanceCatalog(mcp);
      this.sessions.set(transport.sessionId, transport);
      transport.onclose = () => {
        this.sessions.delete(transport.sessionId);
        this.closedSessions++;
      };
      await mcp.connect(transport);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/messages') {
      const transport = this.sessions.get(url.searchParams.get('sessionId') ?? '');
      if (transport) return transport.handlePostMessage(req, res);
      res.writeHead(404).end('no such session');
      return;
    }
    // What an old server answers to a Streamable HTTP POST on its SSE URL.
    res.writeHead(req.method === 'POST' ? 405 : 404).end();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const legacy = new LegacyServer();
let sseUrl = '';
let dispatcher: Dispatcher;
let dualEra: RunningReferenceServer;

before(async () => {
  sseUrl = await legacy.start();
  dispatcher = createDispatcher();
  dualEra = await startReferenceServer({ port: 0, quiet: true });
});

after(async () => {
  await dispatcher.close();
  await dualEra.close();
  await legacy.stop();
});

test('SSE client: stream and endpoint, handshake, calls, progress and a sampling request answered by POST', async () => {
  const connector = new SseConnector({ url: sseUrl, dispatcher, headers: {}, timeoutMs: 5000 });
  const rec = new SampleLog();
  const client = connector.create({
    recorder: rec,
    serverRequests: { sampling: () => ({ role: 'assistant', content: { type: 'text', text: 'over sse' }, model: 'mcpload' }) },
  });
  try {
    assert.equal(await client.initialize(), true);
    assert.deepEqual(rec.samples.map((s) => `${s.type} ${s.name} ${s.error?.detail ?? 'ok'}`), [
      'GET /sse ok', 'initialize /sse ok', 'notifications/initialized /sse ok',
    ]);
    assert.equal(legacy.sessions.size, 1);

    const listed = await client.listTools();
    assert.ok(listed.ok && listed.result.tools.some((t: { name: string }) => t.name === 'test_simple_text'));
    const progress = await client.callTool('test_tool_with_progress', {}, { progress: true });
    assert.equal(progress.ok, true);
    assert.equal(rec.ofType(FIRST_PROGRESS).length, 1);
    assert.equal(rec.ofType('notifications/progress').length, 3);

    const sampled = await client.callTool('test_sampling', { prompt: 'hi' });
    assert.equal(sampled.ok && sampled.result.content[0].text, 'LLM response: over sse');
    assert.deepEqual(rec.ofType('reply').map((s) => [s.name, s.error]), [['sampling/createMessage', undefined]]);

    const failed = await client.readResource('test://no-such-resource');
    assert.equal(failed.ok, false);
    assert.equal(rec.samples.at(-1)!.error?.kind, 'jsonrpc');
  } finally {
    await client.close();
  }
  // Closing the stream ends the session on the server.
  for (let i = 0; i < 50 && legacy.sessions.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(legacy.sessions.size, 0);
});

test('SSE client: a URL that is not an event stream fails the handshake with a clear error', async () => {
  const connector = new SseConnector({ url: `${dualEra.url}/api/v1/health`, dispatcher, headers: {}, timeoutMs: 5000 });
  const rec = new SampleLog();
  const client = connector.create({ recorder: rec });
  assert.equal(await client.initialize(), false);
  assert.deepEqual(rec.samples.map((s) => [s.type, s.error?.kind]), [['GET', 'http']]);
});

test('transport check: 405 to the POST and an event stream on GET mean legacy SSE; a dual-era server stays Streamable HTTP', async () => {
  assert.equal(await detectTransport({ url: sseUrl, dispatcher, headers: {}, timeoutMs: 5000 }), 'sse');
  const before = dualEra.openSessions();
  assert.equal(await detectTransport({ url: `${dualEra.url}/mcp`, dispatcher, headers: {}, timeoutMs: 5000 }), 'streamable-http');
  // The check's session was ended at once.
  assert.equal(dualEra.openSessions(), before);
});

interface Entry { type: string; name: string; requests: number; failures: number }

interface LegacyRun { code: number | null; stdout: string; entries: Entry[] }

async function runAgainstLegacy(extra: string[]): Promise<LegacyRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-sse-'));
  try {
    const json = path.join(dir, 'run.json');
    const r = await runCli(['run', '--headless', '--host', sseUrl, '-u', '2', '-r', '2', '-t', '2s', '--stop-timeout', '1s',
      // Only the tool-call tasks: in 2 s a user runs a handful of tasks, and a random mix can hold no tools/call at all.
      '--print-interval', '0', '--seed', '3', '--tags', 'tools', '--json', json, ...extra]);
    assert.match(r.stdout, /scenario discover against/, r.stdout + r.stderr);
    const entries = (JSON.parse(readFileSync(json, 'utf8')) as { snapshot: { entries: Entry[] } }).snapshot.entries;
    return { code: r.code, stdout: r.stdout + r.stderr, entries };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function checkLegacyRun({ code, stdout, entries }: LegacyRun): void {
  assert.equal(entries.find((e) => e.type === 'GET' && e.name === '/sse')?.requests, 2);
  assert.equal(entries.find((e) => e.type === 'initialize' && e.name === '/sse')?.requests, 2);
  assert.ok(entries.some((e) => e.type === 'tools/call'));
  // The only failing tool is the one built to fail; sampling and elicitation tools get an agent's answers.
  assert.deepEqual(entries.filter((e) => e.failures > 0).map((e) => e.name), entries.some((e) => e.name === 'test_error_handling') ? ['test_error_handling'] : []);
  // Its failures fail the run on discover's default error rate (1 %), and the summary says so; without them it passes.
  const builtToFail = entries.some((e) => e.name === 'test_error_handling' && e.failures > 0);
  assert.equal(code, builtToFail ? 1 : 0, stdout);
  if (builtToFail) assert.match(stdout, /\n {2}✗ error_rate<1%: error_rate = [\d.]+% /);
}

test('run --transport sse: the discovery scenario over the legacy transport', async () => {
  checkLegacyRun(await runAgainstLegacy(['--transport', 'sse']));
});

test('run --host on a legacy server: the POST gets 405, mcpload falls back to SSE by itself', async () => {
  checkLegacyRun(await runAgainstLegacy([]));
});

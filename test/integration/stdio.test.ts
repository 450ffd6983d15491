// node-matrix: child processes and their pipes (stdio servers)
/**
 * MCP over stdio: the client against a fixture server (progress, logging,
 * sampling, timeouts, a crash), then `mcpload run --stdio` end to end
 * against a third-party server, @modelcontextprotocol/server-everything,
 * one process per user and one shared.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Recorder, SampleError } from '../../src/metrics/sample.js';
import type { ProcessUsageReport } from '../../src/metrics/process-usage.js';
import { StdioConnector } from '../../src/transports/mcp-stdio.js';
import { FIRST_PROGRESS } from '../../src/transports/server-messages.js';
import { ROOT, runCli } from './cli-helpers.js';

interface Sample { type: string; name: string; error: SampleError | undefined }

class TestRecorder implements Recorder {
  readonly samples: Sample[] = [];
  record(type: string, name: string, _latencyUs: number, _bytes: number, error?: SampleError): void {
    this.samples.push({ type, name, error });
  }
  exception(err: unknown): void {
    throw err;
  }
  ofType(type: string): Sample[] {
    return this.samples.filter((s) => s.type === type);
  }
}

const FIXTURE = path.join(ROOT, 'test/fixtures/stdio-conformance-server.mjs');
const EVERYTHING = path.join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

/** The fixture runs the built dist/ (npm run build first, as for every integration test). */
function fixtureConnector(extraArgs: string[] = [], timeoutMs = 5_000): StdioConnector {
  return new StdioConnector({ command: process.execPath, args: [FIXTURE, ...extraArgs], cwd: ROOT, shared: false, timeoutMs });
}

test('stdio client: handshake, calls, progress, logging, a sampling request answered on the same pipe, a timeout', async () => {
  // 4 s: the server process's start (Node and the SDK) counts against the handshake's deadline, and a busy CI machine is slow.
  const connector = fixtureConnector([], 4000);
  const rec = new TestRecorder();
  const client = connector.create({
    recorder: rec,
    serverRequests: { sampling: () => ({ role: 'assistant', content: { type: 'text', text: 'pipe answer' }, model: 'mcpload' }) },
  });
  try {
    assert.equal(await client.initialize(), true);
    assert.equal(client.negotiatedProtocolVersion, '2025-11-25');
    assert.ok(client.serverCapabilities?.tools);
    assert.deepEqual(rec.samples.map((s) => `${s.type} ${s.name}`), ['initialize stdio', 'notifications/initialized stdio']);

    const text = await client.callTool('test_simple_text');
    assert.equal(text.ok, true);
    assert.equal(text.ok && text.result.content[0].text, 'This is a simple text response for testing.');

    const progress = await client.callTool('test_tool_with_progress', {}, { progress: true });
    assert.equal(progress.ok, true);
    assert.equal(rec.ofType(FIRST_PROGRESS).length, 1);
    assert.deepEqual(rec.ofType('notifications/progress').map((s) => [s.name, s.error]), [
      ['test_tool_with_progress', undefined], ['test_tool_with_progress', undefined], ['test_tool_with_progress', undefined],
    ]);

    assert.equal((await client.callTool('test_tool_with_logging')).ok, true);
    assert.equal(rec.ofType('notifications/message').length, 3);

    const sampled = await client.callTool('test_sampling', { prompt: 'hello' });
    assert.equal(sampled.ok && sampled.result.content[0].text, 'LLM response: pipe answer');
    assert.deepEqual(rec.ofType('reply').map((s) => [s.name, s.error]), [['sampling/createMessage', undefined]]);

    // No elicitation reply configured: the server hears -32601 and its tool fails.
    const elicited = await client.callTool('test_elicitation', { message: 'who?' });
    assert.equal(elicited.ok, false);
    assert.equal(rec.ofType('tools/call').at(-1)!.error?.kind, 'tool');

    const failed = await client.callTool('test_error_handling');
    assert.equal(failed.ok, false);
    assert.deepEqual(rec.ofType('tools/call').at(-1)!.error, { kind: 'tool', detail: 'This tool intentionally returns an error for testing' });

    const unknown = await client.request('no/such/method', {}, { name: 'nope' });
    assert.equal(unknown.ok, false);
    assert.equal(rec.samples.at(-1)!.error?.kind, 'jsonrpc');
    assert.match(rec.samples.at(-1)!.error!.detail, /^-32601/);

    // A call past its deadline is a timeout sample; the server is told (notifications/cancelled) and the pipe stays usable.
    const hung = await client.callTool('hang');
    assert.equal(hung.ok, false);
    assert.deepEqual(rec.samples.at(-1), { type: 'tools/call', name: 'hang', error: { kind: 'timeout', detail: 'no reply within 4000 ms' } });
    assert.equal((await client.ping()).ok, true);
  } finally {
    await client.close();
    await connector.close();
  }
});

test('stdio client: a server request answered after the run closed the pipe is cut, not failed', async () => {
  // Answers initialize; when its stdin ends (the stop), asks roots/list and lingers a moment, as a server does that asks just then.
  const script = `
    const rl = require('node:readline').createInterface({ input: process.stdin });
    const out = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
    rl.on('line', (line) => {
      const m = JSON.parse(line);
      if (m.method === 'initialize') out({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: {}, serverInfo: { name: 'asker', version: '1' } } });
    });
    rl.on('close', () => { out({ jsonrpc: '2.0', id: 'r1', method: 'roots/list' }); setTimeout(() => process.exit(0), 300); });`;
  const connector = new StdioConnector({ command: process.execPath, args: ['-e', script], cwd: ROOT, shared: false, timeoutMs: 4000 });
  const rec = new TestRecorder();
  const client = connector.create({ recorder: rec, serverRequests: { roots: () => ({ roots: [] }) } });
  try {
    assert.equal(await client.initialize(), true);
  } finally {
    await client.close();
    await connector.close();
  }
  assert.deepEqual(rec.ofType('reply').map((s) => [s.name, s.error?.kind]), [['roots/list', 'cut']]);
});

test('stdio client: a crashed server fails the next call at once, and initialize() starts a new process', async () => {
  const connector = fixtureConnector(['--crash-after-init']);
  const rec = new TestRecorder();
  const client = connector.create({ recorder: rec });
  try {
    assert.equal(await client.initialize(), true);
    const firstPid = connector.processIds()[0];
    // The server exits right after the handshake; on a busy machine its exit takes a while to be seen.
    for (let waited = 0; client.initialized && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(client.initialized, false, 'the crash is seen');
    const out = await client.ping();
    assert.equal(out.ok, false);
    assert.deepEqual(rec.samples.at(-1)!.error, { kind: 'connect', detail: 'server process exited (code 3)' });
    assert.equal(await client.initialize(), true);
    assert.notEqual(connector.processIds()[0], firstPid);
  } finally {
    await client.close();
    await connector.close();
  }
});

test('stdio client: a command that cannot start is a connect error, not a crash', async () => {
  const connector = new StdioConnector({ command: path.join(ROOT, 'no-such-server-binary'), args: [], shared: false, timeoutMs: 2000 });
  const rec = new TestRecorder();
  const client = connector.create({ recorder: rec });
  assert.equal(await client.initialize(), false);
  assert.deepEqual(rec.samples, [{ type: 'initialize', name: 'stdio', error: { kind: 'connect', detail: 'cannot start server process (ENOENT)' } }]);
  await connector.close();
});

interface Result {
  snapshot: { entries: Array<{ type: string; name: string; requests: number; failures: number; cut?: number }> };
  serverProcesses?: ProcessUsageReport;
}

async function runDiscoverOverStdio(seconds: number, extra: string[]): Promise<{ stdout: string; result: Result }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-stdio-'));
  try {
    const json = path.join(dir, 'run.json');
    const r = await runCli(['run', '--headless', '--stdio', `${process.execPath} ${EVERYTHING} stdio`, '-u', '3', '-r', '3', '-t', `${seconds}s`,
      '--stop-timeout', '1s', '--print-interval', '0', '--seed', '7', '--json', json, '--exit-code-on-error', '0', ...extra]);
    // server-everything's trigger-long-running-operation can outlast a 2-3 s run: cut at the stop, its row fails
    // mcpload's "never answered" rule (a default, so --exit-code-on-error 0 lets it pass); every other rule must hold.
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /✗ (error_rate|checks|exceptions)/, r.stdout);
    return { stdout: r.stdout, result: JSON.parse(readFileSync(json, 'utf8')) as Result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// One at a time: on a loaded box (CI runs three Node versions at once) three runs side by side, each starting
// server-everything per user, spent a 3 s run on starting processes, before any tools/call.
describe('run --stdio', () => {
  test('run --stdio: discovery against server-everything, one process per user, no failure, CPU and memory reported', async () => {
    const { stdout, result } = await runDiscoverOverStdio(5, []);
    assert.match(stdout, /scenario discover against stdio: /);
    const entries = result.snapshot.entries;
    assert.deepEqual(entries.filter((e) => e.failures - (e.cut ?? 0) > 0), [], 'no failure but requests cut at the stop');
    assert.equal(entries.find((e) => e.type === 'initialize')?.requests, 3);
    assert.ok(entries.some((e) => e.type === 'tools/call'));
    const usage = result.serverProcesses!;
    if (process.platform === 'linux') {
      assert.equal(usage.available, true);
      assert.equal(usage.peakProcesses, 3);
      assert.ok(usage.rssBytes.max > 0 && usage.series.length > 0);
      assert.match(stdout, /server processes: 3 at most · CPU avg [\d.]+% max [\d.]+% of one core · RSS avg [\d.]+ MB/);
    } else {
      assert.equal(usage.available, false);
    }
  });

  test('run --stdio --stdio-shared: one process, one handshake, for all users', async () => {
    const { result } = await runDiscoverOverStdio(2, ['--stdio-shared']);
    const entries = result.snapshot.entries;
    assert.deepEqual(entries.filter((e) => e.failures - (e.cut ?? 0) > 0), []);
    assert.equal(entries.find((e) => e.type === 'initialize')?.requests, 1);
    if (process.platform === 'linux') assert.equal(result.serverProcesses!.peakProcesses, 1);
  });

  test('run --stdio with --host is a usage error', async () => {
    const r = await runCli(['run', '--headless', '--stdio', 'node x.js', '--host', 'http://127.0.0.1:9', '-t', '1s']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--stdio and --host/);
  });
});

/**
 * `mcpload record` and `run --replay`, real processes on loopback: the
 * official SDK client drives a session against `mcpload serve` (with a
 * bearer token) through the recording proxy and sees what it sees without
 * it; the recording holds every message, and neither the token nor the
 * `--redact` matches. Then the recording is replayed 20 times against the
 * same server: the server's own counters (`served` on its status route) say
 * it served 20 times each recorded call, and a second recording proxy in
 * front of it says in which order: the recorded one within each session.
 * `--replay-rate` starts the recorded sessions in turn at a rate; recorded
 * errors answered again as errors are expected answers, not failures.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { parseRecording, type Recording, type RecordedSession } from '../../src/protocol/recording.js';
import { BIN, ROOT, runCli, startCli, startServeProcess } from './cli-helpers.js';
import type { ServedSnapshot } from '../../src/server/served-counts.js';

const STDIO_FIXTURE = path.join(ROOT, 'test/fixtures/stdio-conformance-server.mjs');

const TOKEN = 'tok-SECRET-4f9a1c2e7b';
const ECHO_SECRET = 'hunter2-31337';
const PROMPT_NAME = 'Grace-Hopper-1906';
const REDACT = ['--redact', 'hunter2-[0-9]+', '--redact', '$.params.arguments.name', '--redact', '$.result.messages[*].content.text', '--redact', '$.result.description'];

/** Starts `mcpload record` in front of `upstream` on a free port; resolves once it listens. */
async function startRecorder(upstream: string, out: string, extra: string[] = []): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const { child, done } = startCli(['record', '--listen', '127.0.0.1:0', '--upstream', upstream, '--out', out, ...extra]);
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    void done.then((r) => reject(new Error(`record exited early: ${r.stderr}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      const r = await done;
      assert.equal(r.code, 0, r.stderr);
      return r.code;
    },
  };
}

interface SessionView {
  tools: string[];
  sum: unknown;
  echoed: unknown;
  item: unknown;
  prompt: unknown;
  sampled: unknown;
  elicited: unknown;
  progress: number[];
}

/** One agent-like session with the official SDK client: every kind of call, and a question from the server. */
async function driveSession(mcpUrl: string): Promise<SessionView> {
  const client = new Client({ name: 'record-test', version: '1' }, { capabilities: { sampling: {}, elicitation: { form: {} } } });
  client.setRequestHandler(CreateMessageRequestSchema, () => ({
    role: 'assistant', content: { type: 'text', text: 'sampled by the test' }, model: 'test', stopReason: 'endTurn',
  }));
  client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: { username: 'ada', email: 'ada@example.com' } }));
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } });
  await client.connect(transport);
  try {
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    const sum = (await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).structuredContent;
    const echoed = (await client.callTool({ name: 'echo', arguments: { text: ECHO_SECRET } })).content;
    await client.callTool({ name: 'echo', arguments: { text: `my token is ${TOKEN}` } });
    const item = (await client.readResource({ uri: 'mcpload://items/abc' })).contents;
    const prompt = (await client.getPrompt({ name: 'greet', arguments: { name: PROMPT_NAME } })).messages;
    // The server asks on the session's GET stream, which stays open: it reaches the client only if the proxy streams.
    const sampled = (await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hello' } })).content;
    const elicited = (await client.callTool({ name: 'test_elicitation', arguments: { message: 'who are you?' } })).content;
    const progress: number[] = [];
    await client.callTool({ name: 'sleep', arguments: { ms: 40 } }, undefined, { onprogress: (p) => void progress.push(p.progress) });
    return { tools, sum, echoed, item, prompt, sampled, elicited, progress };
  } finally {
    await transport.terminateSession();
    await client.close();
  }
}


/** The reference server's own counts of what it served (GET /api/v1/mcp/status → served). */
async function served(baseUrl: string, token?: string): Promise<ServedSnapshot> {
  const res = await fetch(`${baseUrl}/api/v1/mcp/status`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { served: ServedSnapshot }).served;
}

/** What the client asked, in order: method and the name or URI it named. */
function calls(session: RecordedSession): string[] {
  return session.messages
    .filter((m) => m.direction === 'client->server' && typeof m.message.method === 'string')
    .map((m) => {
      const p = (m.message.params ?? {}) as { name?: string; uri?: string };
      return [m.message.method, p.name ?? p.uri].filter(Boolean).join(' ');
    });
}

// The five parts run three at a time, each with its own servers, recorder and folder: most of each is
// a session driven over loopback or a bounded replay waiting on its clock.
describe('record and replay', { concurrency: 3 }, () => {
  describe('mcpload record and run --replay', { timeout: 120_000, concurrency: 1 }, () => {
    let dir = '';
    let server: { url: string; stop: () => Promise<void> };
    let recording: Recording;
    let recordingText = '';

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'mcpload-record-'));
      server = await startServeProcess(['--auth-token', TOKEN]);
    });
    after(async () => {
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('forwards an SDK client session unchanged and records every message, without the token or the --redact matches', async () => {
      const direct = await driveSession(`${server.url}/mcp`);
      const file = path.join(dir, 'traffic.jsonl');
      const recorder = await startRecorder(`${server.url}/mcp`, file, REDACT);
      const proxied = await driveSession(recorder.url);
      await recorder.stop();
      assert.deepEqual(proxied, direct, 'the client sees through the proxy what it sees without it');
      assert.match(JSON.stringify(proxied.sampled), /sampled by the test/);
      assert.ok(proxied.progress.length > 0);
      assert.match(JSON.stringify(proxied.elicited), /action=accept.*ada@example.com/);

      recordingText = await readFile(file, 'utf8');
      recording = parseRecording(recordingText);
      assert.equal(recording.header.transport, 'streamable-http');
      assert.equal(recording.sessions.length, 1);
      const session = recording.sessions[0]!;
      assert.deepEqual(calls(session), [
        'initialize', 'notifications/initialized', 'tools/list', 'tools/call add', 'tools/call echo', 'tools/call echo',
        'resources/read mcpload://items/abc', 'prompts/get greet', 'tools/call test_sampling', 'tools/call test_elicitation', 'tools/call sleep',
      ]);
      assert.equal(session.messages.filter((m) => m.message.method === 'notifications/progress').length, proxied.progress.length, 'every progress notification');
      // Every request has its reply, and the server's question its answer from the client.
      const requests = session.messages.filter((m) => m.direction === 'client->server' && 'id' in m.message && typeof m.message.method === 'string');
      for (const r of requests) {
        assert.ok(session.messages.some((m) => m.direction === 'server->client' && m.message.id === r.message.id && !('method' in m.message)), `reply to ${String(r.message.method)}`);
      }
      const question = session.messages.find((m) => m.direction === 'server->client' && m.message.method === 'sampling/createMessage');
      assert.ok(question, 'the server\'s sampling request is recorded');
      assert.ok(session.messages.some((m) => m.direction === 'client->server' && m.message.id === question.message.id && 'result' in m.message), 'and the client\'s answer');
      assert.equal(session.endReason, 'delete');
      assert.equal(session.listened, true, 'the SDK client opened its GET stream');
      // Times run forward within the session.
      const times = session.messages.map((m) => m.t);
      assert.deepEqual(times, [...times].sort((a, b) => a - b));

      assert.ok(!recordingText.includes(TOKEN), 'the bearer token is nowhere in the recording');
      assert.ok(!recordingText.includes(ECHO_SECRET), 'the --redact regex match is gone');
      assert.ok(!recordingText.includes(PROMPT_NAME), 'the --redact JSON path values are gone');
      assert.ok(!/authorization/i.test(recordingText), 'no Authorization header is written');
      assert.match(recordingText, /my token is \[redacted\]/);
    });

    it('replays the recording 20 times: the server is sent 20 times each recorded call, in the recorded order per session', async () => {
      assert.ok(recording, 'the first test wrote the recording');
      const seen = path.join(dir, 'seen.jsonl');
      const before = await served(server.url, TOKEN);
      // A second recorder in front of the server says in which order the calls reached it.
      const counter = await startRecorder(`${server.url}/mcp`, seen);
      const json = path.join(dir, 'replay.json');
      const r = await runCli(['run', '--headless', '--replay', path.join(dir, 'traffic.jsonl'), '--replay-scale', '20', '--replay-speed', '4',
        '--replay-vary', '0.5', '--host', counter.url, '--auth-token', TOKEN, '--print-interval', '0', '--json', json]);
      await counter.stop();
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /replay: 1 recorded session\(s\), 20 copies; 20 started, 20 finished; 0 replies shaped unlike the recording/);
      assert.match(r.stdout, /replay of traffic\.jsonl: 1 session × 20 copies on the recorded start times \(each up to 0\.5 s later\), speed 4×, over ~[\d.]+ s/);

      // The server's own books: what it served during the replay, 20 times each recorded call.
      const after = await served(server.url, TOKEN);
      const recordedCalls = recording.sessions[0]!.messages.filter((m) => m.direction === 'client->server' && typeof m.message.method === 'string' && 'id' in m.message);
      const delta = (a: Record<string, number>, b: Record<string, number>, key: string) => (a[key] ?? 0) - (b[key] ?? 0);
      for (const method of new Set(recordedCalls.map((m) => String(m.message.method)).filter((m) => m !== 'initialize'))) {
        const recorded = recordedCalls.filter((m) => m.message.method === method).length;
        assert.equal(delta(after.requests, before.requests, method), 20 * recorded, `the server counts ${method}`);
      }
      for (const tool of new Set(recordedCalls.filter((m) => m.message.method === 'tools/call').map((m) => String((m.message.params as { name: string }).name)))) {
        const recorded = recordedCalls.filter((m) => (m.message.params as { name?: string } | undefined)?.name === tool).length;
        assert.equal(delta(after.toolCalls, before.toolCalls, tool), 20 * recorded, `the server counts tools/call ${tool}`);
      }
      // Each copy's handshake and DELETE (the run may open a session of its own before the load to learn the protocol).
      const opened = after.sessionsOpened - before.sessionsOpened;
      assert.ok(opened >= 20, `sessions opened: ${opened}`);
      assert.equal(after.sessionsDeleted - before.sessionsDeleted, opened, 'every session ended with DELETE: each copy\'s as recorded, and the run\'s own');
      assert.ok(after.responses - before.responses >= 40, 'the answers to the server\'s sampling and elicitation questions');

      const expected = calls(recording.sessions[0]!);
      const sent = parseRecording(await readFile(seen, 'utf8'));
      // Sessions the run opened before the load (protocol negotiation) hold a handshake only.
      const replayed = sent.sessions.filter((s) => calls(s).some((c) => c.startsWith('tools/')));
      assert.equal(replayed.length, 20);
      for (const s of replayed) assert.deepEqual(calls(s), expected, 'each copy sends the recorded calls in the recorded order');
      for (const call of new Set(expected.filter((c) => !c.startsWith('initialize') && !c.startsWith('notifications/')))) {
        const recorded = expected.filter((c) => c === call).length;
        const counted = sent.sessions.flatMap(calls).filter((c) => c === call).length;
        assert.equal(counted, 20 * recorded, `${call}: the server was sent ${counted}`);
      }
      // Every copy answered the server's question with the recorded answer.
      const answers = sent.sessions.flatMap((s) => s.messages).filter((m) => m.direction === 'client->server' && 'result' in m.message && JSON.stringify(m.message.result).includes('sampled by the test'));
      assert.equal(answers.length, 20);
      const elicitAnswers = sent.sessions.flatMap((s) => s.messages).filter((m) => m.direction === 'client->server' && JSON.stringify(m.message.result ?? '').includes('ada@example.com'));
      assert.equal(elicitAnswers.length, 20, 'and the elicitation with the recorded form');

      const result = JSON.parse(await readFile(json, 'utf8')) as { snapshot: { entries: Array<{ type: string; name: string; requests: number; failures: number }> } };
      const row = (type: string, name: string) => result.snapshot.entries.find((e) => e.type === type && e.name === name);
      assert.equal(row('tools/call', 'add')?.requests, 20);
      assert.equal(row('tools/call', 'echo')?.requests, 40);
      assert.equal(row('prompts/get', 'greet')?.requests, 20);
      assert.equal(row('tools/call', 'test_sampling')?.failures, 0);
      assert.equal(row('tools/call', 'test_elicitation')?.failures, 0);
    });

    it('refuses a missing or foreign recording before any load', async () => {
      const missing = await runCli(['run', '--headless', '--replay', path.join(dir, 'nope.jsonl'), '--host', server.url]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /--replay .*nope\.jsonl: no such file/);
      const foreignFile = path.join(dir, 'result.json');
      await writeFile(foreignFile, JSON.stringify({ snapshot: { entries: [] } }, null, 2));
      const foreign = await runCli(['run', '--headless', '--replay', foreignFile, '--host', server.url]);
      assert.equal(foreign.code, 2);
      assert.match(foreign.stderr, /--replay .*result\.json: line 1 is not/);
      const processes = await runCli(['run', '--headless', '--replay', foreignFile, '--processes', '2', '--host', server.url]);
      assert.equal(processes.code, 2);
      assert.match(processes.stderr, /--replay runs in one process/);
      const both = await runCli(['record', '--out', path.join(dir, 'x.jsonl')]);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /needs --upstream/);
      const badPattern = await runCli(['record', '--upstream', `${server.url}/mcp`, '--out', path.join(dir, 'x.jsonl'), '--redact', '(open']);
      assert.equal(badPattern.code, 2);
      assert.match(badPattern.stderr, /--redact \(open: not a valid regular expression/);
      const badUpstream = await runCli(['record', '--upstream', 'ftp://example', '--out', path.join(dir, 'x.jsonl')]);
      assert.equal(badUpstream.code, 2);
      assert.equal(badUpstream.stderr.trim().split('\n').length, 1, badUpstream.stderr);
    });
  });

  /** A stdio session with the official SDK client: list, a plain call, a call that asks the client for sampling. */
  async function driveStdio(transport: Transport): Promise<unknown[]> {
    const client = new Client({ name: 'record-stdio-test', version: '1' }, { capabilities: { sampling: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, () => ({
      role: 'assistant', content: { type: 'text', text: 'sampled over stdio' }, model: 'test', stopReason: 'endTurn',
    }));
    await client.connect(transport);
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name).sort();
      const simple = (await client.callTool({ name: 'test_simple_text', arguments: {} })).content;
      const sampled = (await client.callTool({ name: 'test_sampling', arguments: { prompt: ECHO_SECRET } })).content;
      return [tools, simple, sampled];
    } finally {
      await client.close();
    }
  }

  describe('mcpload record against a stateless server', { timeout: 60_000 }, () => {
    it('keeps each handshake\'s requests in a session of their own, though the server gives no session id', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'mcpload-record-stateless-'));
      const server = await startServeProcess(['--stateless', '--json-response']);
      try {
        const file = path.join(dir, 'stateless.jsonl');
        const recorder = await startRecorder(`${server.url}/mcp`, file);
        for (const a of [1, 2]) {
          const client = new Client({ name: 'stateless-test', version: '1' });
          await client.connect(new StreamableHTTPClientTransport(new URL(recorder.url)));
          assert.deepEqual((await client.callTool({ name: 'add', arguments: { a, b: 10 } })).structuredContent, { sum: a + 10 });
          await client.close();
        }
        await recorder.stop();
        const rec = parseRecording(await readFile(file, 'utf8'));
        assert.deepEqual(rec.sessions.map(calls), [1, 2].map(() => ['initialize', 'notifications/initialized', 'tools/call add']));
        const args = rec.sessions.map((s) => (s.messages.find((m) => m.message.method === 'tools/call')!.message.params as { arguments: { a: number } }).arguments.a);
        assert.deepEqual(args, [1, 2]);
        assert.ok(rec.sessions.every((s) => s.messages.some((m) => m.direction === 'server->client' && JSON.stringify(m.message).includes('"sum"'))), 'JSON replies are recorded');

        // A recording that says `add` failed: the server now answers it, which is a mismatch and fails the run.
        const lying = path.join(dir, 'lying.jsonl');
        await writeFile(lying, (await readFile(file, 'utf8')).split('\n').map((line) => {
          if (!line.includes('"sum"')) return line;
          const event = JSON.parse(line) as { message: Record<string, unknown> };
          event.message = { jsonrpc: '2.0', id: event.message.id, error: { code: -32603, message: 'recorded failure' } };
          return JSON.stringify(event);
        }).join('\n'));
        const mismatch = await runCli(['run', '--headless', '--replay', lying, '--host', `${server.url}/mcp`, '--print-interval', '0']);
        assert.equal(mismatch.code, 1, mismatch.stdout + mismatch.stderr);
        assert.match(mismatch.stdout, /2 replies shaped unlike the recording/);
        assert.match(mismatch.stdout, /check: a result where an error was expected/);
      } finally {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('run --replay-rate', { timeout: 60_000 }, () => {
    it('starts the recorded sessions in turn, in recorded order, at the rate until -t, and counts those that could not start', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'mcpload-replay-rate-'));
      const server = await startServeProcess();
      try {
        const file = path.join(dir, 'two.jsonl');
        const recorder = await startRecorder(`${server.url}/mcp`, file);
        for (const a of [1, 2]) {
          const client = new Client({ name: 'rate-test', version: '1' });
          const transport = new StreamableHTTPClientTransport(new URL(recorder.url));
          await client.connect(transport);
          await client.callTool({ name: 'add', arguments: { a, b: 10 } });
          await transport.terminateSession();
          await client.close();
        }
        await recorder.stop();
        assert.equal(parseRecording(await readFile(file, 'utf8')).sessions.length, 2);

        // --replay-rate: the recorded sessions in turn (a=1, a=2, a=1, ...) at 4 sessions/s until -t; a second recorder says what was sent.
        const seen = path.join(dir, 'rate-seen.jsonl');
        const counter = await startRecorder(`${server.url}/mcp`, seen);
        const json = path.join(dir, 'rate.json');
        const r = await runCli(['run', '--headless', '--replay', file, '--replay-rate', '4', '-t', '3s', '--host', counter.url,
          '--print-interval', '0', '--json', json]);
        await counter.stop();
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /replay of two\.jsonl: 2 sessions in recorded order, round-robin, at 4 sessions\/s \(open model, at most 100 at once\), speed 1×, for 3s/);
        assert.match(r.stdout, /replay: 2 recorded session\(s\) in turn at 4 sessions\/s \(target\); \d+ started \([\d.]+ sessions\/s achieved\), \d+ could not start on time/);
        const figures = (JSON.parse(await readFile(json, 'utf8')) as { scenarioFigures: Record<string, number> }).scenarioFigures;
        assert.ok(figures.replayCopiesStarted! >= 2, `started ${figures.replayCopiesStarted}`);
        assert.equal(typeof figures.replaySessionsNotStarted, 'number', 'sessions that could not start are counted');
        const sent = parseRecording(await readFile(seen, 'utf8')).sessions
          .filter((s) => calls(s).includes('tools/call add'))
          .sort((a, b) => a.offsetMs - b.offsetMs)
          .map((s) => (s.messages.find((m) => m.message.method === 'tools/call')!.message.params as { arguments: { a: number } }).arguments.a);
        assert.ok(sent.length >= 2, `sessions that reached the server: ${sent.length}`);
        assert.deepEqual(sent, sent.map((_, i) => (i % 2 === 0 ? 1 : 2)), 'the recorded sessions in turn, in recorded order');

      } finally {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('mcpload record with mcpload client (the 2026-07-28 revision)', { timeout: 90_000 }, () => {
    it('records the client\'s session and replays it: every recorded call twice, each reply shaped as recorded', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'mcpload-record-client-'));
      const server = await startServeProcess();
      try {
        const file = path.join(dir, 'client.jsonl');
        const recorder = await startRecorder(`${server.url}/mcp`, file);
        const client = await runCli(['client', recorder.url]);
        await recorder.stop();
        // It exits 1 when a call failed: the catalog has tools that fail on purpose.
        assert.ok(client.code === 0 || client.code === 1, client.stdout + client.stderr);
        assert.match(client.stdout, /protocol 2026-07-28/);
        const rec = parseRecording(await readFile(file, 'utf8'));
        const sent = rec.sessions.flatMap(calls);
        const toolCalls = sent.filter((c) => c.startsWith('tools/call '));
        assert.ok(toolCalls.length > 10, `the client called the tools (${toolCalls.length})`);

        const json = path.join(dir, 'replay.json');
        // The recording holds the tools that fail on purpose: failing again is the recorded answer, so the default rules pass.
        const r = await runCli(['run', '--headless', '--replay', file, '--replay-scale', '2', '--replay-speed', '4', '--host', server.url,
          '--print-interval', '0', '--json', json]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /2 copies; 2 started, 2 finished; 0 replies shaped unlike the recording; [1-9]\d* replies were errors as recorded \(expected, not failures\)/);
        const result = JSON.parse(await readFile(json, 'utf8')) as {
          snapshot: { entries: Array<{ type: string; name: string; requests: number; failures: number }> }; scenarioFigures: Record<string, number>;
        };
        assert.equal(result.snapshot.entries.find((e) => e.type === 'tools/call' && e.name === 'fail')?.failures, 0, 'the tool that fails on purpose failed as recorded');
        assert.ok(result.scenarioFigures.replyErrorsAsRecorded! >= 2);
        for (const name of new Set(toolCalls.map((c) => c.slice('tools/call '.length)))) {
          // A call the client made again with the answers to the server's questions (an input round) is one call.
          const recorded = rec.sessions.flatMap((s) => s.messages).filter((m) => m.direction === 'client->server' && m.message.method === 'tools/call'
            && (m.message.params as { name?: string; inputResponses?: unknown }).name === name && (m.message.params as { inputResponses?: unknown }).inputResponses === undefined).length;
          const replayed = result.snapshot.entries.find((e) => e.type === 'tools/call' && e.name === name)?.requests;
          assert.equal(replayed, 2 * recorded, `tools/call ${name}`);
        }
      } finally {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe('mcpload record over stdio', { timeout: 120_000 }, () => {
    it('sits between the client and the server process, records the session, and its replay runs over --stdio', async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'mcpload-record-stdio-'));
      try {
        const file = path.join(dir, 'stdio.jsonl');
        const direct = await driveStdio(new StdioClientTransport({ command: process.execPath, args: [STDIO_FIXTURE], stderr: 'ignore' }));
        const proxied = await driveStdio(new StdioClientTransport({
          command: process.execPath, args: [BIN, 'record', '--out', file, '--redact', 'hunter2-[0-9]+', '--', process.execPath, STDIO_FIXTURE], stderr: 'ignore',
        }));
        assert.deepEqual(proxied, direct);
        assert.match(JSON.stringify(proxied[2]), /sampled over stdio/);
        // The recorder writes its last lines as the server exits: wait for the session's end.
        let text = '';
        for (let i = 0; i < 50 && !text.includes('session-end'); i++) {
          text = await readFile(file, 'utf8');
          if (!text.includes('session-end')) await new Promise((r) => setTimeout(r, 100));
        }
        const rec = parseRecording(text);
        assert.equal(rec.header.transport, 'stdio');
        assert.equal(rec.sessions.length, 1);
        assert.deepEqual(calls(rec.sessions[0]!), ['initialize', 'notifications/initialized', 'tools/list', 'tools/call test_simple_text', 'tools/call test_sampling']);
        assert.equal(rec.sessions[0]!.endReason, 'process-exit');
        assert.ok(!text.includes(ECHO_SECRET));

        const json = path.join(dir, 'replay.json');
        const r = await runCli(['run', '--headless', '--replay', file, '--replay-scale', '3', '--stdio', `"${process.execPath}" "${STDIO_FIXTURE}"`,
          '--print-interval', '0', '--json', json]);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const result = JSON.parse(await readFile(json, 'utf8')) as { snapshot: { entries: Array<{ type: string; name: string; requests: number; failures: number }> } };
        const row = (type: string, name: string) => result.snapshot.entries.find((e) => e.type === type && e.name === name);
        assert.equal(row('tools/call', 'test_simple_text')?.requests, 3);
        assert.equal(row('tools/call', 'test_sampling')?.requests, 3);
        assert.equal(row('tools/call', 'test_sampling')?.failures, 0, 'the recorded sampling answer was given');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});

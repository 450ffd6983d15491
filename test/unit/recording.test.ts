/**
 * The recording format (reader and its errors), the redaction applied
 * before anything is written, and how a recording becomes replay copies.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRecording, recordingLine, RecordingFormatError, RECORDING_FORMAT, type RecordingEvent, type RecordingHeader } from '../../src/protocol/recording.js';
import { parseJsonPath, REDACTED, Redactor } from '../../src/protocol/recording-redaction.js';
import { parseListen } from '../../src/cli/record-cli.js';
import { expectedError, playableSessions, recordedReplies, replayCopies, replaySpanMs, replyShape, sessionTemplate } from '../../src/scenarios/replay.js';

const HEADER: RecordingHeader = {
  format: RECORDING_FORMAT, version: 1, createdAt: '2026-01-01T00:00:00.000Z', transport: 'streamable-http',
  upstream: 'http://127.0.0.1:8000/mcp', redaction: { headerAllowlist: ['content-type'], patterns: 0 }, recorder: 'mcpload test',
};

function file(events: RecordingEvent[]): string {
  return [HEADER, ...events].map(recordingLine).join('\n') + '\n';
}

const msg = (session: string, t: number, direction: 'client->server' | 'server->client', message: Record<string, unknown>): RecordingEvent =>
  ({ type: 'message', session, t, direction, message });

describe('redaction', () => {
  it('keeps only allowlisted header values and scrubs credential values seen in headers from messages', () => {
    const r = new Redactor({ patterns: [] });
    const kept = r.headers({
      'content-type': 'application/json', authorization: 'Bearer abcdefgh12345', cookie: 'sid=cookievalue99', 'x-api-key': 'key-0123456789',
      'mcp-session-id': 'session-id-value', 'mcp-protocol-version': '2025-11-25',
    });
    assert.deepEqual(kept, { 'content-type': 'application/json', 'mcp-protocol-version': '2025-11-25' });
    const out = r.message({ params: { arguments: { a: 'use abcdefgh12345 and cookievalue99 and key-0123456789', n: 5 } } });
    assert.deepEqual(out, { params: { arguments: { a: `use ${REDACTED} and ${REDACTED} and ${REDACTED}`, n: 5 } } });
  });

  it('replaces "Bearer <token>" anywhere, even a token never seen in a header', () => {
    const r = new Redactor({ patterns: [] });
    assert.deepEqual(r.message({ text: 'header: Bearer eyJhbGciOi.abc-def_123' }), { text: `header: Bearer ${REDACTED}` });
  });

  it('replaces whole string values a --redact regex matches, in any message, keys untouched', () => {
    const r = new Redactor({ patterns: ['^sk-[a-z0-9]+$', 'password=\\S+'] });
    const out = r.message({ result: { content: [{ type: 'text', text: 'sk-abc123' }, { type: 'text', text: 'login password=x now' }, { type: 'text', text: 'fine' }] } });
    assert.deepEqual(out, { result: { content: [{ type: 'text', text: REDACTED }, { type: 'text', text: REDACTED }, { type: 'text', text: 'fine' }] } });
  });

  it('replaces what a JSON path reaches, whatever its type, and nothing else', () => {
    const r = new Redactor({ patterns: ['$.params.arguments.password', '$.params.list[*].key', "$['params']['deep']..secret", '$.params.pos[1]'] });
    const message = {
      params: {
        arguments: { password: 12345, user: 'ada' },
        list: [{ key: 'a', other: 1 }, { key: { nested: true } }],
        deep: { x: { secret: 's1', y: [{ secret: 's2' }] } },
        pos: ['zero', 'one', 'two'],
      },
    };
    const out = r.message(message);
    assert.deepEqual(out, {
      params: {
        arguments: { password: REDACTED, user: 'ada' },
        list: [{ key: REDACTED, other: 1 }, { key: REDACTED }],
        deep: { x: { secret: REDACTED, y: [{ secret: REDACTED }] } },
        pos: ['zero', REDACTED, 'two'],
      },
    });
    assert.equal(message.params.arguments.password, 12345, 'the original message is left as it was');
  });

  it('refuses patterns it cannot use, with a readable error', () => {
    assert.throws(() => new Redactor({ patterns: ['(unclosed'] }), /--redact \(unclosed: not a valid regular expression/);
    assert.throws(() => parseJsonPath('$.a[x]'), /bad JSON path/);
    assert.throws(() => parseJsonPath('$'), /names the whole message/);
  });
});

describe('record --listen', () => {
  it('takes HOST:PORT, [IPv6]:PORT, :PORT or PORT, loopback by default', () => {
    assert.deepEqual(parseListen('127.0.0.1:9000'), { host: '127.0.0.1', port: 9000 });
    assert.deepEqual(parseListen('[::1]:9001'), { host: '::1', port: 9001 });
    assert.deepEqual(parseListen(':9002'), { host: '127.0.0.1', port: 9002 });
    assert.deepEqual(parseListen('9003'), { host: '127.0.0.1', port: 9003 });
    assert.throws(() => parseListen('host:99999'), /expected HOST:PORT/);
    assert.throws(() => parseListen('nope'), /expected HOST:PORT/);
  });
});

describe('recording reader', () => {
  it('reads sessions in start order, with messages, GET streams and ends', () => {
    const text = file([
      { type: 'session-start', session: 's2', startedAt: 'x', offsetMs: 500, kind: 'initialize' },
      { type: 'session-start', session: 's1', startedAt: 'x', offsetMs: 100, kind: 'initialize' },
      msg('s1', 0, 'client->server', { jsonrpc: '2.0', id: 1, method: 'initialize' }),
      { type: 'exchange', session: 's1', t: 5, exchange: 2, method: 'GET', status: 200, requestHeaders: {}, requestBytes: 0, replyBytes: 0, headersMs: 1, durationMs: 2 },
      msg('s2', 3, 'client->server', { jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      { type: 'session-end', session: 's1', t: 40, reason: 'delete' },
    ]);
    const rec = parseRecording(text);
    assert.deepEqual(rec.sessions.map((s) => s.id), ['s1', 's2']);
    assert.equal(rec.sessions[0]!.messages.length, 1);
    assert.equal(rec.sessions[0]!.listened, true);
    assert.equal(rec.sessions[0]!.endReason, 'delete');
    assert.equal(rec.sessions[1]!.listened, false);
    assert.equal(rec.sessions[1]!.endMs, undefined);
  });

  it('says which line is wrong', () => {
    assert.throws(() => parseRecording(''), /empty/);
    assert.throws(() => parseRecording('{"format":"other"}\n'), /line 1 is not a recording header/);
    assert.throws(() => parseRecording(JSON.stringify({ ...HEADER, version: 2 })), /version 2 is not supported/);
    assert.throws(() => parseRecording(file([]) + 'not json\n'), (err: Error) => err instanceof RecordingFormatError && /line 2 is not JSON/.test(err.message));
    assert.throws(() => parseRecording(file([msg('s9', 0, 'client->server', { method: 'x' })])), /line 2: message of session s9 before its session-start/);
  });
});

describe('replay templates', () => {
  const session = parseRecording(file([
    { type: 'session-start', session: 's1', startedAt: 'x', offsetMs: 1000, kind: 'initialize' },
    msg('s1', 0, 'client->server', { jsonrpc: '2.0', id: 0, method: 'initialize', params: {} }),
    msg('s1', 10, 'server->client', { jsonrpc: '2.0', id: 0, result: {} }),
    msg('s1', 12, 'client->server', { jsonrpc: '2.0', method: 'notifications/initialized' }),
    msg('s1', 100, 'client->server', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ask', arguments: {} } }),
    msg('s1', 110, 'server->client', { jsonrpc: '2.0', id: 7, method: 'sampling/createMessage', params: { maxTokens: 5 } }),
    msg('s1', 115, 'client->server', { jsonrpc: '2.0', id: 7, result: { role: 'assistant', content: { type: 'text', text: 'recorded answer' } } }),
    msg('s1', 300, 'server->client', { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'ok' }, { type: 'image', data: '', mimeType: 'image/png' }] } }),
    msg('s1', 1300, 'client->server', { jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    msg('s1', 1310, 'server->client', { jsonrpc: '2.0', id: 2, error: { code: -1, message: 'no' } }),
    { type: 'session-end', session: 's1', t: 1400, reason: 'delete' },
    { type: 'session-start', session: 's2', startedAt: 'x', offsetMs: 3000, kind: 'initialize' },
    msg('s2', 0, 'client->server', { jsonrpc: '2.0', id: 0, method: 'initialize', params: {} }),
  ]));

  it('keeps the client messages in order, with the think time since the previous reply', () => {
    const template = sessionTemplate(session.sessions[0]!);
    assert.deepEqual(template.steps.map((s) => [s.message.method, s.thinkMs]), [
      ['initialize', 0], ['notifications/initialized', 2], ['tools/call', 88], ['tools/list', 1000],
    ]);
    assert.equal(template.deleted, true);
    assert.equal(replyShape(template.steps[2]!.reply as { result: unknown }), 'result content=text,image');
    assert.equal(replyShape(template.steps[3]!.reply as { error: unknown }), 'error');
    assert.equal(replyShape({ result: { isError: true, content: [{ type: 'text' }] } }), 'result isError content=text');
  });

  it('makes scale copies of each session, starting at offset / speed, spread by a seeded vary', () => {
    const plain = replayCopies(session, { scale: 3, speed: 2 });
    assert.deepEqual(plain.map((c) => [c.template.id, c.startMs]), [['s1', 0], ['s1', 0], ['s1', 0], ['s2', 1000], ['s2', 1000], ['s2', 1000]]);
    const spread = replayCopies(session, { scale: 50, varyS: 2, seed: 7 });
    assert.equal(spread.length, 100);
    for (const c of spread) {
      const base = c.template.id === 's1' ? 0 : 2000;
      assert.ok(c.startMs >= base && c.startMs < base + 2000, `copy of ${c.template.id} at ${c.startMs}`);
    }
    assert.ok(new Set(spread.map((c) => c.startMs)).size > 90, 'copies are spread');
    assert.deepEqual(replayCopies(session, { scale: 50, varyS: 2, seed: 7 }).map((c) => c.startMs), spread.map((c) => c.startMs), 'same seed, same starts');
  });

  it('knows each session\'s recorded length and how long the copies span', () => {
    assert.deepEqual(playableSessions(session).map((t) => [t.id, t.durationMs]), [['s1', 1310], ['s2', 0]]);
    // s2 starts 2000 ms after s1 (at speed 1) and lasts 0; s1 lasts 1310: the span is s2's start.
    assert.equal(replaySpanMs(replayCopies(session, { scale: 2 }), 1), 2000);
    assert.equal(replaySpanMs(replayCopies(session, { scale: 2, speed: 4 }), 4), 500);
    assert.equal(expectedError('tools/list', replyShape(sessionTemplate(session.sessions[0]!).steps[3]!.reply as { error: unknown })), 'jsonrpc',
      'the recorded error of tools/list is the answer a replay expects');
  });

  it('answers the server\'s questions with the recorded replies', () => {
    const replies = recordedReplies(session);
    assert.deepEqual(replies.sampling?.({ maxTokens: 5 }), { role: 'assistant', content: { type: 'text', text: 'recorded answer' } });
    assert.equal(replies.elicitation, undefined, 'no recorded elicitation: none announced');
  });

  it('2026-07-28: the client\'s input rounds are not steps of their own, and their answers are the recorded replies', () => {
    const rec = parseRecording(file([
      { type: 'session-start', session: 's1', startedAt: 'x', offsetMs: 0, kind: 'connection' },
      msg('s1', 0, 'client->server', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ask', arguments: {} } }),
      msg('s1', 5, 'server->client', { jsonrpc: '2.0', id: 1, result: { resultType: 'input_required', inputRequests: { 'elicitation/create#0': { method: 'elicitation/create', params: { message: 'name?' } } } } }),
      msg('s1', 9, 'client->server', { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'ask', arguments: {}, inputResponses: { 'elicitation/create#0': { action: 'accept', content: { name: 'x' } } } } }),
      msg('s1', 20, 'server->client', { jsonrpc: '2.0', id: 2, result: { resultType: 'complete', content: [{ type: 'text', text: 'hi x' }] } }),
      msg('s1', 50, 'client->server', { jsonrpc: '2.0', id: 3, method: 'tools/list' }),
    ]));
    const template = sessionTemplate(rec.sessions[0]!);
    assert.deepEqual(template.steps.map((s) => [s.message.method, s.thinkMs]), [['tools/call', 0], ['tools/list', 30]]);
    assert.equal(replyShape(template.steps[0]!.reply as { result: unknown }), 'result content=text', 'the last round\'s reply is the answer');
    assert.deepEqual(recordedReplies(rec).elicitation?.({ message: 'name?' }), { action: 'accept', content: { name: 'x' } });
  });

  it('a session opened before the recording gets a handshake first; one without sessions (2026-07-28) does not', () => {
    const rec = parseRecording(file([
      { type: 'session-start', session: 's1', startedAt: 'x', offsetMs: 0, kind: 'unknown-session' },
      msg('s1', 0, 'client->server', { jsonrpc: '2.0', id: 4, method: 'tools/list' }),
      { type: 'session-start', session: 's2', startedAt: 'x', offsetMs: 0, kind: 'connection' },
      msg('s2', 0, 'client->server', { jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    ]));
    assert.deepEqual(rec.sessions.map((s) => [s.kind, sessionTemplate(s).handshakeFirst]), [['unknown-session', true], ['connection', false]]);
  });
});

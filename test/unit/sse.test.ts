import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readSseReply, SseParser, type SseSink } from '../../src/transports/sse.js';

interface Ev { type: string; data: string; id: string | undefined }

class Collect implements SseSink {
  events: Ev[] = [];
  onEvent(type: string, data: string, id: string | undefined): void {
    this.events.push({ type, data, id });
  }
}

function parse(chunks: string[]): { events: Ev[]; parser: SseParser } {
  const sink = new Collect();
  const parser = new SseParser(sink);
  for (const c of chunks) parser.push(c);
  parser.end();
  return { events: sink.events, parser };
}

const STREAM =
  '\uFEFF: a comment\r\n' +
  'retry: 1500\r\n' +
  'retry: soon\n' + // not digits: ignored
  'event: message\r\n' +
  'id: 7\r\n' +
  'data: first line\r\n' +
  'data:second line\r\n' +
  'data:  two spaces\r\n' +
  '\r\n' +
  'data\n' + // field without colon: an empty data line
  '\n' +
  'event: custom\r' +
  'data: {"x":1}\r' +
  '\r' +
  'id: 8\n' + // id alone dispatches nothing but persists
  '\n' +
  'unknown: field\n' +
  'data: last\n' +
  '\n' +
  'data: never finished\n';

const EXPECTED: Ev[] = [
  { type: 'message', data: 'first line\nsecond line\n two spaces', id: '7' },
  { type: 'message', data: '', id: '7' },
  { type: 'custom', data: '{"x":1}', id: '7' },
  { type: 'message', data: 'last', id: '8' },
];

describe('SseParser', () => {
  it('parses fields, comments, multi-line data and every line ending', () => {
    const { events, parser } = parse([STREAM]);
    assert.deepEqual(events, EXPECTED);
    assert.equal(parser.retryMs, 1500);
    assert.equal(parser.lastEventId, '8');
  });

  it('gives the same events however the stream is split (CRLF split across chunks included)', () => {
    for (let cut = 1; cut < STREAM.length; cut++) {
      const { events } = parse([STREAM.slice(0, cut), STREAM.slice(cut)]);
      assert.deepEqual(events, EXPECTED, `split at ${cut}`);
    }
    const { events } = parse([...STREAM]); // one character per chunk
    assert.deepEqual(events, EXPECTED);
  });

  it('handles a long line spread over many chunks', () => {
    const big = 'x'.repeat(200_000);
    const chunks = [`data: ${big.slice(0, 10)}`];
    for (let i = 10; i < big.length; i += 1000) chunks.push(big.slice(i, i + 1000));
    chunks.push('\n\n');
    const { events } = parse(chunks);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.data, big);
  });
});

async function* chunksOf(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield new TextEncoder().encode(p);
}

describe('readSseReply', () => {
  it('finds the response for the id and keeps the messages before it', async () => {
    const reply = await readSseReply(chunksOf(
      'id: p1\ndata:\n\n', // a priming event: no message
      'data: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}\n\n',
      'data: {"jsonrpc":"2.0","id":"s1","method":"ping"}\n\n',
      'data: {"jsonrpc":"2.0","id":4,"result":{"ok":true}}\n\ndata: {"after":1}\n\n',
    ), 4, 1 << 20);
    assert.equal(reply.problem, undefined);
    assert.deepEqual(reply.response, { jsonrpc: '2.0', id: 4, result: { ok: true } });
    assert.deepEqual(reply.messages?.map((m) => m.method), ['notifications/progress', 'ping']);
    assert.ok(reply.bytes > 100);
    assert.ok(reply.rest !== undefined, 'the unread rest is handed back');
  });

  it('splits multi-byte characters across chunks correctly', async () => {
    const text = 'data: {"jsonrpc":"2.0","id":1,"result":{"t":"héllo €"}}\n\n';
    const bytes = new TextEncoder().encode(text);
    async function* byteByByte(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
    }
    const reply = await readSseReply(byteByByte(), 1, 1 << 20);
    assert.deepEqual(reply.response?.result, { t: 'héllo €' });
  });

  it('reports a wrong id, invalid JSON, a missing response and a too large stream', async () => {
    assert.equal((await readSseReply(chunksOf('data: {"jsonrpc":"2.0","id":2,"result":{}}\n\n'), 1, 1 << 20)).problem, 'wrong response id');
    assert.equal((await readSseReply(chunksOf('data: {not json\n\n'), 1, 1 << 20)).problem, 'invalid JSON');
    assert.equal((await readSseReply(chunksOf('data: {"jsonrpc":"2.0","method":"x"}\n\n'), 1, 1 << 20)).problem, 'no response');
    const tooLarge = await readSseReply(chunksOf(`data: ${'y'.repeat(5000)}`, '\n\n'), 1, 1000);
    assert.equal(tooLarge.problem, 'response too large');
    assert.ok(tooLarge.bytes > 1000);
  });
});

describe('readSseReply onMessage', () => {
  it('hands each server message over as it arrives, before the response is read', async () => {
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* body() {
      yield Buffer.from('data: {"jsonrpc":"2.0","id":"s1","method":"sampling/createMessage"}\n');
      yield Buffer.from('\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{}}\n\n');
      // A server that waits for the client's answer before it responds: the
      // callback must already have run, or this would never resolve.
      await gate;
      yield Buffer.from('data: {"jsonrpc":"2.0","id":9,"result":{}}\n\n');
    }
    const reply = await readSseReply(body(), 9, 1 << 20, (m) => {
      seen.push(String(m.method));
      if (m.method === 'notifications/message') release();
    });
    assert.deepEqual(seen, ['sampling/createMessage', 'notifications/message']);
    assert.deepEqual(reply.response, { jsonrpc: '2.0', id: 9, result: {} });
  });
});

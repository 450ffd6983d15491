import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  H1ReplyFramer, MAX_HEAD_BYTES, TOO_LARGE, type FramingFailure, type ReplySink,
} from '../../src/transports/h1-reply-framing.js';

/** What a framer told its sink, in order. */
class Recorder implements ReplySink {
  events: string[] = [];
  body = '';
  head: { status: number; eventStream: boolean; connectionClose: boolean; keepAliveSeconds: number; http10: boolean; untilClose: boolean } | undefined;
  onHead(f: H1ReplyFramer): boolean {
    this.head = { status: f.status, eventStream: f.eventStream, connectionClose: f.connectionClose, keepAliveSeconds: f.keepAliveSeconds, http10: f.http10, untilClose: f.untilClose };
    this.events.push(`head ${f.status}`);
    return true;
  }
  onBody(data: Buffer): boolean {
    this.body += data.toString('latin1');
    return true;
  }
  onEnd(extra: boolean): void {
    this.events.push(extra ? 'end+extra' : 'end');
  }
  onFail(failure: FramingFailure): void {
    this.events.push(failure === TOO_LARGE ? 'too large' : 'not http');
  }
}

function framed(cap = 1024): { sink: Recorder; framer: H1ReplyFramer } {
  const sink = new Recorder();
  const framer = new H1ReplyFramer(sink, cap);
  return { sink, framer };
}

/** Feeds `reply` cut at `cuts` (empty pieces skipped, as a socket never gives them). */
function feed(reply: string, cuts: number[], cap = 1024): Recorder {
  const { sink, framer } = framed(cap);
  const bytes = Buffer.from(reply, 'latin1');
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    if (at > from) framer.push(Buffer.from(bytes.subarray(from, at)));
    from = Math.max(from, at);
  }
  return sink;
}

const JSON_BODY = '{"jsonrpc":"2.0","id":1,"result":{}}';
const LENGTH_REPLY = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${JSON_BODY.length}\r\n\r\n${JSON_BODY}`;
const CHUNKED_REPLY = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: text/event-stream\r\n\r\n'
  + `5;ext=1\r\ndata:\r\n${(JSON_BODY.length + 3).toString(16)}\r\n ${JSON_BODY}\n\n\r\n0\r\nx-trailer: 1\r\n\r\n`;
const CHUNKED_BODY = `data: ${JSON_BODY}\n\n`;

describe('h1-reply-framing: one HTTP/1.1 reply framer for both lean clients', () => {
  it('reads a Content-Length reply cut at every position, and byte by byte', () => {
    for (let i = 0; i <= LENGTH_REPLY.length; i++) {
      const sink = feed(LENGTH_REPLY, [i]);
      assert.deepEqual(sink.events, ['head 200', 'end'], `cut at ${i}`);
      assert.equal(sink.body, JSON_BODY, `cut at ${i}`);
    }
    const bytewise = feed(LENGTH_REPLY, Array.from({ length: LENGTH_REPLY.length }, (_, i) => i));
    assert.deepEqual(bytewise.events, ['head 200', 'end']);
    assert.equal(bytewise.body, JSON_BODY);
  });

  it('decodes a chunked body with extensions and trailers cut at any two positions (chunk sizes, CRLFs, trailers)', () => {
    for (let i = 0; i <= CHUNKED_REPLY.length; i++) {
      for (let j = i; j <= CHUNKED_REPLY.length; j++) {
        const sink = feed(CHUNKED_REPLY, [i, j]);
        assert.deepEqual(sink.events, ['head 200', 'end'], `cut at ${i}, ${j}`);
        assert.equal(sink.body, CHUNKED_BODY, `cut at ${i}, ${j}`);
      }
    }
    assert.equal(feed(CHUNKED_REPLY, []).head?.eventStream, true);
  });

  it('skips interim 1xx replies, wherever the cut falls', () => {
    const reply = `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n${LENGTH_REPLY}`;
    for (let i = 0; i <= reply.length; i++) {
      const sink = feed(reply, [i]);
      assert.deepEqual(sink.events, ['head 200', 'end'], `cut at ${i}`);
      assert.equal(sink.body, JSON_BODY);
    }
  });

  it('reads several replies from one chunk: each ends where the next begins', () => {
    const { sink, framer } = framed();
    const two = Buffer.from(LENGTH_REPLY + CHUNKED_REPLY + LENGTH_REPLY, 'latin1');
    let at = framer.push(two);
    assert.equal(at, LENGTH_REPLY.length);
    assert.deepEqual(sink.events, ['head 200', 'end+extra']);
    framer.reset(1024);
    at += framer.push(two.subarray(at));
    assert.equal(at, LENGTH_REPLY.length + CHUNKED_REPLY.length);
    framer.reset(1024);
    assert.equal(framer.push(two.subarray(at)), LENGTH_REPLY.length);
    assert.deepEqual(sink.events, ['head 200', 'end+extra', 'head 200', 'end+extra', 'head 200', 'end']);
    assert.equal(sink.body, JSON_BODY + CHUNKED_BODY + JSON_BODY);
  });

  it('a body without length ends with the connection; any other reply cut by the close is not whole', () => {
    const reply = `HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n${JSON_BODY}`;
    for (let i = 0; i <= reply.length; i++) {
      const { sink, framer } = framed();
      const bytes = Buffer.from(reply, 'latin1');
      if (i > 0) framer.push(bytes.subarray(0, i));
      if (i < bytes.length) framer.push(bytes.subarray(i));
      assert.deepEqual(sink.events, ['head 200'], `cut at ${i}`);
      assert.equal(framer.closed(), true);
      assert.deepEqual(sink.events, ['head 200', 'end']);
      assert.equal(sink.body, JSON_BODY);
      assert.deepEqual(sink.head, { status: 200, eventStream: false, connectionClose: true, keepAliveSeconds: -1, http10: true, untilClose: true });
    }
    const { sink, framer } = framed();
    framer.push(Buffer.from(LENGTH_REPLY.slice(0, -3), 'latin1'));
    assert.equal(framer.closed(), false);
    assert.deepEqual(sink.events, ['head 200']);
  });

  it('204, 304 and Content-Length: 0 have no body; keep-alive hints are read', () => {
    for (const head of ['HTTP/1.1 204 No Content\r\nKeep-Alive: timeout=5, max=100\r\n\r\n', 'HTTP/1.1 304 Not Modified\r\nkeep-alive: timeout=5\r\n\r\n',
      'HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nKeep-Alive: TIMEOUT=5\r\n\r\n']) {
      const sink = feed(head, []);
      assert.deepEqual(sink.events, [`head ${head.slice(9, 12)}`, 'end'], head);
      assert.equal(sink.head?.keepAliveSeconds, 5, head);
      assert.equal(sink.head?.untilClose, false);
    }
  });

  it('caps the body: past the cap by Content-Length at once, chunked and close-delimited as the bytes come', () => {
    assert.deepEqual(feed('HTTP/1.1 200 OK\r\nContent-Length: 1025\r\n\r\n', []).events, ['head 200', 'too large']);
    const chunk = `400\r\n${'x'.repeat(1024)}\r\n`;
    const chunked = `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}${chunk}0\r\n\r\n`;
    for (let i = 40; i < chunked.length; i += 97) assert.deepEqual(feed(chunked, [i]).events, ['head 200', 'too large'], `cut at ${i}`);
    const { sink, framer } = framed();
    framer.push(Buffer.from(`HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(1000)}`, 'latin1'));
    framer.push(Buffer.from('x'.repeat(100)));
    assert.deepEqual(sink.events, ['head 200', 'too large']);
    // Once failed, the rest is not read.
    framer.push(Buffer.from('x'.repeat(100)));
    assert.equal(framer.closed(), false);
    assert.deepEqual(sink.events, ['head 200', 'too large']);
    // Exactly at the cap is whole.
    assert.deepEqual(feed(`HTTP/1.1 200 OK\r\nContent-Length: 1024\r\n\r\n${'x'.repeat(1024)}`, [50]).events, ['head 200', 'end']);
  });

  it('says "not HTTP" at the first wrong byte, for a bad status line, a bad length or chunk size, and a head without end', () => {
    for (const bytes of ['X', 'HTTP/2 200', 'HTTP/1.1 2x0 OK\r\n\r\n', 'HTTP/1.1 099 Low\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 1a\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']) {
      assert.deepEqual(feed(bytes, []).events.at(-1), 'not http', JSON.stringify(bytes));
    }
    assert.deepEqual(feed('HTTP/1.1 200 OK\r\nContent-Length: 1a\r\n\r\n', []).events, ['not http']);
    // A wrong first byte fails at once, before any head end.
    assert.deepEqual(feed('<html>', []).events, ['not http']);
    const long = `HTTP/1.1 200 OK\r\nx-long: ${'a'.repeat(MAX_HEAD_BYTES)}`;
    assert.deepEqual(feed(long, [100, 30_000]).events, ['not http']);
  });

  it('a reply given up on in onHead or onBody reads no further', () => {
    const sink = new Recorder();
    sink.onBody = (): boolean => false;
    const framer = new H1ReplyFramer(sink, 1024);
    framer.push(Buffer.from(CHUNKED_REPLY, 'latin1'));
    assert.deepEqual(sink.events, ['head 200']);
    assert.equal(framer.reading, false);
  });
});

// The general client's lean HTTP/1.1 sockets (h1-pool.ts) against a raw TCP server that writes the bytes each case needs.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Agent } from 'undici';
import { createDispatcher } from '../../src/transports/http-pool.js';
import { InFlight } from '../../src/transports/in-flight.js';
import { leanPost } from '../../src/transports/lean-post.js';

const JSON_REPLY = '{"jsonrpc":"2.0","id":1,"result":{}}';
const chunk = (text: string): string => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;

/** The reply each path gets; `parts` are written one by one, a tick apart, so heads and chunks arrive split. */
const REPLIES: Record<string, { parts: string[]; close?: boolean }> = {
  '/split': {
    parts: ['HTTP/1.1 200 OK\r\nContent-Ty', `pe: application/json\r\nMcp-Session-Id: s1\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: ${JSON_REPLY.length}\r\n`,
      `\r\n${JSON_REPLY.slice(0, 10)}`, JSON_REPLY.slice(10)],
  },
  '/continue': { parts: [`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${JSON_REPLY.length}\r\n\r\n${JSON_REPLY}`] },
  '/chunked': {
    parts: ['HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n', '5;ext=1\r\n{"jso\r\n',
      `${(JSON_REPLY.length - 5).toString(16)}\r\n${JSON_REPLY.slice(5)}\r\n0\r\n`, 'X-Trailer: 1\r\n\r\n'],
  },
  '/sse-chunked': {
    parts: ['HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n',
      chunk('data: {"jsonrpc":"2.0","id":1,'), chunk('"result":{"a":1}}\n\n'), '0\r\n\r\n'],
  },
  '/close-delimited': { parts: ['HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n', JSON_REPLY], close: true },
  '/connection-close': { parts: [`HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: ${JSON_REPLY.length}\r\n\r\n${JSON_REPLY}`] },
  '/http10': { parts: [`HTTP/1.0 200 OK\r\nContent-Length: ${JSON_REPLY.length}\r\n\r\n${JSON_REPLY}`] },
  '/over-cap': { parts: ['HTTP/1.1 200 OK\r\nContent-Length: 999999\r\n\r\nxx'] },
  '/not-http': { parts: ['SSH-2.0-OpenSSH\r\n'], close: true },
  '/cut-short': { parts: ['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"jsonrpc"'], close: true },
};

describe('h1-pool: the general client\'s POSTs to plain http://', () => {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      const headEnd = pending.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(pending.slice(0, headEnd))?.[1] ?? 0);
      if (pending.length < headEnd + 4 + length) return;
      const path = pending.split(' ')[1] ?? '';
      pending = '';
      const reply = REPLIES[path] ?? { parts: [`HTTP/1.1 200 OK\r\nContent-Length: ${JSON_REPLY.length}\r\n\r\n${JSON_REPLY}`] };
      void (async () => {
        for (const part of reply.parts) {
          socket.write(part);
          await new Promise((r) => setTimeout(r, 5));
        }
        if (reply.close) socket.end();
      })();
    });
  });
  const dispatcher = createDispatcher();
  let origin = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await dispatcher.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (path: string, through = dispatcher) => leanPost(through, {
    origin, path, headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    signal: new InFlight().start(5000), maxBodyBytes: 1024,
  });

  it('reads a head and body split anywhere, with the headers the client asks for (repeated ones as a list)', async () => {
    const reply = await post('/split');
    assert.equal(reply.statusCode, 200);
    assert.equal(reply.body?.data?.toString(), JSON_REPLY);
    assert.equal(reply.headers['mcp-session-id'], 's1');
    assert.deepEqual(reply.headers['set-cookie'], ['a=1', 'b=2']);
    assert.ok(reply.firstByteAt > 0);
  });

  it('keeps one socket for calls one after the other', async () => {
    const before = connections;
    for (let i = 0; i < 5; i++) assert.equal((await post('/plain')).body?.data?.toString(), JSON_REPLY);
    assert.ok(connections - before <= 1, `${connections - before} connections for 5 calls`);
  });

  it('skips an interim 100 reply, and decodes a chunked body with extensions and trailers', async () => {
    assert.equal((await post('/continue')).body?.data?.toString(), JSON_REPLY);
    assert.equal((await post('/chunked')).body?.data?.toString(), JSON_REPLY);
    // The socket is clean after the trailers: the next call on it reads its own reply.
    assert.equal((await post('/plain')).body?.data?.toString(), JSON_REPLY);
  });

  it('streams a chunked event stream, de-chunked, and serves the next call after it', async () => {
    const reply = await post('/sse-chunked');
    assert.ok(reply.stream);
    let text = '';
    for await (const chunk of reply.stream) text += (chunk as Buffer).toString();
    assert.equal(text, 'data: {"jsonrpc":"2.0","id":1,"result":{"a":1}}\n\n');
    assert.equal((await post('/plain')).body?.data?.toString(), JSON_REPLY);
  });

  it('a body that ends with the connection, Connection: close and HTTP/1.0 replies: whole, and the socket is not reused', async () => {
    for (const path of ['/close-delimited', '/connection-close', '/http10']) {
      assert.equal((await post(path)).body?.data?.toString(), JSON_REPLY, path);
      const before = connections;
      assert.equal((await post('/plain')).body?.data?.toString(), JSON_REPLY, path);
      assert.equal(connections - before, 1, `${path}: the call after it needs a new socket`);
    }
  });

  it('fails as undici names it: past the cap by Content-Length, not HTTP, closed before the whole body', async () => {
    const large = await post('/over-cap');
    assert.equal(large.body?.tooLarge, true);
    await assert.rejects(post('/not-http'), (err: { code?: string }) => err.code?.startsWith('HPE_') === true);
    await assert.rejects(post('/cut-short'), { code: 'UND_ERR_SOCKET' });
    await assert.rejects(leanPost(dispatcher, {
      origin, path: '/plain', headers: { 'x-bad': 'a\r\nb' }, body: '{}', signal: new InFlight().start(5000), maxBodyBytes: 1024,
    }), { code: 'UND_ERR_INVALID_ARG' });
    assert.equal((await post('/plain')).body?.data?.toString(), JSON_REPLY, 'the pool serves on after failures');
  });

  it('a dispatcher made elsewhere keeps its traffic on undici (the same reply either way)', async () => {
    const agent = new Agent();
    try {
      const reply = await post('/chunked', agent);
      assert.equal(reply.body?.data?.toString(), JSON_REPLY);
      const stream = (await post('/sse-chunked', agent)).stream;
      assert.ok(stream);
      let text = '';
      for await (const chunk of stream) text += (chunk as Buffer).toString();
      assert.match(text, /"result":\{"a":1\}/);
    } finally {
      await agent.close();
    }
  });
});

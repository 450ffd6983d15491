// node-matrix: the general client's POST on undici and Node streams
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createDispatcher } from '../../src/transports/http-pool.js';
import { InFlight } from '../../src/transports/in-flight.js';
import { leanPost } from '../../src/transports/lean-post.js';

describe('leanPost (the general client\'s POST)', () => {
  let streamClosed: () => void = () => undefined;
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/json') {
        res.writeHead(200, [['Content-Type', 'application/json'], ['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2']]);
        res.end('{"jsonrpc":"2.0","id":1,"result":{}}');
      } else if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('x'.repeat(64 * 1024));
      } else if (req.url === '/sse') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"jsonrpc":"2.0","method":"notifications/progress"}\n\n');
        res.on('close', () => streamClosed());
      } else {
        held.push(res); // never answered: only the deadline ends it
      }
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
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (path: string, deadline = new InFlight().start(5000), maxBodyBytes = 1024) =>
    leanPost(dispatcher, { origin, path, headers: { 'content-type': 'application/json' }, body: '{}', signal: deadline, maxBodyBytes });

  it('buffers a JSON reply, with repeated headers as a list and the first-byte time', async () => {
    const reply = await post('/json');
    assert.equal(reply.statusCode, 200);
    assert.deepEqual(reply.headers['set-cookie'], ['a=1', 'b=2']);
    assert.equal(reply.body?.data?.toString(), '{"jsonrpc":"2.0","id":1,"result":{}}');
    assert.ok(reply.firstByteAt > 0);
    assert.equal(reply.stream, undefined);
  });

  it('gives up on a body over the cap and counts what came', async () => {
    const reply = await post('/big');
    assert.equal(reply.body?.tooLarge, true);
    assert.equal(reply.body?.data, undefined);
    assert.ok((reply.body?.bytes ?? 0) > 1024);
  });

  it('hands over an event stream at once, and closing it ends the request', async () => {
    const closed = new Promise<void>((resolve) => {
      streamClosed = resolve;
    });
    const reply = await post('/sse');
    assert.ok(reply.stream);
    const first = (await reply.stream[Symbol.asyncIterator]().next()).value as Buffer;
    assert.match(first.toString(), /notifications\/progress/);
    reply.stream.destroy();
    await closed; // the server saw the connection go
  });

  it('rejects when its deadline fires before any reply', async () => {
    const deadline = new InFlight().start(100);
    await assert.rejects(post('/hang', deadline));
    assert.equal(deadline.timedOut, true);
  });
});

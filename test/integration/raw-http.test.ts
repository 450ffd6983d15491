import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { SampleError } from '../../src/metrics/sample.js';
import { RawMcpCaller } from '../../src/transports/raw-http.js';

const BODY = '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}';

/** Replies by path: JSON with Content-Length, chunked SSE, a wrong id, a tool error, HTTP 500. */
function target(): Server {
  return createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const id = (JSON.parse(body) as { id: number }).id;
      const seen = req.headers['mcp-session-id'] ?? '';
      const ok = JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: `5 ${String(seen)}` }] } });
      switch (req.url) {
        case '/json':
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(ok) }).end(ok);
          break;
        case '/sse':
          res.writeHead(200, { 'content-type': 'text/event-stream' }); // chunked
          res.write('event: message\n');
          res.end(`data: ${ok}\n\n`);
          break;
        case '/wrong-id':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":99,"result":{}}');
          break;
        case '/tool-error':
          res.writeHead(200, { 'content-type': 'application/json' }).end(`{"jsonrpc":"2.0","id":${id},"result":{"isError":true}}`);
          break;
        default:
          res.writeHead(500).end('no');
      }
    });
  });
}

describe('RawMcpCaller (the --bench-mode hot path)', () => {
  const server = target();
  let base = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function calls(path: string, n: number): Promise<Array<SampleError | undefined>> {
    const errors: Array<SampleError | undefined> = [];
    const caller = new RawMcpCaller({
      url: `${base}${path}`, headers: { 'mcp-session-id': 's1' }, body: BODY, id: 7, type: 'tools/call', name: 'add', timeoutMs: 5000,
      recorder: { record: (_t, _n, us, _b, error) => {
        assert.ok(us > 0);
        errors.push(error);
      }, exception: () => undefined },
    });
    for (let i = 0; i < n; i++) await caller.call();
    caller.close();
    return errors;
  }

  it('reads JSON and chunked SSE replies on one kept-alive connection, checking the id', async () => {
    assert.deepEqual(await calls('/json', 5), [undefined, undefined, undefined, undefined, undefined]);
    assert.deepEqual(await calls('/sse', 3), [undefined, undefined, undefined]);
  });

  it('turns wrong ids, tool errors and HTTP errors into error samples', async () => {
    assert.equal((await calls('/wrong-id', 1))[0]?.detail, 'wrong response id');
    assert.equal((await calls('/tool-error', 1))[0]?.kind, 'tool');
    assert.deepEqual((await calls('/fail', 2)).map((e) => e?.kind), ['http', 'http']);
  });

  it('records a connection error when nothing listens', async () => {
    const errors: Array<SampleError | undefined> = [];
    const caller = new RawMcpCaller({
      url: 'http://127.0.0.1:1/mcp', headers: {}, body: BODY, id: 7, type: 'tools/call', name: 'add', timeoutMs: 2000,
      recorder: { record: (_t, _n, _us, _b, error) => errors.push(error), exception: () => undefined },
    });
    await caller.call();
    assert.equal(errors[0]?.kind, 'connect');
  });
});

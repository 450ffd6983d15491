// node-matrix: the hand-written HTTP/1.1 client on node:net and node:tls sockets
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { SampleError } from '../../src/metrics/sample.js';
import { RawMcpCaller } from '../../src/transports/raw-http.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../src/transports/read-body.js';
import { OVER_CAP_BYTES, startFaultTarget, type Fault } from '../fixtures/fault-target.js';
import { RESET } from './fault-matrix-helpers.js';

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

/** Open descriptors of this process: a count, compared before and after. */
function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

describe('RawMcpCaller against faults (issue 13: events belong to their socket, same cap and names as the general client)', () => {
  async function against(fault: Fault, every: number, n: number, opts: { timeoutMs?: number; headers?: Record<string, string> } = {}) {
    const target = await startFaultTarget({ fault, every });
    const labels: string[] = [];
    const caller = new RawMcpCaller({
      url: target.url, headers: opts.headers ?? {}, body: BODY, id: 7, type: 'tools/call', name: 'add', timeoutMs: opts.timeoutMs ?? 5000,
      recorder: { record: (_t, _n, _us, _b, error) => labels.push(error ? `${error.kind}: ${error.detail}` : 'ok'), exception: () => undefined },
    });
    try {
      for (let i = 0; i < n; i++) await caller.call();
      return { labels, counts: target.counts(), caller };
    } finally {
      caller.close();
      await target.close();
    }
  }

  /** n labels: `fault` on every `every`-th call, 'ok' on the others. */
  const pattern = (n: number, every: number, fault: string) => Array.from({ length: n }, (_, i) => ((i + 1) % every === 0 ? fault : 'ok'));

  it('a stalled call times out and the next call is not blamed for the given-up socket; descriptors do not pile up', async () => {
    const before = openFds();
    const { labels, counts } = await against('stall', 2, 12, { timeoutMs: 150 });
    assert.deepEqual(labels, pattern(12, 2, 'timeout: no reply within 150 ms'));
    assert.equal(counts.received['tools/call'], 12);
    // 6 sockets were given up on; each was destroyed at once (before the fix each one leaked the next).
    assert.ok(openFds() <= before + 2, `fds ${before} -> ${openFds()}`);
  });

  it('resets before and during the reply are resets of that call only, named as the general client names them', async () => {
    for (const fault of ['reset-before', 'reset-during'] as const) {
      const { labels, counts } = await against(fault, 2, 10);
      // The kernel reports a reset that lands after the bytes were read either way (the general client's matrix allows both too).
      const named = labels.map((l) => (RESET.includes(l) ? 'connect: ECONNRESET' : l));
      assert.deepEqual(named, pattern(10, 2, 'connect: ECONNRESET'), `${fault}: ${labels.join(', ')}`);
      assert.equal(counts.received['tools/call'], 10);
    }
  });

  it('names bad replies as the general client does, and keeps going', async () => {
    const cases: Array<[Fault, string]> = [
      ['invalid-json', 'jsonrpc: invalid JSON'],
      ['wrong-id', 'jsonrpc: wrong response id'],
      ['not-http', 'http: malformed HTTP response'],
      ['status-500', 'http: HTTP 500'],
    ];
    for (const [fault, label] of cases) {
      const { labels } = await against(fault, 3, 6);
      assert.deepEqual(labels, pattern(6, 3, label), fault);
    }
  });

  it('caps replies at 16 MiB, with or without Content-Length, chunked or as one SSE line', async () => {
    for (const fault of ['too-large-length', 'too-large-chunked', 'too-large-close', 'too-large-sse'] as const) {
      const { labels } = await against(fault, 2, 4);
      assert.deepEqual(labels, pattern(4, 2, 'http: response too large'), fault);
    }
    assert.equal(DEFAULT_MAX_BODY_BYTES < OVER_CAP_BYTES, true);
  });

  it('a 404 on the session is "session expired" and asks for a new session', async () => {
    const { labels, caller } = await against('session-404', 2, 3, { headers: { 'mcp-session-id': 's1' } });
    // s1 was never handed out by this target: every call is 404.
    assert.deepEqual(labels, ['http: HTTP 404 (session expired)', 'http: HTTP 404 (session expired)', 'http: HTTP 404 (session expired)']);
    assert.equal(caller.sessionExpired, true);
    caller.useHeaders({ 'mcp-session-id': 's2' });
    assert.equal(caller.sessionExpired, false);
  });

  it('a refused connection is ECONNREFUSED on every call, never a closed connection of an earlier one', async () => {
    const free = await startFaultTarget({ fault: 'none' });
    const url = free.url;
    await free.close(); // the port is now closed
    const labels: string[] = [];
    const caller = new RawMcpCaller({
      url, headers: {}, body: BODY, id: 7, type: 'tools/call', name: 'add', timeoutMs: 2000,
      recorder: { record: (_t, _n, _us, _b, error) => labels.push(error ? `${error.kind}: ${error.detail}` : 'ok'), exception: () => undefined },
    });
    const before = openFds();
    for (let i = 0; i < 20; i++) await caller.call();
    caller.close();
    assert.deepEqual(labels, Array.from({ length: 20 }, () => 'connect: ECONNREFUSED'));
    assert.ok(openFds() <= before + 1, `fds ${before} -> ${openFds()}`);
  });
});

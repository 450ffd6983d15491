import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { INVALID_JSON, NO_RESPONSE, TOO_LARGE, WRONG_ID } from '../../src/transports/errors.js';
import { InFlight } from '../../src/transports/in-flight.js';
import { createDispatcher } from '../../src/transports/http-pool.js';
import { isReplyFailure, jsonResponse, rpcErrorIn, streamedResponse } from '../../src/transports/reply-reading.js';
import { INVALID_RESPONSE } from '../../src/transports/rpc-result.js';

const body = (text: string | undefined, tooLarge = false) => ({
  data: text === undefined ? undefined : Buffer.from(text), bytes: text?.length ?? 0, tooLarge,
});

describe('jsonResponse', () => {
  it('finds the response to its id, alone or in a batch', () => {
    assert.deepEqual(jsonResponse(body('{"jsonrpc":"2.0","id":3,"result":{"a":1}}'), 3), { jsonrpc: '2.0', id: 3, result: { a: 1 } });
    const found = jsonResponse(body('[{"jsonrpc":"2.0","id":2,"result":1},{"jsonrpc":"2.0","id":3,"result":2}]'), 3);
    assert.equal(isReplyFailure(found), false);
    assert.equal((found as { result: unknown }).result, 2);
  });

  it('keeps an error about the request itself (id null)', () => {
    const found = jsonResponse(body('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse"}}'), 3);
    assert.equal(isReplyFailure(found), false);
  });

  it('names why there is no response', () => {
    const cases: [ReturnType<typeof body>, unknown][] = [
      [body(undefined, true), TOO_LARGE],
      [body(undefined), NO_RESPONSE],
      [body('{"jsonrpc"'), INVALID_JSON],
      [body('{"jsonrpc":"2.0","id":4,"result":{}}'), WRONG_ID],
      [body('[{"jsonrpc":"2.0","id":4,"result":{}}]'), WRONG_ID],
      [body('42'), INVALID_RESPONSE],
    ];
    for (const [reply, expected] of cases) {
      const found = jsonResponse(reply, 3);
      assert.equal(found, expected);
      assert.equal(isReplyFailure(found), true);
    }
  });
});

describe('streamedResponse', () => {
  const resume = (deadline = new InFlight().start(5000)) => ({
    dispatcher: createDispatcher(), origin: 'http://127.0.0.1:9', path: '/mcp', headers: {}, maxBodyBytes: 1024, deadline,
  });

  it('reads up to the response, passing the messages before it on, and leaves the rest to drain', async () => {
    const seen: unknown[] = [];
    const stream = Readable.from([
      'data: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":1}}\n\n',
      'data: {"jsonrpc":"2.0","id":7,"result":{"ok":true}}\n\n',
      'data: {"jsonrpc":"2.0","method":"late"}\n\n',
    ]);
    const reply = await streamedResponse(stream, 7, { ...resume(), onMessage: (m) => seen.push(m.method) });
    assert.deepEqual(reply.message, { jsonrpc: '2.0', id: 7, result: { ok: true } });
    assert.equal(reply.error, undefined);
    assert.deepEqual(seen, ['notifications/progress']);
    assert.ok(reply.rest);
    await reply.rest.return?.();
  });

  it('names a stream that ends without the response, or carries another id', async () => {
    assert.equal((await streamedResponse(Readable.from(['data: {"jsonrpc":"2.0","id":8,"result":{}}\n\n']), 7, resume())).error, WRONG_ID);
    assert.equal((await streamedResponse(Readable.from([': keep-alive\n\n']), 7, resume())).error, NO_RESPONSE);
    assert.equal((await streamedResponse(Readable.from(['data: {nope\n\n']), 7, resume())).error, INVALID_JSON);
  });
});

describe('rpcErrorIn', () => {
  it('gives the JSON-RPC error of a refused request, nothing for other bodies', () => {
    assert.deepEqual(rpcErrorIn(Buffer.from('{"jsonrpc":"2.0","id":1,"error":{"code":-32022,"data":{"supported":["x"]}}}')),
      { code: -32022, data: { supported: ['x'] } });
    assert.equal(rpcErrorIn(Buffer.from('<html>busy</html>')), undefined);
    assert.equal(rpcErrorIn(undefined), undefined);
  });
});


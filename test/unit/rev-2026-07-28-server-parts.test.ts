/**
 * Small parts of the reference server's 2026-07-28 and resumption support:
 * the sealed requestState, the strict header decoding, the listen filter,
 * and the session event store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { decodeHeaderValueStrict } from '../../src/protocol/rev-2026-07-28.js';
import { agreedFilter } from '../../src/server/rev-2026-07-28-listen.js';
import { openState, sealState } from '../../src/server/rev-2026-07-28-request.js';
import { SessionEventStore } from '../../src/server/session-event-store.js';

test('a sealed requestState opens for its target only, and not once altered', () => {
  const state = sealState('tools/call:a', { round: 2, name: 'Ada' });
  assert.deepEqual(openState('tools/call:a', state), { data: { round: 2, name: 'Ada' } });
  assert.equal(openState('tools/call:b', state), undefined);
  const [body, mac] = state.split('.');
  const forged = Buffer.from(JSON.stringify({ t: 'tools/call:a', d: { round: 3 } })).toString('base64url');
  for (const bad of [`${state}x`, `${forged}.${mac}`, `${body}.`, body!, '', '.']) assert.equal(openState('tools/call:a', bad), undefined, bad);
});

test('header values: plain is literal, the Base64 wrapper must hold canonical Base64', () => {
  const hello = Buffer.from('Hello').toString('base64');
  assert.equal(decodeHeaderValueStrict(`=?base64?${hello}?=`), 'Hello');
  assert.equal(decodeHeaderValueStrict(hello), hello);
  assert.equal(decodeHeaderValueStrict(`=?base64?${hello}`), `=?base64?${hello}`);
  assert.equal(decodeHeaderValueStrict('=?base64?SGVsbG8?='), undefined);
  assert.equal(decodeHeaderValueStrict('=?base64?SGVs!!!bG8=?='), undefined);
});

test('the listen filter keeps the kinds asked for with true and the URIs, and refuses what is not a filter', () => {
  assert.deepEqual(agreedFilter({ toolsListChanged: true, promptsListChanged: false, other: true, resourceSubscriptions: ['a', 'a', 'b'] }),
    { toolsListChanged: true, resourceSubscriptions: ['a', 'b'] });
  assert.deepEqual(agreedFilter({}), {});
  for (const bad of [undefined, null, [], 'x', { resourceSubscriptions: [1] }, { resourceSubscriptions: Array.from({ length: 101 }, (_, i) => `u${i}`) }]) {
    assert.equal(agreedFilter(bad), undefined, JSON.stringify(bad));
  }
});

test('the session event store replays what followed an event on its own stream, priming events left out, and stays bounded', async () => {
  const store = new SessionEventStore();
  const msg = (id: number): JSONRPCMessage => ({ jsonrpc: '2.0', id, result: {} });
  const priming = await store.storeEvent('s1', {} as JSONRPCMessage);
  const first = await store.storeEvent('s1', msg(1));
  await store.storeEvent('s2', msg(2));
  await store.storeEvent('s1', msg(3));
  assert.equal(await store.getStreamIdForEventId(first), 's1');
  const replayed: Array<[string, unknown]> = [];
  const stream = await store.replayEventsAfter(priming, { send: async (id, m) => { replayed.push([id, (m as { id: number }).id]); } });
  assert.equal(stream, 's1');
  assert.deepEqual(replayed.map(([, id]) => id), [1, 3]);

  for (let i = 0; i < 300; i++) await store.storeEvent('s3', msg(100 + i));
  const all: unknown[] = [];
  await store.replayEventsAfter('s3_0', { send: async (_id, m) => { all.push((m as { id: number }).id); } });
  assert.equal(all.length, 256);
  assert.equal(all.at(-1), 399);
});

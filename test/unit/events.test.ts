/**
 * The run's events (metrics/events.ts): no `request` listener, no cost (the
 * recorder handed back is the one given); with one, every sample reaches it
 * after the stats, and a listener that throws is an exception, not a crash.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listenersProblem, RunEvents, type RequestEvent } from '../../src/metrics/events.js';
import { Stats } from '../../src/metrics/stats.js';

test('without a request listener the recorder is the stats themselves', () => {
  const stats = new Stats();
  const events = new RunEvents({ testStart: () => {} }, () => assert.fail('no error expected'));
  assert.equal(events.recorderFor(stats), stats);
  assert.equal(new RunEvents(undefined, () => {}).recorderFor(stats), stats);
});

test('request listeners hear every sample, after it is counted, in order', () => {
  const stats = new Stats();
  const heard: Array<[string, RequestEvent]> = [];
  const events = new RunEvents([
    { request: (r) => heard.push(['a', r]) },
    { request: (r) => heard.push(['b', r]) },
  ], () => assert.fail('no error expected'));
  const recorder = events.recorderFor(stats);
  recorder.record('tools/call', 'add', 2500, 10);
  recorder.record('tools/call', 'add', 1000, 0, { kind: 'timeout', detail: 'no reply' });
  recorder.checkPassed?.('tools/call', 'add');
  recorder.exception(new Error('boom'), 'task');
  assert.deepEqual(heard.map(([who, r]) => [who, r.latencyMs, r.error?.kind]), [['a', 2.5, undefined], ['b', 2.5, undefined], ['a', 1, 'timeout'], ['b', 1, 'timeout']]);
  const snapshot = stats.snapshot();
  assert.equal(snapshot.entries[0]?.requests, 2);
  assert.equal(snapshot.entries[0]?.failures, 1);
  assert.equal(snapshot.entries[0]?.checksPassed, 1);
  assert.equal(snapshot.exceptions[0]?.count, 1);
});

test('a listener that throws goes to onError; the others and the stats go on', async () => {
  const stats = new Stats();
  const errors: string[] = [];
  let second = 0;
  const events = new RunEvents([
    { request: () => { throw new Error('listener bug'); }, testStop: () => { throw new Error('stop bug'); } },
    { request: () => { second++; }, testStart: () => Promise.reject(new Error('async bug')) },
  ], (err, where) => errors.push(`${where}: ${(err as Error).message}`));
  events.recorderFor(stats).record('GET', '/', 1000, 0);
  events.emit('testStart');
  const thrown = await events.emitAwaited('testStop', { reason: 'time limit', stats: stats.liveRows() });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(second, 1);
  assert.equal(stats.snapshot().entries[0]?.requests, 1);
  assert.equal(thrown.length, 1);
  assert.deepEqual(errors.sort(), ['events.request: listener bug', 'events.testStart: async bug', 'events.testStop: stop bug']);
});

test('listeners added later are heard; has() says whether anyone listens', () => {
  const events = new RunEvents(undefined, () => {});
  assert.equal(events.has('interval'), false);
  const seen: number[] = [];
  events.add({ interval: (rows) => seen.push(rows.length) });
  assert.equal(events.has('interval'), true);
  events.emit('interval', []);
  assert.deepEqual(seen, [0]);
});

test('an events object with a typo or a non-function is refused with the name', () => {
  assert.equal(listenersProblem({ request: () => {}, quitting: () => {} }), undefined);
  assert.equal(listenersProblem([{ testStart: () => {} }, { testStop: () => {} }]), undefined);
  assert.match(listenersProblem({ requests: () => {} }) ?? '', /^events\.requests is not an event \(known: request, /);
  assert.match(listenersProblem({ quitting: 3 }) ?? '', /events\.quitting must be a function/);
  assert.match(listenersProblem('x') ?? '', /must be an object/);
});

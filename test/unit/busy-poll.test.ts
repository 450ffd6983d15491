import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { test } from 'node:test';
import { BusyPoller } from '../../src/engine/busy-poll.js';

test('BusyPoller turns the loop while started and lets it rest once stopped', async () => {
  const poller = new BusyPoller();
  assert.equal(poller.active, false);
  poller.start();
  poller.start(); // a second start must not add a second spinner
  for (let i = 0; i < 20; i++) await nextTurn();
  const turned = poller.polls;
  assert.ok(turned >= 10 && turned <= 21, `one poll per loop turn, got ${turned} in 20 turns`);
  poller.stop();
  await nextTurn();
  const atStop = poller.polls;
  for (let i = 0; i < 10; i++) await nextTurn();
  assert.equal(poller.polls, atStop);
  assert.equal(poller.active, false);
});

import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, it } from 'node:test';
import { abortableSleep, Sleeper } from '../../src/engine/sleep.js';
import { settles } from '../helpers/until.js';

describe('sleeps', () => {
  it('Sleeper.wake ends a long sleep at once', async () => {
    const sleeper = new Sleeper();
    const done = sleeper.sleep(60_000);
    sleeper.wake();
    await settles(done, 'woken sleep');
    sleeper.wake(); // harmless when not sleeping
  });

  it('abortableSleep reports whether it ran out or was aborted, and leaves no listener', async () => {
    const controller = new AbortController();
    assert.equal(await abortableSleep(5, controller.signal), true);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    const cut = abortableSleep(60_000, controller.signal);
    controller.abort();
    assert.equal(await settles(cut, 'aborted sleep'), false);
    assert.equal(await abortableSleep(60_000, controller.signal), false);
  });
});

/**
 * process/stop-signals.ts, with the signals emitted to this process's own
 * listeners (process.emit): the first stops, its echo is ignored, a
 * repeat reaches onRepeat, and a SIGINT during the graceful stop is answered.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onStopSignal, shieldedFromSigint } from '../../src/process/stop-signals.js';

const listening = (signal: NodeJS.Signals) => process.listenerCount(signal);

test('the first SIGINT or SIGTERM stops once; the echo right after it is ignored, not a second stop', () => {
  const before = { int: listening('SIGINT'), term: listening('SIGTERM') };
  const seen: string[] = [];
  onStopSignal((signal) => seen.push(signal));
  process.emit('SIGTERM', 'SIGTERM');
  assert.deepEqual(seen, ['SIGTERM']);
  // No longer listening for a stop; only the echo guard holds SIGTERM for a few seconds (so that it does not kill the run).
  assert.equal(listening('SIGINT'), before.int);
  assert.equal(listening('SIGTERM'), before.term + 1);
  process.emit('SIGTERM', 'SIGTERM');
  assert.deepEqual(seen, ['SIGTERM']);
});

test('with onRepeat, every signal after the first goes there, until closed', () => {
  const seen: string[] = [];
  const listener = onStopSignal((signal) => seen.push(`stop ${signal}`), { onRepeat: (signal) => seen.push(`again ${signal}`) });
  try {
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGTERM', 'SIGTERM');
    assert.deepEqual(seen, ['stop SIGINT', 'again SIGTERM']);
  } finally {
    listener.close();
  }
  listener.close();
  assert.equal(seen.length, 2);
});

test('close() before any signal: nothing is called and nothing is left listening', () => {
  const before = listening('SIGINT');
  const listener = onStopSignal(() => assert.fail('no signal came'));
  assert.equal(listening('SIGINT'), before + 1);
  listener.close();
  assert.equal(listening('SIGINT'), before);
});

test('shieldedFromSigint answers a SIGINT while the work runs, and stops listening after it (also when it throws)', async () => {
  const before = listening('SIGINT');
  let answered = 0;
  const value = await shieldedFromSigint(() => answered++, async () => {
    process.emit('SIGINT', 'SIGINT');
    return 42;
  });
  assert.equal(value, 42);
  assert.equal(answered, 1);
  assert.equal(listening('SIGINT'), before);
  await assert.rejects(shieldedFromSigint(() => answered++, () => Promise.reject(new Error('stop failed'))), /stop failed/);
  assert.equal(listening('SIGINT'), before);
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeException } from '../../src/metrics/exceptions.js';

describe('describeException', () => {
  it('gives a one-line message with the error name, and a traceback that starts with where it surfaced', () => {
    const err = new TypeError('bad\n  value');
    const d = describeException(err, 'Reader.read');
    assert.equal(d.message, 'TypeError: bad value');
    const lines = d.traceback.split('\n');
    assert.equal(lines[0], 'Reader.read');
    // This test file is user code to mcpload: its frame is shown.
    assert.ok(lines.slice(1).some((l) => l.includes('metrics-exceptions.test.ts')), d.traceback);
    assert.ok(lines.length <= 4, 'at most 3 frames of user code');
  });

  it('describes what is not an Error, even a value whose String() throws', () => {
    assert.deepEqual(describeException('plain text', 'T.task'), { message: 'plain text', traceback: 'T.task' });
    assert.equal(describeException('', 'x').message, 'Error');
    const hostile = { toString: () => { throw new Error('no'); } };
    assert.equal(describeException(hostile, 'x').message, '[object Object]');
  });

  it('cuts a very long message to a few KB', () => {
    const d = describeException(new Error('x'.repeat(10_000)), 'w');
    assert.equal(d.message.length, 2048);
    assert.ok(d.message.endsWith('…'));
  });

  it('shows the first frames when none is in user code', () => {
    const err = new Error('deep');
    err.stack = 'Error: deep\n    at inner (node:internal/x:1:1)\n    at outer (/app/node_modules/lib/index.js:2:2)\n    at third (node:internal/y:3:3)';
    assert.equal(describeException(err, 'w').traceback, 'w\nat inner (node:internal/x:1:1)\nat outer (/app/node_modules/lib/index.js:2:2)');
  });
});

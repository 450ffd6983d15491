import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { between, constant, constantPacing } from '../../src/engine/user-class.js';

describe('wait times', () => {
  it('constant waits the same every time', () => {
    const wait = constant(2);
    assert.equal(wait(0), 2000);
    assert.equal(wait(5000), 2000);
  });

  it('between stays within its bounds and varies', () => {
    const wait = between(1, 2);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const ms = wait(0);
      assert.ok(ms >= 1000 && ms <= 2000, `${ms} out of [1000, 2000]`);
      seen.add(ms);
    }
    assert.ok(seen.size > 1);
  });

  it('constantPacing subtracts the task time, never below zero', () => {
    const wait = constantPacing(1);
    assert.equal(wait(300), 700);
    assert.equal(wait(0), 1000);
    assert.equal(wait(1500), 0);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Gate } from '../../src/engine/gate.js';

describe('Gate', () => {
  it('lets limit holders in, the rest in arrival order, and everyone once opened', async () => {
    const gate = new Gate(2);
    const order: number[] = [];
    const enter = (n: number) => gate.enter().then(() => void order.push(n));
    void enter(1);
    void enter(2);
    void enter(3);
    void enter(4);
    void enter(5);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, [1, 2]);
    assert.equal(gate.inside, 2);
    assert.equal(gate.waiting, 3);
    gate.leave();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, [1, 2, 3]);
    assert.equal(gate.inside, 2);
    gate.open();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(order, [1, 2, 3, 4, 5]);
    assert.equal(gate.inside, 4);
    assert.equal(gate.waiting, 0);
    await gate.enter();
    assert.equal(gate.inside, 5);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countByClass, EngineConfigError, planUserClasses } from '../../src/engine/distribution.js';
import type { UserClassDef } from '../../src/engine/user-class.js';
import { cls, type Ctx } from '../helpers/engine-harness.js';

describe('planUserClasses', () => {
  const heavy = cls('L', { weight: 3 });
  const light = cls('H', { weight: 1 });

  it('shares 8 users 6:2 for weights 3:1, with the right mix at every prefix', () => {
    const order = planUserClasses([heavy, light], 8);
    assert.deepEqual(countByClass(order), { L: 6, H: 2 });
    let l = 0;
    order.forEach((c, i) => {
      if (c === heavy) l++;
      const n = i + 1;
      assert.ok(Math.abs(l - (n * 3) / 4) < 1, `prefix ${n} holds ${l} L`);
    });
    assert.deepEqual(
      order.map((c) => c.name),
      ['L', 'L', 'H', 'L', 'L', 'L', 'H', 'L'],
    );
  });

  it('gives a smaller total as a prefix of a larger one', () => {
    const classes = [cls('A', { fixedCount: 2 }), cls('B', { fixedCount: 1 }), heavy, light];
    const big = planUserClasses(classes, 20).map((c) => c.name);
    for (let n = 0; n <= 20; n++) assert.deepEqual(planUserClasses(classes, n).map((c) => c.name), big.slice(0, n));
  });

  it('spawns fixedCount classes first and shares the rest by weight', () => {
    const fixed = cls('F', { fixedCount: 2, weight: 100 });
    const order = planUserClasses([heavy, fixed, light], 10);
    assert.deepEqual(
      order.slice(0, 2).map((c) => c.name),
      ['F', 'F'],
    );
    assert.deepEqual(countByClass(order), { F: 2, L: 6, H: 2 });
    assert.deepEqual(countByClass(planUserClasses([heavy, fixed, light], 1)), { F: 1 });
  });

  it('stops short when only fixed counts are left to fill', () => {
    const order = planUserClasses([cls('F', { fixedCount: 3 }), cls('Z', { weight: 0 })], 10);
    assert.deepEqual(countByClass(order), { F: 3 });
  });

  it('rejects bad configurations with a one-line EngineConfigError', () => {
    const bad: [UserClassDef<Ctx>[], number][] = [
      [[], 1],
      [[cls('A', { weight: -1 })], 1],
      [[cls('A', { weight: 0 }), cls('B', { weight: 0 })], 1],
      [[cls('A', { weight: Number.NaN })], 1],
      [[cls('A', { fixedCount: 1.5 })], 1],
      [[cls('A'), cls('A')], 1],
      [[cls('A')], Number.NaN],
      [[cls('A')], -1],
    ];
    for (const [classes, total] of bad) {
      assert.throws(
        () => planUserClasses(classes, total),
        (err: unknown) => err instanceof EngineConfigError && !err.message.includes('\n'),
      );
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveLoadModel, shareLoadModel, startLoad, type LoadModel } from '../../src/app/load-model.js';
import type { TestRun } from '../../src/app/test-run.js';
import type { LoadShape, ShapeTick } from '../../src/engine/shape.js';

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const parts = (model: LoadModel, n: number) => Array.from({ length: n }, (_, i) => shareLoadModel(model, i, n));
/** Floating-point sums of n shares differ from the whole by rounding at most. */
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, expected), `${actual} ≠ ${expected}`);

describe('shares of a load model among workers', () => {
  it('closed model: the users add up exactly, and every part that starts anyone ends its ramp when one process would', () => {
    for (const [users, n] of [[10, 3], [2, 5], [7, 7], [1000, 20], [1, 4]] as const) {
      const shares = parts({ kind: 'closed', users, spawnRate: 50 }, n).map((p) => (p.kind === 'closed' ? p : assert.fail()));
      assert.equal(sum(shares.map((s) => s.users)), users, `${users} users over ${n}`);
      close(sum(shares.filter((s) => s.users > 0).map((s) => s.spawnRate)), 50);
      for (const s of shares) {
        assert.ok(s.spawnRate > 0);
        if (s.users > 0) close(s.users / s.spawnRate, users / 50);
      }
    }
  });

  it('open model: rates add up at every stage, and so do the pools while there are at least as many users as parts', () => {
    const model = resolveLoadModel({ users: 1, spawnRate: 1, stages: '10s:90,20s:301,5s:0', maxUsers: 10 });
    const shares = parts(model, 3).map((p) => (p.kind === 'open' ? p : assert.fail()));
    assert.equal(sum(shares.map((s) => s.maxUsers)), 10);
    if (model.kind !== 'open') assert.fail();
    model.segments.forEach((segment, k) => {
      close(sum(shares.map((s) => s.segments[k]!.fromRate)), segment.fromRate);
      close(sum(shares.map((s) => s.segments[k]!.toRate)), segment.toRate);
      for (const s of shares) assert.equal(s.segments[k]!.durationS, segment.durationS);
    });
    // More parts than pool users: each still needs one.
    assert.deepEqual(parts({ kind: 'open', segments: [], maxUsers: 2 }, 3).map((p) => (p.kind === 'open' ? p.maxUsers : 0)), [1, 1, 1]);
  });

  it('user stages: every stage\'s count adds up exactly', () => {
    const model = resolveLoadModel({ users: 1, spawnRate: 1, userStages: '10s:7,20s:11,10s:0' });
    if (model.kind !== 'user-stages') assert.fail();
    const shares = parts(model, 4).map((p) => (p.kind === 'user-stages' ? p : assert.fail()));
    model.steps.forEach((step, k) => assert.equal(sum(shares.map((s) => s.steps[k]!.users)), step.users, `stage ${k}`));
  });

  it('a shape: each tick\'s users add up exactly (not rounded apart), and its rate too', async () => {
    const ticks: ShapeTick[] = [{ users: 10, spawnRate: 5 }, { users: 2, spawnRate: 1 }, { rate: 100 }];
    const shape: LoadShape = (elapsedS) => ticks[elapsedS] ?? null;
    const model = resolveLoadModel({ users: 1, spawnRate: 1 }, shape);
    const scaled = await Promise.all(parts(model, 3).map(async (part) => {
      let given: LoadShape | undefined;
      const run = { startShape: (s: LoadShape) => { given = s; return Promise.resolve(); } } as unknown as TestRun;
      await startLoad(run, part);
      return given!;
    }));
    for (const [t, tick] of ticks.entries()) {
      const got = await Promise.all(scaled.map(async (s) => s(t)));
      if (tick !== null && 'users' in tick) {
        assert.equal(sum(got.map((g) => (g && 'users' in g ? g.users : 0))), tick.users, `tick ${t}`);
        const starting = got.filter((g) => g && 'users' in g && g.users > 0);
        close(sum(starting.map((g) => (g && 'spawnRate' in g ? g.spawnRate : 0))), tick.spawnRate);
      } else if (tick !== null) {
        close(sum(got.map((g) => (g && 'rate' in g ? g.rate : 0))), tick.rate);
      }
    }
  });
});

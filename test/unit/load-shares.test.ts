import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveLoadModel, shareLoadModel, startLoad, type LoadModel } from '../../src/app/load-model.js';
import type { TestRun } from '../../src/app/test-run.js';
import { ArrivalPlan, segmentsFrom } from '../../src/engine/arrival-plan.js';
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

  it('a worker joining late (a replacement) starts the plan where the run is: the cut plan gives the whole one\'s due times from there', () => {
    const segments = [{ durationS: 10, fromRate: 0, toRate: 90 }, { durationS: 20, fromRate: 90, toRate: 301 }, { durationS: 5, fromRate: 301, toRate: 0 }];
    for (const fromS of [0, 4, 10, 17.5, 33]) {
      const whole = new ArrivalPlan(segments);
      const late = new ArrivalPlan(segmentsFrom(segments, fromS));
      close(late.durationS, 35 - fromS);
      for (const t of [0, 0.5, 1.7]) if (fromS + t < 35) close(late.rateAt(t), whole.rateAt(fromS + t));
      // Iterations due after fromS in the whole plan, in the same order and at the same times less fromS.
      const due: number[] = [];
      for (let d = whole.next(); d !== undefined; d = whole.next()) if (d >= fromS) due.push(d - fromS);
      const lateDue: number[] = [];
      for (let d = late.next(); d !== undefined; d = late.next()) lateDue.push(d);
      assert.ok(Math.abs(lateDue.length - due.length) <= 1, `from ${fromS}s: ${lateDue.length} vs ${due.length}`);
      for (let k = 0; k < Math.min(20, due.length, lateDue.length); k++) assert.ok(Math.abs(lateDue[k]! - due[k]!) < 0.05, `from ${fromS}s, iteration ${k}`);
    }
    assert.deepEqual(segmentsFrom(segments, 35), []);
    assert.deepEqual(segmentsFrom([{ durationS: Infinity, fromRate: 7, toRate: 7 }], 100), [{ durationS: Infinity, fromRate: 7, toRate: 7 }]);
  });

  it('startLoad from a later second: shapes and user stages are asked for the run\'s time, open plans are cut, a plan already over starts nothing', async () => {
    const asked: number[] = [];
    const shape: LoadShape = (t) => { asked.push(t); return { users: 4, spawnRate: 2 }; };
    let given: LoadShape | undefined;
    let arrivals: ArrivalPlan | undefined;
    const run = {
      startShape: (s: LoadShape) => { given = s; return Promise.resolve(); },
      startArrivals: (plan: ArrivalPlan) => { arrivals = plan; },
    } as unknown as TestRun;
    await startLoad(run, { kind: 'shape', shape, maxUsers: 4 }, 12);
    await given!(3);
    assert.deepEqual(asked, [15]);
    const userStages = resolveLoadModel({ users: 1, spawnRate: 1, userStages: '10s:10,10s:20' });
    await startLoad(run, userStages);
    const fromStart = given!;
    await startLoad(run, userStages, 12);
    assert.deepEqual(await given!(0), await fromStart(12));
    assert.notDeepEqual(await given!(0), await fromStart(0));
    await startLoad(run, resolveLoadModel({ users: 1, spawnRate: 1, stages: '10s:100,10s:100', maxUsers: 5 }), 15);
    close(arrivals!.durationS, 5);
    close(arrivals!.rateAt(0), 100);
    arrivals = undefined;
    await startLoad(run, resolveLoadModel({ users: 1, spawnRate: 1, stages: '10s:100', maxUsers: 5 }), 11);
    assert.equal(arrivals, undefined);
  });
});

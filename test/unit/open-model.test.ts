import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArrivalPlan, parseStages, stagesToSegments } from '../../src/engine/arrival-plan.js';
import { EngineConfigError } from '../../src/engine/distribution.js';
import { OpenRunner } from '../../src/engine/open-runner.js';
import { checkShapeTick } from '../../src/engine/shape.js';
import type { UserClassDef } from '../../src/engine/user-class.js';
import { takeLatencyOrigin } from '../../src/transports/iteration-timing.js';
import { resolveLoadModel, shareLoadModel, shareOf } from '../../src/app/load-model.js';
import { until } from '../helpers/until.js';

/** Every due time of a plan, up to `limit` of them. */
function dueTimes(plan: ArrivalPlan, limit = 1_000_000): number[] {
  const out: number[] = [];
  while (out.length < limit) {
    const t = plan.next();
    if (t === undefined) break;
    out.push(t);
  }
  return out;
}

describe('ArrivalPlan', () => {
  it('a constant rate gives rate × duration iterations, evenly spaced', () => {
    const times = dueTimes(new ArrivalPlan([{ durationS: 10, fromRate: 200, toRate: 200 }]));
    assert.equal(times.length, 2000);
    assert.ok(Math.abs((times[0] ?? 0) - 0.005) < 1e-9);
    assert.ok(Math.abs((times[1] ?? 0) - (times[0] ?? 0) - 0.005) < 1e-9);
    assert.ok((times.at(-1) ?? 0) <= 10 + 1e-9);
  });

  it('a linear ramp gives the area under it, with arrivals getting closer together', () => {
    const times = dueTimes(new ArrivalPlan(stagesToSegments(parseStages('10s:100'))));
    assert.equal(times.length, 500); // ½ · 10 s · 100/s
    const first = (times[1] ?? 0) - (times[0] ?? 0);
    const last = (times.at(-1) ?? 0) - (times.at(-2) ?? 0);
    assert.ok(last < first);
    for (let i = 1; i < times.length; i++) assert.ok((times[i] ?? 0) >= (times[i - 1] ?? 0));
  });

  it('stages ramp up, hold and down: 30s:100,1m:100,30s:0 holds 1500 + 6000 + 1500', () => {
    assert.equal(dueTimes(new ArrivalPlan(stagesToSegments(parseStages('30s:100,1m:100,30s:0')))).length, 9000);
  });

  it('setRate changes the rate from a moment on without repeating or losing iterations', () => {
    const plan = new ArrivalPlan([{ durationS: Infinity, fromRate: 10, toRate: 10 }]);
    const before = dueTimes(plan, 10); // up to 1.0 s
    assert.ok(Math.abs((before.at(-1) ?? 0) - 1) < 1e-9);
    plan.setRate(1, 100, 1);
    const after = dueTimes(plan);
    assert.equal(after.length, 100);
    assert.ok((after[0] ?? 0) > 1 && Math.abs((after.at(-1) ?? 0) - 2) < 1e-9);
  });

  it('rejects malformed stages and rates with a readable error', () => {
    assert.throws(() => parseStages('30s'), EngineConfigError);
    assert.throws(() => parseStages('abc:10'), /DURATION:RATE/);
    assert.throws(() => parseStages(''), /empty/);
    assert.throws(() => new ArrivalPlan([{ durationS: 1, fromRate: -1, toRate: 1 }]), EngineConfigError);
    assert.deepEqual(parseStages('500ms:10, 2m:5'), [{ durationS: 0.5, target: 10 }, { durationS: 120, target: 5 }]);
  });
});

describe('load models', () => {
  it('picks the model from the flags and shares it among workers so the parts add up', () => {
    const open = resolveLoadModel({ users: 1, spawnRate: 1, arrivalRate: 90, maxUsers: 7 });
    assert.equal(open.kind, 'open');
    const parts = [0, 1].map((i) => shareLoadModel(open, i, 2));
    const users = parts.reduce((sum, p) => sum + (p.kind === 'open' ? p.maxUsers : 0), 0);
    const rate = parts.reduce((sum, p) => sum + (p.kind === 'open' ? (p.segments[0]?.toRate ?? 0) : 0), 0);
    assert.equal(users, 7);
    assert.equal(rate, 90);
    assert.deepEqual([0, 1, 2].map((i) => shareOf(10, i, 3)), [4, 3, 3]);
    assert.throws(() => resolveLoadModel({ users: 1, spawnRate: 1, arrivalRate: 5, stages: '1s:1' }), /one of them/);
    assert.equal(resolveLoadModel({ users: 3, spawnRate: 1 }).kind, 'closed');
  });

  it('checks what a shape returns', () => {
    assert.deepEqual(checkShapeTick({ rate: 5 }), { rate: 5 });
    assert.deepEqual(checkShapeTick({ users: 3, spawnRate: 1 }), { users: 3, spawnRate: 1 });
    assert.equal(checkShapeTick(null), null);
    assert.throws(() => checkShapeTick({ users: -1, spawnRate: 1 }), /users/);
    assert.throws(() => checkShapeTick({ rate: 'x' }), /rate/);
  });
});

describe('latency origin (coordinated-omission correction)', () => {
  it('the first request of an iteration takes the intended start, later ones their own send time', () => {
    const timing = { intendedStartUs: 1000, service: { record() {}, exception() {} } };
    assert.equal(takeLatencyOrigin(timing, 5000), 1000);
    assert.equal(takeLatencyOrigin(timing, 6000), 6000);
    timing.intendedStartUs = 9000; // in the future: not trusted
    assert.equal(takeLatencyOrigin(timing, 7000), 7000);
    assert.equal(takeLatencyOrigin(undefined, 42), 42);
  });
});

interface Ctx { id: number }

describe('OpenRunner', () => {
  it('runs iterations on the plan, tells each its intended start, and drops what finds no free user', async () => {
    const intended: number[] = [];
    let started = 0;
    let closed = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const cls: UserClassDef<Ctx> = {
      name: 'Slow',
      // Every iteration blocks until the test releases it, so only the pool's 3 users ever start one.
      tasks: [{ name: 'block', run: async () => {
        started++;
        await gate;
      } }],
    };
    let ended = false;
    const runner = new OpenRunner<Ctx>({
      classes: [cls],
      onPlanEnd: () => {
        ended = true;
      },
      maxUsers: 3,
      makeContext: ({ id }) => ({ id }),
      closeContext: async () => {
        closed++;
      },
      beginIteration: (_ctx, us) => intended.push(us),
      onException: (err) => assert.fail(String(err)),
    });
    const plan = new ArrivalPlan([{ durationS: 0.2, fromRate: 100, toRate: 100 }]);
    runner.start(plan);
    await until('the plan to end', () => ended);
    assert.equal(runner.dueIterations, 20);
    assert.equal(started, 3);
    assert.equal(runner.droppedIterations, 17);
    assert.equal(runner.busyUsers, 3);
    // Intended starts are the plan's due times (10 ms apart), not when a timer fired.
    assert.equal(intended.length, 3);
    assert.ok(Math.abs((intended[1] ?? 0) - (intended[0] ?? 0) - 10_000) < 1);
    release();
    await runner.stop();
    assert.equal(closed, 3);
    assert.equal(runner.state, 'stopped');
  });

  it('a user whose onStart fails leaves the pool', async () => {
    const errors: string[] = [];
    let n = 0;
    const runner = new OpenRunner<Ctx>({
      classes: [{ name: 'Flaky', tasks: [{ name: 't', run: () => undefined }], onStart: () => {
        if (n++ === 0) throw new Error('handshake failed');
      } }],
      maxUsers: 4,
      makeContext: ({ id }) => ({ id }),
      onException: (_err, where) => errors.push(where),
    });
    runner.start(new ArrivalPlan([{ durationS: Infinity, fromRate: 50, toRate: 50 }]));
    await until('the pool to fill', () => runner.state === 'running');
    assert.equal(runner.userCount, 3);
    assert.deepEqual(errors, ['Flaky.onStart']);
    await runner.stop();
  });

  it('at stop, at most maxClosing users close at once, and every one closes', async () => {
    let closing = 0;
    let most = 0;
    let closed = 0;
    const gates: Array<() => void> = [];
    const runner = new OpenRunner<Ctx>({
      classes: [{ name: 'Idle', tasks: [{ name: 't', run: () => undefined }] }],
      maxUsers: 7,
      maxClosing: 2,
      makeContext: ({ id }) => ({ id }),
      closeContext: async () => {
        closing++;
        most = Math.max(most, closing);
        await new Promise<void>((resolve) => gates.push(resolve));
        closing--;
        closed++;
      },
      onException: (err) => assert.fail(String(err)),
    });
    runner.start(new ArrivalPlan([{ durationS: Infinity, fromRate: 1, toRate: 1 }]));
    await until('the pool to fill', () => runner.state === 'running');
    const stopped = runner.stop();
    // Release closes one by one as they arrive: never more than two are waiting.
    while (closed < 7) {
      await until('a close to start', () => gates.length > 0);
      assert.ok(closing <= 2, `${closing} closing at once`);
      gates.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await stopped;
    assert.equal(most, 2);
    assert.equal(closed, 7);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineConfigError, planUserClasses } from '../../src/engine/distribution.js';
import { abortableSleep } from '../../src/engine/sleep.js';
import { constant, type UserClassDef } from '../../src/engine/user-class.js';
import { cls, harness, logTask, type Ctx } from '../helpers/engine-harness.js';
import { settles, until } from '../helpers/until.js';

describe('Runner', () => {
  it('spawns N users at a rate in plan order, runs tasks, and starts and stops each user once', async () => {
    const classes = [
      cls('A', { weight: 3, tasks: [logTask('a')], wait: constant(0.002), onStart: (c) => void c.log.push('start'), onStop: (c) => void c.log.push('stop') }),
      cls('B', { weight: 1, tasks: [logTask('b')], wait: constant(0.002), onStart: (c) => void c.log.push('start'), onStop: (c) => void c.log.push('stop') }),
    ];
    const { runner, contexts, closed, states, exceptions, spawned } = harness(classes);
    assert.equal(runner.state, 'idle');
    const complete = spawned();
    runner.start(8, 40);
    assert.equal(runner.state, 'spawning');
    assert.ok(runner.userCount >= 1 && runner.userCount < 8, `spawned at a rate, not at once (${runner.userCount})`);
    assert.equal(runner.targetUsers, 8);
    await settles(complete, 'spawning', 4000);
    assert.equal(runner.state, 'running');
    assert.equal(runner.userCount, 8);
    assert.deepEqual(runner.usersByClass(), { A: 6, B: 2 });
    assert.deepEqual(
      contexts.map((c) => c.className),
      planUserClasses(classes, 8).map((c) => c.name),
    );
    assert.deepEqual(
      contexts.map((c) => c.id),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );

    await until('every user running tasks', () => contexts.every((c) => c.log.length >= 3));
    await runner.stop();
    assert.equal(runner.state, 'stopped');
    assert.equal(runner.userCount, 0);
    assert.deepEqual(states, ['spawning', 'running', 'stopping', 'stopped']);
    assert.deepEqual(exceptions, []);
    assert.deepEqual(
      [...closed].sort((x, y) => x - y),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );
    for (const c of contexts) {
      assert.equal(c.log[0], 'start');
      assert.equal(c.log.filter((e) => e === 'start').length, 1);
      assert.deepEqual(c.log.slice(-2), ['stop', 'close'], `user ${c.id}: onStop then closeContext, once`);
      assert.equal(c.log.filter((e) => e === 'stop').length, 1);
      assert.ok(c.log.slice(1, -2).every((e) => e === c.className.toLowerCase()));
      assert.equal(c.signal.aborted, true, 'signal aborted once the user is gone');
    }
    await runner.stop(); // idempotent
    assert.equal(closed.length, 8);
  });

  it('spawns several users per tick at high rates and handles thousands of users', async () => {
    let iterations = 0;
    const { runner, closed, spawned } = harness([
      cls('Many', { tasks: [{ name: 'n', run: () => void iterations++ }], wait: constant(0.02) }),
    ]);
    const complete = spawned();
    runner.start(3000, 100_000);
    await settles(complete, 'spawning 3000 users', 4000);
    assert.equal(runner.userCount, 3000);
    await until('iterations', () => iterations >= 6000);
    await runner.stop();
    assert.equal(closed.length, 3000);
  });

  it('does not starve the event loop with tasks that never await and no wait', async () => {
    let iterations = 0;
    const { runner } = harness([cls('Busy', { tasks: [{ name: 'spin', run: () => void iterations++ }] })]);
    runner.start(5, 1000);
    await new Promise((resolve) => setTimeout(resolve, 30)); // would never fire if starved
    assert.ok(iterations > 0);
    await runner.stop();
  });

  it('lets a task in flight finish within stopTimeoutMs', async () => {
    let completed = 0;
    let began!: () => void;
    const inTask = new Promise<void>((resolve) => (began = resolve));
    const { runner, contexts, exceptions } = harness(
      [
        cls('Slow', {
          tasks: [
            {
              name: 'slow',
              run: async (ctx) => {
                began();
                if (await abortableSleep(200, ctx.signal)) completed++;
              },
            },
          ],
          onStop: (c) => void c.log.push(`stop after ${completed}`),
        }),
      ],
      { stopTimeoutMs: 1000 },
    );
    runner.start(1, 100);
    await settles(inTask, 'first task');
    await runner.stop();
    assert.equal(completed, 1, 'the task finished before the stop resolved');
    assert.deepEqual(contexts[0]?.log, ['stop after 1', 'close']);
    assert.deepEqual(exceptions, []);
  });

  it('cuts a task in flight at once when stopTimeoutMs is 0: signal aborted, completion not observed', async () => {
    let completed = 0;
    let began!: () => void;
    const inTask = new Promise<void>((resolve) => (began = resolve));
    const { runner, contexts, exceptions } = harness([
      cls('Slow', {
        tasks: [
          {
            name: 'slow',
            run: async (ctx) => {
              began();
              if (!(await abortableSleep(200, ctx.signal))) throw new Error('aborted');
              completed++;
            },
          },
        ],
        onStop: (c) => void c.log.push(`stop aborted=${c.signal.aborted}`),
      }),
    ]);
    runner.start(1, 100);
    await settles(inTask, 'first task');
    await runner.stop();
    assert.equal(completed, 0);
    assert.equal(contexts[0]?.signal.aborted, true);
    assert.deepEqual(contexts[0]?.log, ['stop aborted=true', 'close']);
    assert.deepEqual(exceptions, [], 'the error of a cut task is not reported');
  });

  it('abandons a task that ignores its signal instead of waiting for it', async () => {
    let began!: () => void;
    const inTask = new Promise<void>((resolve) => (began = resolve));
    let finished = false;
    const { runner, closed } = harness([
      cls('Deaf', {
        tasks: [
          {
            name: 'deaf',
            run: async () => {
              began();
              await new Promise((resolve) => setTimeout(resolve, 10_000).unref());
              finished = true;
            },
          },
        ],
      }),
    ]);
    runner.start(1, 100);
    await settles(inTask, 'first task');
    await settles(runner.stop(), 'stop with a task that ignores its signal');
    assert.equal(finished, false);
    assert.deepEqual(closed, [0]);
  });

  it('returns from stop promptly while users are in long waits', async () => {
    const { runner, contexts, closed, spawned } = harness([cls('Idle', { tasks: [logTask('once')], wait: constant(3600) })], {
      stopTimeoutMs: 30_000,
    });
    const complete = spawned();
    runner.start(20, 1000);
    await settles(complete, 'spawning');
    await until('first tasks', () => contexts.every((c) => c.log.length === 1));
    await settles(runner.stop(), 'stop during hour-long waits');
    assert.equal(closed.length, 20);
    assert.ok(contexts.every((c) => c.log.length === 2), 'no task after stop');
  });

  it('reports exceptions from tasks, onStart and onStop by Class.name and keeps other users going', async () => {
    let good = 0;
    const classes: UserClassDef<Ctx>[] = [
      cls('Bad', {
        fixedCount: 2,
        wait: constant(0.005),
        tasks: [
          {
            name: 'explode',
            run: () => {
              throw new Error('sync boom');
            },
          },
          {
            name: 'reject',
            run: async () => {
              throw new Error('async boom');
            },
          },
        ],
        onStop: () => {
          throw new Error('stop boom');
        },
      }),
      cls('Broken', {
        fixedCount: 2,
        tasks: [logTask('never')],
        onStart: async () => {
          throw new Error('start boom');
        },
        onStop: (c) => void c.log.push('stop'),
      }),
      cls('Good', { fixedCount: 2, wait: constant(0.005), tasks: [{ name: 'ok', run: () => void good++ }] }),
    ];
    const { runner, contexts, exceptions, closed, spawned } = harness(classes);
    const where = (w: string) => exceptions.filter((e) => e.where === w).length;
    const complete = spawned();
    runner.start(6, 1000);
    await settles(complete, 'spawning');
    await until('tasks and failures', () => good >= 20 && where('Bad.explode') >= 2 && where('Bad.reject') >= 2);
    assert.equal(where('Broken.onStart'), 2);
    assert.deepEqual(runner.usersByClass(), { Bad: 2, Broken: 0, Good: 2 }, 'users that failed onStart end');
    assert.equal(runner.userCount, 4);
    await until('the broken users closed', () => closed.length === 2);
    const broken = contexts.filter((c) => c.className === 'Broken');
    assert.deepEqual(
      broken.map((c) => c.log),
      [['close'], ['close']],
      'no task and no onStop after a failed onStart',
    );

    await runner.stop();
    assert.equal(where('Bad.onStop'), 2);
    assert.equal(closed.length, 6);
    assert.ok(exceptions.every((e) => ['Bad.explode', 'Bad.reject', 'Bad.onStop', 'Broken.onStart'].includes(e.where)));
    assert.ok(exceptions.every((e) => e.err instanceof Error));
  });

  it('changes the user count live with setTarget, stopping the newest first and keeping the mix', async () => {
    const classes = [
      cls('A', { weight: 3, wait: constant(0.005), onStop: (c) => void c.log.push('stop') }),
      cls('B', { weight: 1, wait: constant(0.005), onStop: (c) => void c.log.push('stop') }),
    ];
    const { runner, contexts, closed, spawned } = harness(classes);
    let complete = spawned();
    runner.start(8, 1000);
    await settles(complete, 'spawning 8');
    assert.deepEqual(runner.usersByClass(), { A: 6, B: 2 });

    complete = spawned();
    runner.setTarget(4, 1000);
    await settles(complete, 'ramping down to 4');
    assert.equal(runner.userCount, 4);
    assert.equal(runner.targetUsers, 4);
    assert.deepEqual(runner.usersByClass(), { A: 3, B: 1 });
    await until('surplus users closed', () => closed.length === 4);
    assert.deepEqual(
      [...closed].sort((x, y) => x - y),
      [4, 5, 6, 7],
    );
    assert.ok(contexts.slice(4).every((c) => c.log.includes('stop')), 'surplus users stopped gracefully');

    complete = spawned();
    runner.setTarget(12, 1000);
    await settles(complete, 'ramping up to 12');
    assert.deepEqual(runner.usersByClass(), { A: 9, B: 3 });
    assert.deepEqual(
      contexts.slice(8).map((c) => c.id),
      [8, 9, 10, 11, 12, 13, 14, 15],
    );
    await runner.stop();
    assert.equal(closed.length, 16);
  });

  it('stops in the middle of a ramp-up, spawns nothing afterwards, and can start again', async () => {
    const { runner, contexts, closed, spawned } = harness([cls('A', { wait: constant(0.005) })]);
    runner.start(50, 20);
    await runner.stop();
    const made = contexts.length;
    assert.ok(made >= 1 && made < 50, `stopped mid-ramp after ${made} users`);
    assert.equal(closed.length, made);
    await new Promise((resolve) => setTimeout(resolve, 120)); // past two more spawn slots at 20/s
    assert.equal(contexts.length, made, 'no user spawned after stop');

    const complete = spawned();
    runner.start(2, 1000);
    await settles(complete, 'second run');
    assert.equal(runner.userCount, 2);
    await runner.stop();
    assert.equal(closed.length, made + 2);
  });

  it('rejects bad targets, rates and classes with EngineConfigError', async () => {
    const { runner } = harness([cls('A')]);
    assert.throws(() => runner.start(-1, 1), EngineConfigError);
    assert.throws(() => runner.start(1, 0), EngineConfigError);
    assert.throws(() => runner.start(1, Number.NaN), EngineConfigError);
    assert.throws(() => runner.start(1.5, 1), EngineConfigError);
    assert.equal(runner.state, 'idle');
    assert.throws(() => harness([cls('A', { tasks: [] })]), EngineConfigError);
    assert.throws(() => harness([cls('A')], { stopTimeoutMs: -1 }), EngineConfigError);
    assert.throws(() => harness([cls('A')], { maxStarting: 0 }), EngineConfigError);
    assert.throws(() => harness([cls('A')], { maxClosing: 2.5 }), EngineConfigError);
    await runner.stop();
    assert.equal(runner.state, 'stopped');
  });

  it('survives an onException sink that throws', async () => {
    let runs = 0;
    const { runner } = harness(
      [
        cls('A', {
          tasks: [
            {
              name: 'fail',
              run: () => {
                runs++;
                throw new Error('boom');
              },
            },
          ],
        }),
      ],
      {
        onException: () => {
          throw new Error('sink broken');
        },
      },
    );
    runner.start(2, 1000);
    await until('failing tasks keep running', () => runs >= 10);
    await runner.stop();
    assert.equal(runner.state, 'stopped');
  });
  it('keeps at most maxStarting users in onStart and spawns the next one when one finishes', async () => {
    const gates: Array<() => void> = [];
    let inStart = 0;
    let most = 0;
    const onStart = async (): Promise<void> => {
      inStart++;
      most = Math.max(most, inStart);
      await new Promise<void>((resolve) => gates.push(resolve));
      inStart--;
    };
    const { runner, contexts, spawned } = harness([cls('A', { onStart, wait: constant(3600) })], { maxStarting: 3 });
    const complete = spawned();
    runner.start(10, 100_000);
    await until('spawning held back', () => runner.spawnsPaced > 0);
    assert.equal(contexts.length, 3, 'only 3 users spawned while 3 are in onStart');
    assert.equal(runner.userCount, 3, 'users not spawned yet are not counted');
    assert.equal(runner.state, 'spawning');
    (gates.shift() as () => void)();
    await until('one more user once one finished onStart', () => contexts.length === 4);
    assert.equal(runner.userCount, 4);
    while (contexts.length < 10 || gates.length > 0) {
      await until('a user in onStart', () => gates.length > 0);
      (gates.shift() as () => void)();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await settles(complete, 'spawning paced by onStart');
    assert.equal(runner.userCount, 10);
    assert.equal(most, 3);
    // Spawning was held while users sat in onStart: that wait is counted, and stops growing once spawning is done.
    const paced = runner.spawnPacedMs;
    assert.ok(paced > 0, `paced time counted (${paced} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(runner.spawnPacedMs, paced);
    await runner.stop();
  });

  it('spawns on the clock alone when onStart keeps up, and counts no pacing', async () => {
    const { runner, spawned } = harness([cls('A', { onStart: async () => {}, wait: constant(3600) })], { maxStarting: 2 });
    const complete = spawned();
    runner.start(5, 50);
    await settles(complete, 'spawning');
    assert.equal(runner.spawnsPaced, 0);
    assert.equal(runner.spawnPacedMs, 0);
    await runner.stop();
  });

  it('counts no pacing when a late timer spawns a catch-up burst and onStart keeps up', async () => {
    const { runner, spawned } = harness([cls('A', { onStart: async () => {}, wait: constant(3600) })], { maxStarting: 2 });
    const complete = spawned();
    runner.start(5, 50);
    // Hold the event loop past four spawn intervals: the next tick owes four users at once.
    const until = performance.now() + 120;
    while (performance.now() < until);
    await settles(complete, 'spawning');
    assert.equal(runner.spawnsPaced, 0);
    assert.equal(runner.userCount, 5);
    await runner.stop();
  });

  it('stops while spawning waits on onStart: users stuck in onStart are cut, nobody else is spawned', async () => {
    const { runner, contexts, closed } = harness(
      [cls('Stuck', { onStart: () => new Promise<void>(() => {}) })],
      { maxStarting: 2 },
    );
    runner.start(10, 100_000);
    await until('spawning held back', () => runner.spawnsPaced > 0);
    await settles(runner.stop(), 'stop with users stuck in onStart');
    assert.equal(contexts.length, 2);
    assert.deepEqual([...closed].sort(), [0, 1]);
    assert.ok(contexts.every((c) => c.signal.aborted));
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(contexts.length, 2, 'no user spawned after stop');
  });

  it('lowering the target frees the places of users stopped inside onStart', async () => {
    const { runner, contexts, spawned } = harness(
      [cls('Stuck', { onStart: () => new Promise<void>(() => {}) })],
      { maxStarting: 2 },
    );
    runner.start(4, 100_000);
    await until('spawning held back', () => runner.spawnsPaced > 0);
    let complete = spawned();
    runner.setTarget(0, 100_000);
    await settles(complete, 'ramping down to 0');
    complete = spawned();
    runner.setTarget(2, 100_000);
    await until('two new users in the freed places', () => contexts.length === 4);
    await settles(complete, 'ramping up to 2');
    await settles(runner.stop(), 'stop');
  });

  it('tears down at most maxClosing users at once at stop, and every one of them', async () => {
    const releases: Array<() => void> = [];
    let closing = 0;
    let most = 0;
    const closedIds: number[] = [];
    const { runner, spawned } = harness([cls('A', { wait: constant(3600), onStop: (c) => void c.log.push('stop') })], {
      maxClosing: 4,
      closeContext: async (ctx) => {
        closing++;
        most = Math.max(most, closing);
        await new Promise<void>((resolve) => releases.push(resolve));
        closing--;
        closedIds.push(ctx.id);
      },
    });
    const complete = spawned();
    runner.start(20, 100_000);
    await settles(complete, 'spawning');
    const stopped = runner.stop();
    await until('4 closes under way', () => releases.length === 4);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(closing, 4, 'the others wait their turn');
    while (closedIds.length < 20) {
      await until('a close under way', () => releases.length > 0);
      (releases.shift() as () => void)();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await settles(stopped, 'stop');
    assert.equal(most, 4);
    assert.deepEqual([...closedIds].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i), 'first spawned, first closed');
  });

  it('stops queueing closes once one overruns its limit, so a silent target does not stretch the stop', async () => {
    let calls = 0;
    const { runner, exceptions, spawned } = harness([cls('A', { wait: constant(3600) })], {
      maxClosing: 2,
      closeContext: () => {
        calls++;
        return new Promise<void>(() => {});
      },
    });
    const complete = spawned();
    runner.start(10, 100_000);
    await settles(complete, 'spawning');
    // Queued two by two, 10 users would take 5 limits; the first overrun lets the other 8 close together.
    await settles(runner.stop(), 'stop against a target that never answers', 4000);
    assert.equal(calls, 10);
    assert.equal(exceptions.filter((e) => e.where === 'A.closeContext').length, 10);
  });
});

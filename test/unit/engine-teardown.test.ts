import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Gate } from '../../src/engine/gate.js';
import { closeUser, waitAtMost, type Closing } from '../../src/engine/teardown.js';
import { cls, type Ctx } from '../helpers/engine-harness.js';
import { settles } from '../helpers/until.js';

function closing(extra: Parameters<typeof cls>[1] = {}, started = true): Closing<Ctx> {
  const controller = new AbortController();
  return { def: cls('U', extra), ctx: { id: 0, className: 'U', signal: controller.signal, log: [] }, started, controller };
}

describe('closeUser', () => {
  it('runs onStop then closeContext, aborts the user\'s signal, and leaves the gate', async () => {
    const user = closing({ onStop: (c) => void c.log.push('stop') });
    const gate = new Gate(1);
    const reports: string[] = [];
    await closeUser(user, gate, { stopTimeoutMs: 0, closeContext: async (c) => void c.log.push('close'), report: (_e, where) => reports.push(where) });
    assert.deepEqual(user.ctx.log, ['stop', 'close']);
    assert.equal(user.controller.signal.aborted, true);
    assert.equal(gate.inside, 0);
    assert.deepEqual(reports, []);
  });

  it('skips onStop for a user whose onStart never completed', async () => {
    const user = closing({ onStop: (c) => void c.log.push('stop') }, false);
    await closeUser(user, new Gate(1), { stopTimeoutMs: 0, closeContext: async (c) => void c.log.push('close'), report: () => {} });
    assert.deepEqual(user.ctx.log, ['close']);
  });

  it('reports a throwing onStop by Class.onStop and still closes the context', async () => {
    const user = closing({ onStop: () => { throw new Error('stop boom'); } });
    const reports: { err: unknown; where: string }[] = [];
    await closeUser(user, new Gate(1), { stopTimeoutMs: 0, closeContext: async (c) => void c.log.push('close'), report: (err, where) => reports.push({ err, where }) });
    assert.deepEqual(reports.map((r) => r.where), ['U.onStop']);
    assert.match(String(reports[0]?.err), /stop boom/);
    assert.deepEqual(user.ctx.log, ['close']);
  });

  it('gives up on a close that overruns its limit, reports it, and opens the gate for the rest', async () => {
    const user = closing();
    const gate = new Gate(1);
    const reports: string[] = [];
    // stopTimeoutMs 0 still leaves the 1 s floor: the close never ends, so the floor decides.
    await settles(closeUser(user, gate, { stopTimeoutMs: 0, closeContext: () => new Promise<void>(() => {}), report: (err) => reports.push(String(err)) }), 'a close that never ends', 10_000);
    assert.equal(reports.length, 1);
    assert.match(reports[0] ?? '', /U\.closeContext did not finish within 1000 ms/);
    assert.equal(user.controller.signal.aborted, true);
    // An opened gate lets everyone in at once.
    await settles(Promise.all([gate.enter(), gate.enter(), gate.enter()]), 'entering an opened gate');
  });
});

describe('waitAtMost', () => {
  it('resolves with a promise that settles, rejected ones included', async () => {
    await settles(waitAtMost(Promise.resolve(), 60_000), 'a settled promise');
    await settles(waitAtMost(Promise.reject(new Error('x')).catch(() => undefined), 60_000), 'a rejected promise');
  });

  it('resolves after the limit when the promise never settles', async () => {
    await settles(waitAtMost(new Promise(() => {}), 5), 'a promise that never settles', 5000);
  });
});

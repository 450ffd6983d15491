/**
 * The run model: a TestRun driven as the CLI and the web UI drive it, with
 * users whose tasks record samples themselves (no target: their MCP clients
 * never open a session, so closing them sends nothing).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MockAgent } from 'undici';
import { ArrivalPlan } from '../../src/engine/arrival-plan.js';
import { constant } from '../../src/engine/user-class.js';
import { RunSetupError } from '../../src/app/scenario-setup.js';
import { TestRun, type TestRunConfig } from '../../src/app/test-run.js';
import { withDefaultRules } from '../../src/metrics/thresholds.js';
import type { ScenarioEnv, UserClass } from '../../src/scenarios/api.js';
import { until } from '../helpers/until.js';

function env(): ScenarioEnv {
  const dispatcher = new MockAgent();
  dispatcher.disableNetConnect();
  return {
    host: 'http://127.0.0.1:9', mcpUrl: 'http://127.0.0.1:9/mcp', restBaseUrl: 'http://127.0.0.1:9', dispatcher, headers: {}, timeoutMs: 1000,
    silentRecorder: { record: () => {}, exception: () => {} },
  };
}

/** A class whose task records one `custom work` sample, failed when `fails` says so. */
function worker(fails: () => boolean = () => false): UserClass {
  return {
    name: 'Worker',
    wait: constant(0.005),
    tasks: [{ name: 'work', run: (user) => user.recorder.record('custom', 'work', 1000, 10, fails() ? { kind: 'tool', detail: 'no' } : undefined) }],
  };
}

function testRun(classes: UserClass[], extra: Partial<TestRunConfig> = {}): TestRun {
  return new TestRun({ scenarioName: 'unit', classes, thresholds: withDefaultRules([]), env: env(), stopTimeoutMs: 1000, settings: {}, ...extra });
}

describe('TestRun', () => {
  it('goes from ready to stopped, and its result carries the scenario, the host, the peak and the notes, with secrets redacted', async () => {
    const run = testRun([worker()], { settings: { users: 3, authToken: 'very-secret-token' }, notes: ['a setup note'] });
    assert.equal(run.state, 'ready');
    assert.equal(run.elapsedS, 0);
    run.start(3, 1000);
    await until('3 users and 10 samples', () => run.userCount === 3 && (run.snapshot().entries[0]?.requests ?? 0) >= 10);
    assert.deepEqual(run.usersByClass(), { Worker: 3 });
    await run.stop('test over');
    assert.equal(run.state, 'stopped');
    assert.equal(run.stopReason, 'test over');
    await run.stop('again');
    assert.equal(run.stopReason, 'test over', 'the first reason stays');

    const result = run.result();
    assert.equal(result.passed, true, result.verdict?.failures.join('\n'));
    assert.deepEqual(result.verdict?.failures, []);
    assert.equal(result.peakUsers, 3);
    assert.deepEqual(result.notes, ['a setup note']);
    assert.equal(result.settings.scenario, 'unit');
    assert.equal(result.settings.host, 'http://127.0.0.1:9');
    assert.equal(result.settings.users, 3);
    assert.ok(!JSON.stringify(result).includes('very-secret-token'), 'no token in the result');
    assert.ok(Date.parse(result.endedAt) >= Date.parse(result.startedAt));
    assert.equal(result.droppedIterations, undefined, 'a closed-model run drops nothing');
    assert.equal(result.serviceSnapshot, undefined);
  });

  it('judges failures with mcpload\'s default rules', async () => {
    let n = 0;
    const run = testRun([worker(() => n++ % 2 === 0)]);
    run.start(2, 1000);
    await until('20 samples', () => (run.snapshot().entries[0]?.requests ?? 0) >= 20);
    await run.stop('done');
    const result = run.result();
    assert.equal(result.passed, false);
    assert.equal(result.verdict?.onlyDefaults, true);
    assert.match(result.verdict?.failures[0] ?? '', /^error_rate<1%: .*custom work/);
  });

  it('counts an exception thrown by a task, and fails the run on it', async () => {
    const run = testRun([{ name: 'Thrower', wait: constant(0.005), tasks: [{ name: 'boom', run: () => { throw new Error('boom'); } }] }]);
    run.start(1, 1000);
    await until('an exception', () => run.snapshot().exceptions.length > 0);
    await run.stop('done');
    const result = run.result();
    assert.equal(result.passed, false);
    assert.ok(result.verdict?.failures.some((f) => f.startsWith('exceptions==0')), result.verdict?.failures.join('\n'));
  });

  it('resetStats empties the counts and keeps the peak user count', async () => {
    const run = testRun([worker()]);
    run.start(2, 1000);
    await until('samples from 2 users', () => run.userCount === 2 && (run.snapshot().entries[0]?.requests ?? 0) > 0);
    run.resetStats();
    assert.equal(run.snapshot().entries.reduce((n, e) => n + e.requests, 0), 0, 'nothing counted right after the reset');
    await run.stop('done');
    assert.equal(run.result().peakUsers, 2);
  });

  it('refuses --reset-stats with an arrival rate, and a second start of the open model', async () => {
    const plan = () => new ArrivalPlan([{ durationS: 1, fromRate: 1, toRate: 1 }]);
    assert.throws(() => testRun([worker()], { resetStats: true }).startArrivals(plan(), 1), RunSetupError);
    const open = testRun([worker()]);
    open.startArrivals(plan(), 1);
    assert.throws(() => open.startArrivals(plan(), 1), /already started/);
    await open.stop('done');
    const result = open.result();
    assert.equal(typeof result.droppedIterations, 'number', 'an open-model run counts dropped iterations');
    assert.ok(result.serviceSnapshot, 'and keeps raw service times');
  });
});

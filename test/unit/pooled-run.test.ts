/**
 * A master's run over its workers (pooled-run.ts on worker-pool.ts's Pool),
 * with links that record what the master sends and let the test speak for
 * the workers: the shares of a start and of a change of users add up, the
 * merged history shows a second only once every live worker sent it, and a
 * reset reaches every worker and drops their figures until they speak again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunIo } from '../../src/app/conclude.js';
import { PooledRun } from '../../src/app/pooled-run.js';
import type { RunOptions } from '../../src/app/run-options.js';
import type { PreparedScenario } from '../../src/app/scenario-setup.js';
import { Pool, type WorkerLink } from '../../src/app/worker-pool.js';
import type { ParentMessage, WorkerMessage } from '../../src/app/worker-protocol.js';
import { Stats } from '../../src/metrics/stats.js';
import { UpdateBaseline, type SnapshotUpdate } from '../../src/metrics/snapshot-update.js';

interface FakeLink extends WorkerLink {
  sent: ParentMessage[];
  say(message: WorkerMessage): void;
}

function fakeLink(index: number): FakeLink {
  let listener: ((m: WorkerMessage) => void) | undefined;
  const sent: ParentMessage[] = [];
  return {
    name: `worker ${index} (host-${index})`, host: `host-${index}`, address: '127.0.0.1', sent,
    send: (m) => sent.push(m),
    listen: (on) => (listener = on),
    say: (m) => listener?.(m),
    ended: new Promise(() => {}),
    lastHeardMs: () => Date.now(),
    close: () => {},
  };
}

const said: string[] = [];
const io: RunIo = { out: () => {}, err: (line) => said.push(line) };
const prepared = { scenario: { name: 'fake', userClasses: [] }, classes: [], available: [], thresholds: [], notes: [] } as unknown as PreparedScenario;
const opts = { users: 5, spawnRate: 10, stopTimeoutMs: 1000, headless: false, headers: {}, printIntervalMs: 0, requestTimeoutMs: 1000 } as unknown as RunOptions;

function setup(count: number) {
  const links = Array.from({ length: count }, (_, i) => fakeLink(i));
  const pool = new Pool(links.map((link, index) => ({ index, link, history: [] })), io, { heartbeatTimeoutMs: 60_000, onWorkerLoss: 'fail' });
  const run = new PooledRun(pool, {
    prepared, opts, host: 'http://target', io, startAtMs: Date.now(),
    mode: { unit: 'workers', count, loss: { heartbeatTimeoutMs: 60_000, onWorkerLoss: 'fail' }, settings: { workers: count }, privateKeys: ['master'] },
  });
  return { links, pool, run };
}

/** A worker's stats and what it sent of them. */
function fakeWorker() {
  return { stats: new Stats(), baseline: new UpdateBaseline() };
}

/** The worker's update after `requests` more to /hit, with history rows at the given seconds. */
function updateWith(worker: ReturnType<typeof fakeWorker>, requests: number, seconds: number[]): SnapshotUpdate {
  for (let i = 0; i < requests; i++) worker.stats.record('GET', '/hit', 1000, 10);
  const [row] = worker.stats.tick(1).filter((r) => r.name === 'Aggregated');
  const update = worker.stats.update(worker.baseline, { historyAfter: Infinity });
  return { ...update, history: seconds.map((timestamp) => ({ ...row!, timestamp })) };
}

test('a start gives each worker its place and the count; a change of users is shared exactly', () => {
  const { links, pool, run } = setup(3);
  try {
    const starts = links.map((l) => l.sent.find((m) => m.type === 'start'));
    assert.deepEqual(starts.map((m) => (m?.type === 'start' ? [m.index, m.count, m.opts.users, m.opts.host] : undefined)), [
      [0, 3, 5, 'http://target'], [1, 3, 5, 'http://target'], [2, 3, 5, 'http://target'],
    ]);
    run.setUsers(7, 14);
    const changes = links.map((l) => l.sent.find((m) => m.type === 'users'));
    const users = changes.map((m) => (m?.type === 'users' ? m.users : -1));
    assert.deepEqual(users, [3, 2, 2]);
    const rates = changes.map((m) => (m?.type === 'users' ? m.spawnRate : 0));
    assert.ok(Math.abs(rates.reduce((a, b) => a + b, 0) - 14) < 1e-9, `the spawn rates add up to 14: ${rates.join(', ')}`);
    assert.equal(run.targetUsers, 7);
  } finally {
    pool.close();
  }
});

test('merged figures: every worker\'s requests; a history second only once every worker sent it', () => {
  const { links, pool, run } = setup(2);
  try {
    const workers = [fakeWorker(), fakeWorker()];
    links[0]!.say({ type: 'update', update: updateWith(workers[0]!, 3, [100, 101]), users: 2, usersByClass: { A: 1, B: 1 }, state: 'running', cpuPercent: 95 });
    links[1]!.say({ type: 'update', update: updateWith(workers[1]!, 4, [100]), users: 3, usersByClass: { A: 3 }, state: 'running', cpuPercent: 10 });
    assert.equal(run.userCount, 5);
    assert.deepEqual(run.usersByClass(), { A: 4, B: 1 });
    assert.equal(run.state, 'running');
    assert.equal(said.filter((l) => /^warning: worker 0 \(host-0\) uses 95 % of a core/.test(l)).length, 1, 'a worker above 90 % CPU is named once');
    assert.equal(run.liveRows().aggregated.requests, 7);
    const seconds = () => [...new Set(run.snapshot({ historyAfter: -Infinity }).history.map((r) => r.timestamp))];
    assert.deepEqual(seconds(), [100], 'second 101 waits for worker 1');
    links[1]!.say({ type: 'update', update: updateWith(workers[1]!, 2, [101]), users: 3, state: 'running' });
    assert.deepEqual(seconds(), [100, 101]);
    assert.deepEqual(run.snapshot({ historyAfter: 100 }).history.map((r) => r.timestamp), [101], 'incremental readers get the new seconds only');
    assert.equal(run.liveRows().aggregated.requests, 9, 'an update adds what its worker did since the last');

    const sentBeforeTheReset = updateWith(workers[0]!, 5, []);
    run.resetStats();
    assert.deepEqual(links.map((l) => l.sent.filter((m) => m.type === 'reset').length), [1, 1], 'the reset reaches every worker');
    assert.equal(run.liveRows().aggregated.requests, 0, 'the old figures are gone until the workers speak again');
    links[0]!.say({ type: 'update', update: sentBeforeTheReset, users: 2, state: 'running' });
    assert.equal(run.liveRows().aggregated.requests, 0, 'an update sent before the reset reached the worker is dropped');
    workers[0]!.stats.reset();
    links[0]!.say({ type: 'update', update: updateWith(workers[0]!, 1, []), users: 2, state: 'running' });
    assert.equal(run.liveRows().aggregated.requests, 1);
  } finally {
    pool.close();
  }
});

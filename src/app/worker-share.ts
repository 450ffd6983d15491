/**
 * What every worker does with its `start`, whoever sent it (a `--processes`
 * parent over IPC, a `--master` over the network): open the target, load
 * the scenario, wait for the start instant, run its share of the load,
 * send an update every second (the heartbeat), and on stop send its final
 * result. The caller says how messages travel and what a stop is.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { RunResult } from '../report/run-result.js';
import { UpdateBaseline } from '../metrics/snapshot-update.js';
import { ScenarioError } from '../scenarios/loader.js';
import { shareLoadModel, resolveLoadModel, startLoad } from './load-model.js';
import { prepareScenario, RunSetupError } from './scenario-setup.js';
import { openTarget, preLoadRequests } from './target.js';
import { testRunFor, type TestRun } from './test-run.js';
import { startOtel } from './run-otel.js';
import type { OtelExport } from '../reporters/otel.js';
import type { ParentMessage, WorkerMessage } from './worker-protocol.js';

export const SNAPSHOT_PERIOD_MS = 1000;

export type SendToParent = (message: WorkerMessage) => Promise<void>;
export type StartMessage = Extract<ParentMessage, { type: 'start' }>;

/** CPU time of this process between two calls, in % of one core. */
export function cpuMeter(): () => number {
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  return () => {
    const cpu = process.cpuUsage(lastCpu);
    const now = performance.now();
    const percent = (cpu.user + cpu.system) / 10 / Math.max(1, now - lastAt);
    lastCpu = process.cpuUsage();
    lastAt = now;
    return Math.round(percent * 10) / 10;
  };
}

/**
 * What the leader asks of a running share besides stop: a new user count
 * (its share of the new total), a stats reset. Commands that come before
 * the share's run exists are applied as soon as it does.
 */
export class ShareCommands {
  private run: TestRun | undefined;
  private readonly pending: ParentMessage[] = [];

  apply(message: ParentMessage): void {
    if (message.type !== 'users' && message.type !== 'reset') return;
    if (this.run) this.carryOut(this.run, message);
    else this.pending.push(message);
  }

  attach(run: TestRun): void {
    this.run = run;
    for (const message of this.pending.splice(0)) this.carryOut(run, message);
  }

  private carryOut(run: TestRun, message: ParentMessage): void {
    if (message.type === 'users') run.setUsers(message.users, message.spawnRate);
    else if (message.type === 'reset') run.resetStats();
  }
}

/**
 * Runs the share `start` names until `stopRequested` resolves; sends the
 * result and returns it too (a worker that lost its master writes it).
 */
export async function runWorkerShare(
  start: StartMessage, stopRequested: Promise<string>, send: SendToParent, commands: ShareCommands = new ShareCommands(),
): Promise<RunResult> {
  const { opts, index, count } = start;
  const target = await openTarget(opts);
  let otel: OtelExport | undefined;
  try {
    const prepared = await prepareScenario(opts, target.env);
    const model = shareLoadModel(resolveLoadModel(opts, prepared.scenario.shape), index, count);
    // The master's web form may weigh the classes otherwise than the scenario does.
    const classes = start.weights !== undefined
      ? prepared.classes.map((c) => (start.weights?.[c.name] !== undefined ? { ...c, weight: start.weights[c.name] } : c))
      : prepared.classes;
    const run = testRunFor(prepared, target.env, opts, { ...opts, host: target.host, worker: index }, classes);
    // --otel: each worker exports its own share; its warnings go to its own terminal.
    if (opts.otel === true) otel = await startOtel(run, { err: (line) => process.stderr.write(`${line}\n`) }, { 'mcpload.worker.index': index, 'mcpload.worker.count': count });
    const cpu = cpuMeter();
    const status = () => ({
      users: run.userCount, usersByClass: run.usersByClass(), state: run.state, droppedIterations: run.droppedIterations, arrivalRate: run.arrivalRate, cpuPercent: cpu(),
    });
    // Machines start together at the instant the master named (a worker already late starts at once).
    if (start.startAtMs !== undefined) await delay(Math.max(0, start.startAtMs - Date.now()));
    // Each update carries what changed since the last one: the buckets its histograms gained and
    // the history rows since (the leader's live charts); after a reset both start again from zero.
    const baseline = new UpdateBaseline();
    let sentUpTo = -Infinity;
    const ticker = setInterval(() => {
      const update = run.update(baseline, { historyAfter: sentUpTo });
      const last = update.history[update.history.length - 1];
      if (last) sentUpTo = last.timestamp;
      void send({ type: 'update', update, ...status() });
    }, SNAPSHOT_PERIOD_MS);
    void run.finished.then((reason) => send({ type: 'finished', reason }));
    // Counted before the first user: from then on the load shares the connections.
    const preLoad = preLoadRequests(target);
    try {
      await startLoad(run, model, start.fromS ?? 0);
      commands.attach(run);
      await send({ type: 'ready', preLoadRequests: preLoad });
      const reason = await stopRequested;
      await run.stop(reason);
    } finally {
      clearInterval(ticker);
    }
    const result = run.result();
    // Exported before the result goes: the leader ends the run on the last result.
    await otel?.close();
    await send({ type: 'result', result });
    return result;
  } finally {
    await otel?.close();
    await target.close();
  }
}

/** The `failed` message for an error of the set-up; `usage` when it is the user's to fix (exit 2). */
export function failureMessage(err: unknown): Extract<WorkerMessage, { type: 'failed' }> {
  const usage = err instanceof RunSetupError || err instanceof ScenarioError || (err as Error)?.name === 'ThresholdError'
    || (err as Error)?.name === 'EngineConfigError';
  return { type: 'failed', message: err instanceof Error ? err.message : String(err), usage };
}

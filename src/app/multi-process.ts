/**
 * `--processes N`: one load test spread over N worker processes (one event
 * loop, one core each). The parent opens the target (starting the embedded
 * server if needed), gives each worker its share of the users or of the
 * arrival rate, shows ONE live table merged from the workers' snapshots, and
 * writes ONE result merged from their final snapshots (exact: HDR histograms
 * add up).
 *
 * Processes rather than worker_threads: each worker has its own heap and GC,
 * a crash stays in one worker, and snapshots are JSON either way.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatDuration } from '../values/option-values.js';
import { RunEvents } from '../metrics/events.js';
import { mergeSnapshots, type Snapshot } from '../metrics/snapshot.js';
import { formatLiveTable } from '../reporters/console.js';
import type { RunResult } from '../report/run-result.js';
import { VERSION } from '../version.js';
import { describeLoadModel, modelDurationS, resolveLoadModel } from './load-model.js';
import { mergeRunResults } from './merge-results.js';
import { concludeRun, type RunIo } from './conclude.js';
import type { RunOptions } from './run-options.js';
import { ALREADY_STOPPING, armStop, type StopWait } from './wait-for-stop.js';
import { shieldedFromSigint } from '../process/stop-signals.js';
import { prepareScenario, RunSetupError } from './scenario-setup.js';
import { openTarget, withProtocol } from './target.js';
import type { ParentMessage, WorkerMessage, WorkerStatus } from './worker-protocol.js';

/** How long a worker may take to send its result after `stop` (beyond the users' stop timeout). */
const RESULT_GRACE_MS = 15_000;

interface Worker {
  child: ChildProcess;
  latest?: Snapshot;
  status?: WorkerStatus;
  result?: RunResult;
  exited: Promise<number | null>;
}

/** The worker entry beside this file: worker-main.js in dist/, worker-main.ts when run from source by tsx. */
function workerEntry(): string {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return fileURLToPath(new URL(`./worker-main${ext}`, import.meta.url));
}

function startWorker(onMessage: (w: Worker, m: WorkerMessage) => void): Worker {
  const child = fork(workerEntry(), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const worker: Worker = {
    child,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.on('message', (m: WorkerMessage) => onMessage(worker, m));
  child.on('error', () => undefined);
  return worker;
}

function sendTo(worker: Worker, message: ParentMessage): void {
  if (worker.child.connected) worker.child.send(message, (err) => void err);
}

export async function runMultiProcess(opts: RunOptions, count: number, io: RunIo): Promise<number> {
  const target = await openTarget(opts);
  // The workers speak what the parent negotiated.
  opts = withProtocol(opts, target);
  const workers: Worker[] = [];
  let stop: StopWait | undefined;
  try {
    // The parent loads the scenario too: for the header, the thresholds, and to fail early on a bad file.
    // The embedded server runs in this process's child: leak-flood reads its memory from here, for the whole run.
    const prepared = await prepareScenario({ ...opts, serverPid: opts.serverPid ?? target.embedded?.pid }, target.env);
    for (const note of [...target.notes, ...prepared.notes]) io.err(`note: ${note}`);
    const model = resolveLoadModel(opts, prepared.scenario.shape);
    const stagesS = modelDurationS(model);
    const timeMs = stagesS !== undefined ? Math.min(opts.timeMs ?? Infinity, Math.ceil(stagesS * 1000)) : opts.timeMs;
    const where = target.embedded ? `${target.host} (embedded reference server)` : target.host;
    stop = armStop(io);
    io.out(`mcpload ${VERSION}: scenario ${prepared.scenario.name} against ${where}\n` +
      `${describeLoadModel(model)}, ${timeMs !== undefined ? `for ${formatDuration(timeMs)}` : 'until Ctrl-C'}; ` +
      `${count} processes; classes ${prepared.classes.map((c) => c.name).join(', ')}\n${target.protocolNote !== undefined ? `${target.protocolNote}\n` : ''}`);

    let failure: { message: string; usage: boolean } | undefined;
    let finishBy: (reason: string) => void = () => {};
    const finished = new Promise<string>((resolve) => {
      finishBy = resolve;
    });
    let finishedCount = 0;
    let readyCount = 0;
    let allReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => {
      allReady = resolve;
    });
    const onMessage = (w: Worker, m: WorkerMessage): void => {
      switch (m.type) {
        case 'snapshot':
          w.latest = m.snapshot;
          w.status = { users: m.users, state: m.state, droppedIterations: m.droppedIterations, arrivalRate: m.arrivalRate };
          break;
        case 'finished':
          // Every worker runs the same plan; the run is over when all have ended theirs,
          // or at once when one crossed an abortOnFail threshold (judged on its share of the load).
          if (++finishedCount === count || m.reason.startsWith('threshold ')) finishBy(m.reason);
          break;
        case 'result':
          w.result = m.result;
          break;
        case 'failed':
          failure ??= { message: m.message, usage: m.usage };
          finishBy('worker failed');
          break;
        case 'ready':
          if (++readyCount === count) allReady();
          break;
      }
    };
    const childOpts: RunOptions = { ...opts, host: target.host, processes: 1, printIntervalMs: 0, headless: true, csv: undefined, json: undefined, baseline: undefined };
    for (let i = 0; i < count; i++) {
      const worker = startWorker(onMessage);
      workers.push(worker);
      void worker.exited.then((code) => {
        if (code !== 0 && worker.result === undefined) {
          failure ??= { message: `worker ${i} exited with code ${String(code)}`, usage: false };
          finishBy('worker failed');
        }
      });
      sendTo(worker, { type: 'start', opts: childOpts, index: i, count });
    }

    // The clock starts when every worker has loaded the scenario and started its load (or one failed).
    await Promise.race([ready, finished]);
    const startedMs = performance.now();
    const totalS = timeMs !== undefined ? timeMs / 1000 : undefined;
    const printer = opts.printIntervalMs > 0
      ? setInterval(() => {
        const snapshots = workers.flatMap((w) => (w.latest ? [w.latest] : []));
        if (snapshots.length === 0) return;
        const statuses = workers.flatMap((w) => (w.status ? [w.status] : []));
        const users = statuses.reduce((sum, s) => sum + s.users, 0);
        const info = { elapsedS: (performance.now() - startedMs) / 1000, totalS, users, state: statuses[0]?.state };
        io.out(formatLiveTable(mergeSnapshots(snapshots), info) + openModelLine(statuses) + ` · ${snapshots.length}/${count} processes\n`);
      }, opts.printIntervalMs)
      : undefined;
    const reason = await stop.until(timeMs, finished);
    clearInterval(printer);

    await shieldedFromSigint(() => io.err(ALREADY_STOPPING), () => {
      for (const worker of workers) sendTo(worker, { type: 'stop', reason });
      return waitAll(workers, opts.stopTimeoutMs + RESULT_GRACE_MS);
    });
    if (failure) {
      if (failure.usage) throw new RunSetupError(failure.message);
      throw new Error(failure.message);
    }

    const results = workers.flatMap((w) => (w.result ? [w.result] : []));
    if (results.length < count) io.err(`warning: ${count - results.length} of ${count} workers sent no result; their requests are missing`);
    if (results.length === 0) throw new Error('no worker sent a result');
    const merged = mergeRunResults(results, prepared.thresholds);
    merged.settings = { ...merged.settings, ...opts, host: target.host, processes: count };
    merged.settings = Object.fromEntries(Object.entries(merged.settings).filter(([key]) => key !== 'worker' && key !== 'mergedFrom'));
    io.out(`\nstopped (${reason}) after ${formatDuration(performance.now() - startedMs)}\n`);
    if (merged.scenarioFigures) prepared.scenario.figures?.adopt(merged.scenarioFigures);
    // `request`, `testStart`, `spawningComplete` and `testStop` fired in each worker, for its share; `quitting` fires here, on the whole run.
    const quitting = new RunEvents(prepared.scenario.events, () => {});
    return await concludeRun(merged, opts, io, prepared.scenario.notes, quitting);
  } finally {
    stop?.close();
    for (const worker of workers) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await target.close();
  }
}

/** Waits for every worker to exit, at most `ms`. */
async function waitAll(workers: Worker[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(workers.map((w) => w.exited)),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

function openModelLine(statuses: WorkerStatus[]): string {
  if (!statuses.some((s) => s.arrivalRate !== undefined)) return '';
  const rate = statuses.reduce((sum, s) => sum + (s.arrivalRate ?? 0), 0);
  const dropped = statuses.reduce((sum, s) => sum + (s.droppedIterations ?? 0), 0);
  return `\narrival rate ${rate.toFixed(1)}/s · dropped iterations ${dropped}`;
}

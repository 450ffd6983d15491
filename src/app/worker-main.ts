/**
 * Entry point of one `--processes` worker: runs its share of the load
 * against the target its parent opened, sends a snapshot every second, and
 * on `stop` sends its final result and exits. It prints nothing; the parent
 * shows the merged table. Ctrl-C reaches the whole process group, so the
 * worker ignores SIGINT/SIGTERM and waits for its parent's `stop`.
 */
import { ScenarioError } from '../scenarios/loader.js';
import { shareLoadModel, resolveLoadModel, startLoad } from './load-model.js';
import { prepareScenario, RunSetupError } from './scenario-setup.js';
import { openTarget } from './target.js';
import { testRunFor } from './test-run.js';
import type { ParentMessage, WorkerMessage } from './worker-protocol.js';

const SNAPSHOT_PERIOD_MS = 1000;

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

async function runWorker(start: Extract<ParentMessage, { type: 'start' }>, stopRequested: Promise<string>): Promise<void> {
  const { opts, index, count } = start;
  const target = await openTarget({ ...opts, host: opts.host });
  try {
    const prepared = await prepareScenario(opts, target.env);
    const model = shareLoadModel(resolveLoadModel(opts, prepared.scenario.shape), index, count);
    const run = testRunFor(prepared, target.env, opts, { ...opts, host: target.host, worker: index });
    const status = () => ({
      users: run.userCount, state: run.state, droppedIterations: run.droppedIterations, arrivalRate: run.arrivalRate,
    });
    const ticker = setInterval(() => {
      void send({ type: 'snapshot', snapshot: run.snapshot({ history: false }), ...status() });
    }, SNAPSHOT_PERIOD_MS);
    void run.finished.then((reason) => send({ type: 'finished', reason }));
    await startLoad(run, model);
    await send({ type: 'ready' });
    const reason = await stopRequested;
    clearInterval(ticker);
    await run.stop(reason);
    await send({ type: 'result', result: run.result() });
  } finally {
    await target.close();
  }
}

process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
let resolveStop: (reason: string) => void = () => {};
const stopRequested = new Promise<string>((resolve) => {
  resolveStop = resolve;
});
/** How long a worker whose parent died may take to stop its users (its stop timeout is added). */
const ORPHAN_GRACE_MS = 5_000;
let stopTimeoutMs = 0;
process.on('message', (message: ParentMessage) => {
  if (message.type === 'stop') resolveStop(message.reason);
  else if (message.type === 'start') {
    stopTimeoutMs = message.opts.stopTimeoutMs;
    runWorker(message, stopRequested).then(
      () => process.exit(0),
      async (err: unknown) => {
        const usage = err instanceof RunSetupError || err instanceof ScenarioError || (err as Error)?.name === 'ThresholdError'
          || (err as Error)?.name === 'EngineConfigError';
        await send({ type: 'failed', message: err instanceof Error ? err.message : String(err), usage });
        process.exit(1);
      },
    );
  }
});
// The parent went away (killed, SIGKILL included: the kernel closes the channel): nothing is left to
// report to. The users stop as usual, and a stop that hangs does not keep an orphan alive.
process.on('disconnect', () => {
  resolveStop('parent gone');
  setTimeout(() => process.exit(1), stopTimeoutMs + ORPHAN_GRACE_MS).unref();
});

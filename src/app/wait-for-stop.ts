/**
 * When a run stops: its time limit, a stop signal, or its load model's own
 * end, whichever comes first. Shared by the headless and --processes modes.
 */
import { onStopSignal } from '../process/stop-signals.js';
import type { RunIo } from './conclude.js';

/** Said at the first stop signal. */
export const STOPPING = 'stopping users and writing reports';
/** Said at a Ctrl-C during the graceful stop, which it does not cut. */
export const ALREADY_STOPPING = 'already stopping; reports follow';

/** Resolves with the reason the run should stop: `time limit`, the signal's name, or what `finished` resolves with. */
export function waitForStop(timeMs: number | undefined, io: RunIo, finished?: Promise<string>): Promise<string> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (reason: string) => {
      clearTimeout(timer);
      signals.close();
      resolve(reason);
    };
    const signals = onStopSignal((signal) => {
      io.err(`\n${signal}: ${STOPPING}`);
      finish(signal);
    });
    if (timeMs !== undefined) timer = setTimeout(() => finish('time limit'), timeMs);
    void finished?.then(finish);
  });
}

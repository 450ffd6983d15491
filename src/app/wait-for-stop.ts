/**
 * When a run stops: its time limit, a stop signal, or its load model's own
 * end, whichever comes first. Shared by the headless and --processes modes.
 *
 * The signals are listened to from `armStop`, before the run's header is
 * printed: a Ctrl-C or SIGTERM while the users are still being started
 * (which takes a while on a loaded machine, or with workers to start) is a
 * stop with reports, never Node's default death.
 */
import { onStopSignal } from '../process/stop-signals.js';
import type { RunIo } from './conclude.js';

/** Said at the first stop signal. */
export const STOPPING = 'stopping users and writing reports';
/** Said at a Ctrl-C during the graceful stop, which it does not cut. */
export const ALREADY_STOPPING = 'already stopping; reports follow';

export interface StopWait {
  /**
   * Starts the clock; resolves with the reason the run should stop: `time limit`, the signal's name,
   * or what `finished` resolves with. A signal received since `armStop` resolves it at once.
   */
  until(timeMs: number | undefined, finished?: Promise<string>): Promise<string>;
  /** Stops listening, when the run ends before its load (idempotent). */
  close(): void;
}

export function armStop(io: RunIo): StopWait {
  let signalled: string | undefined;
  let onReason: ((reason: string) => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const signals = onStopSignal((signal) => {
    io.err(`\n${signal}: ${STOPPING}`);
    signalled = signal;
    onReason?.(signal);
  });
  const close = () => {
    clearTimeout(timer);
    signals.close();
  };
  return {
    until(timeMs, finished) {
      return new Promise((resolve) => {
        onReason = (reason) => {
          onReason = undefined;
          close();
          resolve(reason);
        };
        if (signalled !== undefined) {
          onReason(signalled);
          return;
        }
        if (timeMs !== undefined) timer = setTimeout(() => onReason?.('time limit'), timeMs);
        void finished?.then((reason) => onReason?.(reason));
      });
    },
    close,
  };
}

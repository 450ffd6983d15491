/**
 * SIGINT and SIGTERM as a request to stop: the one place where the run
 * modes (headless, --processes, the web UI) and `mcpload serve` listen for
 * them, so that they all answer a signal the same way.
 */

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * A signal sent to every process at once (systemd, `kill -- -PGID`) reaches a relaunched run twice:
 * directly and relayed by the relaunch parent. The echo within 3 s is the same request, not a second one
 * (a busy machine can hold the relay back for more than a second: seen with 2 cores under load).
 */
const ECHO_WINDOW_MS = 3000;

export interface StopSignalOptions {
  /**
   * A signal after the first, while still listening (`mcpload serve`: "now", without waiting for slow
   * replies). Absent: the first signal ends the listening, its echo within 3 s is ignored, and a
   * later one takes Node's default action again (it ends a stop that hangs).
   */
  onRepeat?: (signal: NodeJS.Signals) => void;
}

export interface StopListener {
  /** Stops listening (idempotent); from then on a signal takes Node's default action. */
  close(): void;
}

/** Calls `onStop` at the first SIGINT or SIGTERM. */
export function onStopSignal(onStop: (signal: NodeJS.Signals) => void, opts: StopSignalOptions = {}): StopListener {
  let stopped = false;
  const close = () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopped) {
      opts.onRepeat?.(signal);
      return;
    }
    stopped = true;
    if (opts.onRepeat === undefined) {
      close();
      ignoreEcho(signal);
    }
    onStop(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return { close };
}

function ignoreEcho(signal: NodeJS.Signals): void {
  const ignore = () => {};
  process.on(signal, ignore);
  setTimeout(() => process.off(signal, ignore), ECHO_WINDOW_MS).unref();
}

/**
 * Runs `work` with a SIGINT answered by `onSigint` instead of ending the process: a second Ctrl-C
 * during the graceful stop must not kill it before the reports exist.
 */
export async function shieldedFromSigint<T>(onSigint: () => void, work: () => Promise<T>): Promise<T> {
  const listener = () => onSigint();
  process.on('SIGINT', listener);
  try {
    return await work();
  } finally {
    process.off('SIGINT', listener);
  }
}

/**
 * Waits that a stop can cut short, built so that thousands of users looping
 * for hours leak nothing: no listener stays on a signal after its timer
 * fires, no timer stays armed after a wake-up.
 */

/** Longest delay `setTimeout` honours (about 24.8 days); longer ones would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * One user's reusable wait. `sleep` and `yieldTurn` allocate only the promise
 * and the timer; the callbacks are created once per sleeper. `wake` ends the
 * current wait early (the runner calls it when the user must stop).
 * One wait at a time: the owner awaits each before starting the next.
 */
export class Sleeper {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private resolve: (() => void) | undefined;
  private readonly capture = (resolve: () => void): void => {
    this.resolve = resolve;
  };
  private readonly finish = (): void => {
    this.timer = undefined;
    this.immediate = undefined;
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.();
  };

  /** Resolves after `ms` milliseconds, or at once on `wake()`. */
  sleep(ms: number): Promise<void> {
    const promise = new Promise<void>(this.capture);
    this.timer = setTimeout(this.finish, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    return promise;
  }

  /**
   * Resolves on the next turn of the event loop. A task that never awaits
   * real I/O would otherwise keep the loop in microtasks and starve timers,
   * sockets and every other user.
   */
  yieldTurn(): Promise<void> {
    const promise = new Promise<void>(this.capture);
    this.immediate = setImmediate(this.finish);
    return promise;
  }

  /** Ends the current wait now (no-op when not waiting). */
  wake(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.finish();
  }
}

/**
 * A one-off abortable wait: resolves `true` when the time is up, `false` when
 * `signal` aborts first (never rejects). The abort listener is removed when
 * the timer fires, and the timer is cleared on abort.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

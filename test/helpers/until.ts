/**
 * The one polling wait of the tests: a hang guard, never a timing assertion.
 * Deadlines are generous (CI boxes are loaded); what fails names what was
 * awaited, and the probe's last error.
 */

export interface UntilOptions {
  /** Default 20 s. */
  timeoutMs?: number;
  /** Pause between probes; default 10 ms. */
  everyMs?: number;
}

/** A probe's "not yet". */
type NotYet = undefined | null | false;

/**
 * Polls `probe` until it returns something other than undefined, null or
 * false, and returns that. A probe that throws counts as "not yet".
 * `what` may be a function, read at the timeout (e.g. to show the last value).
 */
export async function until<T>(what: string | (() => string), probe: () => T | NotYet | Promise<T | NotYet>, opts: UntilOptions | number = {}): Promise<T> {
  const { timeoutMs = 20_000, everyMs = 10 } = typeof opts === 'number' ? { timeoutMs: opts } : opts;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Resolves with `promise`, or fails if it has not settled within `limitMs` (a hang guard). */
export async function settles<T>(promise: Promise<T>, what: string, limitMs = 2500): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${limitMs} ms`)), limitMs);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Start-up's one deadline for a target that does not answer. The checks
 * made before the load (is it there, which transport, which built-in
 * scenario fits, discover's handshake) all wait on this one signal, so a
 * target that accepts connections and never replies holds the start for
 * `--connect-timeout` in all, not for a request timeout per check. Each
 * answer from the target opens a fresh window: a slow target that does
 * answer is not cut short by the number of checks.
 */

/** `--connect-timeout`'s default: long enough for a TLS handshake across the world, short beside a run. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** The reason the deadline's signal carries, for messages. */
export class StartupTimeoutError extends Error {
  override name = 'StartupTimeoutError';
}

export class StartupDeadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout;

  /** `label`: the deadline as the user gave it (`5s`), for messages. */
  constructor(readonly ms: number = DEFAULT_CONNECT_TIMEOUT_MS, private readonly label = `${ms} ms`) {
    this.timer = this.arm();
  }

  /** Aborts (with a StartupTimeoutError) once the target has been silent for `ms`. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once the target let the window pass without answering: later checks are skipped. */
  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  /** The target answered (any status): the next check gets a whole window. */
  answered(): void {
    if (this.expired) return;
    clearTimeout(this.timer);
    this.timer = this.arm();
  }

  /** Start-up is over: nothing left to wait for. */
  end(): void {
    clearTimeout(this.timer);
  }

  private arm(): NodeJS.Timeout {
    const timer = setTimeout(() => this.controller.abort(new StartupTimeoutError(`no answer within ${this.label} (--connect-timeout)`)), this.ms);
    timer.unref();
    return timer;
  }
}

/** The reason a start-up check was cut, or undefined when `signal` has not aborted. */
export function startupTimeoutReason(signal: AbortSignal | undefined): string | undefined {
  if (signal?.aborted !== true) return undefined;
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : 'no answer before the start-up deadline (--connect-timeout)';
}

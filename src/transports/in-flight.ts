/**
 * Per-request deadlines and the "user was cut" switch, shared by the clients.
 *
 * Each request gets one `Deadline`: an abort signal handed to undici and a
 * timer that fires it when the request's time is up. A client's requests are
 * tracked in one `InFlight` set, which listens once to the virtual user's
 * stop signal and aborts them all; this avoids adding and removing a listener
 * on the user's signal for every request (and `AbortSignal.any`, which leaks
 * on Node 20).
 *
 * The signal is an EventEmitter, which undici accepts as well as an
 * AbortSignal: on Node 20 creating an AbortController and adding/removing its
 * `abort` listener costs about 10 µs, an EventEmitter about 0.2 µs, and this
 * happens on every request of the load generator.
 */
import { EventEmitter } from 'node:events';

/** What undici reads from a signal: `aborted`, `reason`, and an `abort` event. */
export class Deadline extends EventEmitter {
  aborted = false;
  /** Left undefined so that undici fails the request with its own RequestAbortedError. */
  readonly reason = undefined;
  /** The request's own time ran out (a `timeout` sample). */
  timedOut = false;
  /** The virtual user was stopped (no sample: the run is ending). */
  cut = false;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;

  /** Passed to undici as its `signal`. */
  get signal(): EventEmitter {
    return this;
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit('abort');
  }
}

/** The longest delay setTimeout honours. */
export const MAX_TIMER_MS = 2_147_483_647;

// Module-level so that arming a timer needs no closure per request.
function expire(deadline: Deadline): void {
  deadline.timer = undefined;
  deadline.timedOut = true;
  deadline.abort();
}

export class InFlight {
  private readonly live = new Set<Deadline>();
  private stopped = false;

  constructor(signal?: AbortSignal) {
    if (signal === undefined) return;
    if (signal.aborted) this.stopped = true;
    else signal.addEventListener('abort', () => this.cutAll(), { once: true });
  }

  /** True once the owner's stop signal fired: new requests are not sent. */
  get isCut(): boolean {
    return this.stopped;
  }

  /**
   * Starts the clock for one request. `cuttable: false` is for requests that
   * must go out even while the user stops (ending a session with DELETE), so
   * that stopping a run does not leak server sessions.
   */
  start(timeoutMs: number, cuttable = true): Deadline {
    const deadline = new Deadline();
    deadline.timer = setTimeout(expire, timeoutMs, deadline);
    if (cuttable) this.live.add(deadline);
    return deadline;
  }

  /** The request is over (reply read, or failed): stop its timer. */
  finish(deadline: Deadline): void {
    if (deadline.timer !== undefined) clearTimeout(deadline.timer);
    deadline.timer = undefined;
    this.live.delete(deadline);
  }

  private cutAll(): void {
    this.stopped = true;
    for (const deadline of this.live) {
      if (deadline.timer !== undefined) clearTimeout(deadline.timer);
      deadline.timer = undefined;
      deadline.cut = true;
      deadline.abort();
    }
    this.live.clear();
  }
}

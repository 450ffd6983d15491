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
 * Every request has an outcome: a request that is still waiting when the
 * user is cut at the stop is recorded here, at the moment of the cut, with
 * the `cut` error and the time it had waited (a lower bound of its latency),
 * or as a timeout when it had already outlived its deadline. Recording it
 * here, synchronously, rather than when the aborted request unwinds, means
 * it is in the stats before the run's stop finishes. The transport then
 * sees `deadline.cut` and records nothing more.
 *
 * The signal is an EventEmitter, which undici accepts as well as an
 * AbortSignal: on Node 20 creating an AbortController and adding/removing its
 * `abort` listener costs about 10 µs, an EventEmitter about 0.2 µs, and this
 * happens on every request of the load generator.
 */
import { EventEmitter } from 'node:events';
import { CUT_AT_STOP, nowUs, type Recorder } from '../metrics/sample.js';
import { deadlineError } from './errors.js';
import type { IterationTiming } from './iteration-timing.js';

/** What undici reads from a signal: `aborted`, `reason`, and an `abort` event. */
export class Deadline extends EventEmitter {
  aborted = false;
  /** Left undefined so that undici fails the request with its own RequestAbortedError. */
  readonly reason = undefined;
  /** The request's own time ran out (a `timeout` sample). */
  timedOut = false;
  /** The virtual user was stopped mid-request; the cut sample is recorded already (see `recordAs`). */
  cut = false;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** What the request is recorded as if the stop cuts it; undefined when it is not to be recorded (or is already). */
  type: string | undefined = undefined;
  name = '';
  startUs = 0;
  originUs = 0;
  timeoutMs = 0;
  /** Called first on abort: one transport's own reaction, set per request without an event listener (h1-pool.ts). */
  onAbort: (() => void) | undefined = undefined;

  /** Names the sample a cut at the stop records; `originUs` is the latency origin (the intended start in open-model runs). */
  recordAs(type: string, name: string, startUs: number, originUs: number): void {
    this.type = type;
    this.name = name;
    this.startUs = startUs;
    this.originUs = originUs;
  }

  /** The request's own sample is recorded (its reply is in, the rest may still drain): a cut records nothing. */
  answered(): void {
    this.type = undefined;
  }

  /** Passed to undici as its `signal`. */
  get signal(): EventEmitter {
    return this;
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.onAbort?.();
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

  /** `recorder` (and `timing`'s service recorder) get the samples of requests cut at the stop. */
  constructor(signal?: AbortSignal, private readonly recorder?: Recorder, private readonly timing?: IterationTiming) {
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
    deadline.timeoutMs = timeoutMs;
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
    const now = nowUs();
    for (const deadline of this.live) {
      if (deadline.timer !== undefined) clearTimeout(deadline.timer);
      deadline.timer = undefined;
      // Timed out already: its transport records the timeout.
      if (deadline.aborted) continue;
      deadline.cut = true;
      const type = deadline.type;
      if (type !== undefined) {
        deadline.type = undefined;
        const waited = now - deadline.originUs;
        const error = now - deadline.startUs >= deadline.timeoutMs * 1000 ? deadlineError(deadline.timeoutMs) : CUT_AT_STOP;
        this.recorder?.record(type, deadline.name, waited, 0, error);
        this.timing?.service.record(type, deadline.name, now - deadline.startUs, 0, error);
      }
      deadline.abort();
    }
    this.live.clear();
  }
}

/**
 * The same promise for clients whose requests wait in a router rather than
 * an `InFlight` set (stdio, legacy SSE): if `signal` aborts before `done()`,
 * the request is recorded as cut at that moment. One listener per request;
 * those transports are not the hot path.
 */
export class CutWatch {
  private cut = false;
  private readonly onAbort = (): void => {
    this.cut = true;
    const now = nowUs();
    this.recorder.record(this.type, this.name, now - this.originUs, 0, CUT_AT_STOP);
    this.timing?.service.record(this.type, this.name, now - this.startUs, 0, CUT_AT_STOP);
  };

  constructor(
    private readonly signal: AbortSignal,
    private readonly recorder: Recorder,
    private readonly type: string,
    private readonly name: string,
    private readonly startUs: number,
    private readonly originUs = startUs,
    private readonly timing?: IterationTiming,
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The request is over; true when it was cut (and recorded as such). */
  done(): boolean {
    this.signal.removeEventListener('abort', this.onAbort);
    return this.cut;
  }
}

/**
 * How both runners end a user: onStop (when its onStart ran), then
 * closeContext, each within a time limit, with at most the gate's limit of
 * users here at once (a pool of thousands closing together is a burst of new
 * sockets and garbage). Once one step overruns, the target is not answering:
 * the gate opens, so the rest of the stop is no longer queued.
 */
import type { Gate } from './gate.js';
import type { UserClassDef } from './user-class.js';

/** onStop and closeContext get at least this long, whatever the stop timeout. */
const MIN_TEARDOWN_MS = 1000;

export interface Closing<C> {
  def: UserClassDef<C>;
  ctx: C;
  /** onStart completed, so onStop is due. */
  started: boolean;
  controller: AbortController;
}

export interface TeardownOptions<C> {
  stopTimeoutMs: number;
  closeContext?: (ctx: C) => Promise<void>;
  /** Where failures and overruns go; never throws. */
  report: (err: unknown, where: string) => void;
}

export async function closeUser<C>(user: Closing<C>, gate: Gate, opts: TeardownOptions<C>): Promise<void> {
  await gate.enter();
  try {
    const { def, ctx } = user;
    const limit = Math.max(MIN_TEARDOWN_MS, opts.stopTimeoutMs);
    const onStop = def.onStop;
    let inTime = true;
    if (user.started && onStop) inTime = await bounded(() => onStop.call(def, ctx), limit, `${def.name}.onStop`, opts.report);
    const closeContext = opts.closeContext;
    if (closeContext) inTime = await bounded(() => closeContext(ctx), limit, `${def.name}.closeContext`, opts.report) && inTime;
    if (!inTime) gate.open();
    user.controller.abort();
  } finally {
    gate.leave();
  }
}

const TIMED_OUT = Symbol('timed out');

/** Runs scenario code with a time limit; failures and overruns are reported, never thrown. False when it overran. */
async function bounded(fn: () => unknown, ms: number, where: string, report: TeardownOptions<unknown>['report']): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT);
  });
  try {
    const outcome = await Promise.race([(async () => fn())(), timeout]);
    if (outcome === TIMED_OUT) {
      report(new Error(`${where} did not finish within ${ms} ms`), where);
      return false;
    }
  } catch (err) {
    report(err, where);
  } finally {
    clearTimeout(timer);
  }
  return true;
}

/** Resolves when `promise` settles or after `ms`, whichever is first; leaves no timer behind. */
export async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

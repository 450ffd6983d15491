/**
 * A Runner over fake per-user contexts, for the engine's unit tests: it
 * records contexts, exceptions, closes and state changes.
 */
import { Runner, type RunnerOptions, type RunnerState } from '../../src/engine/runner.js';
import type { TaskDef, UserClassDef } from '../../src/engine/user-class.js';

/** A fake per-user context: what the scenario layer would fill with clients. */
export interface Ctx {
  id: number;
  className: string;
  signal: AbortSignal;
  /** What happened to this user, in order. */
  log: string[];
}

export function cls(name: string, extra: Partial<UserClassDef<Ctx>> = {}): UserClassDef<Ctx> {
  return { name, tasks: [{ name: 't', run: () => {} }], ...extra };
}

/** A runner over fake contexts that records contexts, exceptions, closes and state changes. */
export function harness(classes: UserClassDef<Ctx>[], opts: Partial<RunnerOptions<Ctx>> = {}) {
  const contexts: Ctx[] = [];
  const exceptions: { err: unknown; where: string }[] = [];
  const closed: number[] = [];
  const states: RunnerState[] = [];
  let onComplete: (() => void) | undefined;
  const runner = new Runner<Ctx>({
    classes,
    makeContext: ({ id, className, signal }) => {
      const ctx: Ctx = { id, className, signal, log: [] };
      contexts.push(ctx);
      return ctx;
    },
    closeContext: async (ctx) => {
      ctx.log.push('close');
      closed.push(ctx.id);
    },
    onException: (err, where) => exceptions.push({ err, where }),
    onStateChange: (s) => states.push(s),
    onSpawningComplete: () => onComplete?.(),
    ...opts,
  });
  /** Resolves at the next onSpawningComplete; call before start/setTarget. */
  const spawned = (): Promise<void> => new Promise((resolve) => (onComplete = resolve));
  return { runner, contexts, exceptions, closed, states, spawned };
}

/** A task that logs its name in the user's context. */
export const logTask = (name: string, weight = 1): TaskDef<Ctx> => ({
  name,
  weight,
  run: (ctx) => {
    ctx.log.push(name);
  },
});

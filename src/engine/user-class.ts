/**
 * What the engine runs: user classes made of weighted tasks and a wait time.
 * The engine is generic over the per-user context `C` (the scenario layer
 * supplies MCP and REST clients there); it knows nothing about protocols.
 */

/** Given how long the last task took (ms), how long to wait before the next one (ms). */
export type WaitTime = (lastTaskMs: number) => number;

/** Locust's `between(min, max)`: a uniform random wait, in seconds. */
export function between(minSeconds: number, maxSeconds: number): WaitTime {
  const lo = minSeconds * 1000;
  const span = Math.max(0, maxSeconds * 1000 - lo);
  return () => lo + Math.random() * span;
}

/** Locust's `constant(s)`: the same wait after every task. */
export function constant(seconds: number): WaitTime {
  const ms = seconds * 1000;
  return () => ms;
}

/** Locust's `constant_pacing(s)`: one task start every `s` seconds, whatever the task took. */
export function constantPacing(seconds: number): WaitTime {
  const ms = seconds * 1000;
  return (lastTaskMs) => Math.max(0, ms - lastTaskMs);
}

export interface TaskDef<C> {
  name: string;
  /** Relative pick weight within its user class; default 1. */
  weight?: number;
  /** For `--tags` / `--exclude-tags` selection. */
  tags?: string[];
  /** Its resolved value is ignored, so a task can return a client call directly. */
  run(user: C): unknown;
}

export interface UserClassDef<C> {
  name: string;
  /** Relative share of the users; default 1. Ignored when `fixedCount` is set. */
  weight?: number;
  /** Exactly this many users of the class, taken before weights share the rest. */
  fixedCount?: number;
  /** Default: no wait. */
  wait?: WaitTime;
  tasks: TaskDef<C>[];
  /**
   * The class's first picks (across its users) run each task once, in order,
   * before weighted random picks take over: a short run then covers every
   * task (discovery calls every tool it found at least once).
   */
  coverEveryTaskFirst?: boolean;
  /** Runs once when the user starts, before its first task. */
  onStart?(user: C): unknown;
  /** Runs once when the user stops (also on graceful stop). */
  onStop?(user: C): unknown;
}

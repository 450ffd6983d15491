/**
 * Choosing a user's next task: tag selection once before the run
 * (`--tags` / `--exclude-tags`), then a weighted random pick per iteration
 * from a cumulative table built once per class (binary search, no allocation).
 */

import { EngineConfigError } from './distribution.js';
import type { TaskDef, UserClassDef } from './user-class.js';

/**
 * Locust's tag rules: with `include`, keep the tasks that carry at least one
 * of those tags; then drop every task carrying an `exclude` tag. An empty or
 * missing list means no filter on that side.
 */
export function filterTasks<C>(tasks: readonly TaskDef<C>[], include?: string[], exclude?: string[]): TaskDef<C>[] {
  const want = include && include.length > 0 ? new Set(include) : undefined;
  const drop = exclude && exclude.length > 0 ? new Set(exclude) : undefined;
  return tasks.filter((task) => {
    const tags = task.tags ?? [];
    if (want && !tags.some((t) => want.has(t))) return false;
    if (drop && tags.some((t) => drop.has(t))) return false;
    return true;
  });
}

export interface ClassSelection<C> {
  /** The classes to run, each holding only its selected tasks. */
  classes: UserClassDef<C>[];
  /** Names of the classes left without any task to pick; they are not run. */
  dropped: string[];
}

/**
 * Applies the tag filter to every class. A class with no task of positive
 * weight left is dropped (and named in `dropped` so the caller can say so).
 * Throws `EngineConfigError` when nothing at all is left to run.
 */
export function selectClasses<C>(classes: readonly UserClassDef<C>[], include?: string[], exclude?: string[]): ClassSelection<C> {
  const kept: UserClassDef<C>[] = [];
  const dropped: string[] = [];
  for (const cls of classes) {
    const tasks = filterTasks(cls.tasks, include, exclude);
    if (tasks.some((t) => (t.weight ?? 1) > 0)) kept.push(tasks.length === cls.tasks.length ? cls : { ...cls, tasks });
    else dropped.push(cls.name);
  }
  if (kept.length === 0) {
    const filter = [include?.length ? `tags ${include.join(',')}` : '', exclude?.length ? `excluded tags ${exclude.join(',')}` : '']
      .filter(Boolean)
      .join(' and ');
    throw new EngineConfigError(`no task left to run${filter ? ` with ${filter}` : ''} (dropped classes: ${dropped.join(', ') || 'none'})`);
  }
  return { classes: kept, dropped };
}

/** Weighted random choice among one class's tasks. Built once, shared by all users of the class. */
export class TaskPicker<C> {
  private readonly tasks: TaskDef<C>[];
  /** cumulative[i] = sum of the weights of tasks 0..i. */
  private readonly cumulative: Float64Array;
  private readonly total: number;
  /** With coverEveryTaskFirst: the tasks (of weight above 0) not yet handed out by the first pass. */
  private readonly uncovered: TaskDef<C>[];

  constructor(className: string, tasks: readonly TaskDef<C>[], coverEveryTaskFirst = false) {
    this.tasks = [...tasks];
    this.uncovered = coverEveryTaskFirst ? tasks.filter((t) => (t.weight ?? 1) > 0).reverse() : [];
    this.cumulative = new Float64Array(tasks.length);
    let sum = 0;
    tasks.forEach((task, i) => {
      const weight = task.weight ?? 1;
      if (!Number.isFinite(weight) || weight < 0) {
        throw new EngineConfigError(`task "${className}.${task.name}": weight must be a finite number >= 0, got ${String(task.weight)}`);
      }
      if (typeof task.run !== 'function') throw new EngineConfigError(`task "${className}.${task.name}" has no run function`);
      sum += weight;
      this.cumulative[i] = sum;
    });
    if (!(sum > 0)) throw new EngineConfigError(`user class "${className}" has no task with a weight above 0`);
    this.total = sum;
  }

  /** The task for a uniform random number in [0, 1). Tasks of weight 0 are never picked. */
  pick(random: number): TaskDef<C> {
    const first = this.uncovered.pop();
    if (first !== undefined) return first;
    const target = (random >= 0 && random < 1 ? random : 0) * this.total;
    // First index whose cumulative weight exceeds the target.
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] ?? 0) > target) hi = mid;
      else lo = mid + 1;
    }
    return this.tasks[lo] as TaskDef<C>;
  }
}

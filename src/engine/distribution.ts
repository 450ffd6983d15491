/**
 * Which user class each new virtual user belongs to, in spawn order.
 *
 * Locust's rule: classes with a `fixedCount` get exactly that many users
 * first; the users left over are shared by `weight`. The order matters as
 * much as the totals, because a ramp-up (or a live change of the user count)
 * can stop at any point: every prefix of the order must already hold the
 * right mix. A smooth weighted round robin gives that: after n picks each
 * class is within one user of its ideal share n * w / W.
 *
 * The order for `n` users is always a prefix of the order for `m > n` users,
 * so the runner can grow by appending and shrink by removing from the end
 * while the mix stays right.
 */

import type { UserClassDef } from './user-class.js';

/** Bad engine configuration (classes, weights, counts, rates). One-line message. */
export class EngineConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineConfigError';
  }
}

/**
 * Checks what the distribution depends on: at least one class, unique names,
 * finite non-negative weights, whole non-negative fixed counts, and something
 * to share the users by. Throws `EngineConfigError`.
 */
export function validateUserClasses<C>(classes: readonly UserClassDef<C>[]): void {
  if (classes.length === 0) throw new EngineConfigError('no user classes to run');
  const names = new Set<string>();
  let anyShare = false;
  for (const cls of classes) {
    if (typeof cls.name !== 'string' || cls.name === '') {
      throw new EngineConfigError('a user class has no name');
    }
    if (names.has(cls.name)) throw new EngineConfigError(`user class "${cls.name}" is defined twice`);
    names.add(cls.name);
    if (cls.fixedCount !== undefined) {
      if (!Number.isInteger(cls.fixedCount) || cls.fixedCount < 0) {
        throw new EngineConfigError(`user class "${cls.name}": fixedCount must be a whole number >= 0, got ${String(cls.fixedCount)}`);
      }
      if (cls.fixedCount > 0) anyShare = true;
      continue;
    }
    const weight = cls.weight ?? 1;
    if (!Number.isFinite(weight) || weight < 0) {
      throw new EngineConfigError(`user class "${cls.name}": weight must be a finite number >= 0, got ${String(cls.weight)}`);
    }
    if (weight > 0) anyShare = true;
  }
  if (!anyShare) throw new EngineConfigError('every user class has weight 0 and no fixedCount: no user can be spawned');
}

/**
 * Smooth weighted round robin (as nginx balances upstreams): each round every
 * entry gains its weight, the richest is picked and pays the total. Ties go
 * to the earlier entry, so declaration order decides between equals.
 */
function smoothRoundRobin<T>(entries: readonly { item: T; weight: number }[], count: number, out: T[]): void {
  if (count <= 0 || entries.length === 0) return;
  const current = new Float64Array(entries.length);
  let total = 0;
  for (const e of entries) total += e.weight;
  for (let n = 0; n < count; n++) {
    let best = 0;
    for (let i = 0; i < entries.length; i++) {
      current[i] = (current[i] ?? 0) + (entries[i]?.weight ?? 0);
      if ((current[i] ?? 0) > (current[best] ?? 0)) best = i;
    }
    current[best] = (current[best] ?? 0) - total;
    out.push((entries[best] as { item: T }).item);
  }
}

/**
 * The classes of the first `total` users, in spawn order. Shorter than
 * `total` only when every class has a fixedCount and their sum is smaller
 * (there is nobody to take the remaining users).
 */
export function planUserClasses<C>(classes: UserClassDef<C>[], total: number): UserClassDef<C>[] {
  if (!Number.isInteger(total) || total < 0) {
    throw new EngineConfigError(`user count must be a whole number >= 0, got ${String(total)}`);
  }
  validateUserClasses(classes);
  const fixed: { item: UserClassDef<C>; weight: number }[] = [];
  const weighted: { item: UserClassDef<C>; weight: number }[] = [];
  let fixedSum = 0;
  for (const cls of classes) {
    if (cls.fixedCount !== undefined) {
      if (cls.fixedCount > 0) fixed.push({ item: cls, weight: cls.fixedCount });
      fixedSum += cls.fixedCount;
    } else if ((cls.weight ?? 1) > 0) {
      weighted.push({ item: cls, weight: cls.weight ?? 1 });
    }
  }
  const order: UserClassDef<C>[] = [];
  // Interleaving the fixed classes by their counts (rather than one class
  // after the other) keeps the order prefix-stable when `total` cuts into them.
  smoothRoundRobin(fixed, Math.min(total, fixedSum), order);
  if (weighted.length > 0) smoothRoundRobin(weighted, total - order.length, order);
  return order;
}

/** How many users of each class an order (or any list of classes) holds. */
export function countByClass<C>(order: readonly UserClassDef<C>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const cls of order) counts[cls.name] = (counts[cls.name] ?? 0) + 1;
  return counts;
}

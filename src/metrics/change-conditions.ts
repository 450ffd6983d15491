/**
 * `--fail-on` conditions of `mcpload compare` (and `run --baseline`): a change
 * between a base run and the current one that counts as a regression.
 *
 *   [SCOPE:]METRIC OP SIGNED_AMOUNT[UNIT]
 *
 * - METRIC: requests, error_rate, p50, p95, p99 (or p(50), p(95), p(99)), max, rps.
 * - OP: `>` (the change is above the amount) or `<` (below it).
 * - AMOUNT: a signed number, the change from base to current: `+10%` (relative),
 *   `+50ms` / `+0.2s` / `+500us` (latency metrics), `+0.5pp` (error_rate, in
 *   percentage points), or a bare number (requests and rps, absolute).
 * - SCOPE: none = the Aggregated row; `*` = every entry in both runs and the
 *   Aggregated row, each checked alone; `name=X`, `type=T` or
 *   `type=T,name=X` (as in thresholds) = each entry in both runs that matches.
 *   The scope is everything before the last ":" that a valid condition follows,
 *   so names may hold ":".
 */

export type CompareMetric = 'requests' | 'error_rate' | 'p50' | 'p95' | 'p99' | 'max' | 'rps';
export const COMPARE_METRICS: readonly CompareMetric[] = ['requests', 'error_rate', 'p50', 'p95', 'p99', 'max', 'rps'];
export const LATENCY_METRICS: ReadonlySet<CompareMetric> = new Set(['p50', 'p95', 'p99', 'max']);

/** How an amount is measured: relative %, milliseconds, percentage points, or the metric's own unit. */
export type ChangeUnit = '%' | 'ms' | 'pp' | 'abs';

export type ChangeScope =
  | { kind: 'aggregated' }
  | { kind: 'every' }
  | { kind: 'select'; type?: string; name?: string };

export interface ChangeCondition {
  /** The text as written. */
  expr: string;
  scope: ChangeScope;
  metric: CompareMetric;
  op: '>' | '<';
  /** Signed; in `unit` (ms for latency amounts whatever unit was typed). */
  amount: number;
  unit: ChangeUnit;
}

export class ChangeConditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChangeConditionError';
  }
}

const SYNTAX = 'expected [SCOPE:]METRIC>+N% or <-N%, e.g. p95>+10%, p99>+50ms, error_rate>+0.5pp, rps<-10%, name=add:p95>+10%';
const CONDITION = /^\s*(requests|error_rate|p50|p95|p99|p\(\s*(?:50|95|99)\s*\)|max|rps)\s*([<>])\s*(.*?)\s*$/i;
const AMOUNT = /^([+-])\s*(\d+(?:\.\d+)?|\.\d+)\s*(%|pp|ms|s|us|µs)?$/i;
const TO_MS: Record<string, number> = { ms: 1, s: 1000, us: 0.001, 'µs': 0.001 };

function fail(expr: string, why: string): never {
  throw new ChangeConditionError(`invalid --fail-on "${expr}": ${why}`);
}

function parseCondition(expr: string, text: string): Omit<ChangeCondition, 'expr' | 'scope'> {
  const match = CONDITION.exec(text);
  if (!match) return fail(expr, SYNTAX);
  const metric = match[1]!.toLowerCase().replace(/[()\s]/g, '') as CompareMetric;
  const op = match[2] as '>' | '<';
  const amount = AMOUNT.exec(match[3]!);
  if (!amount) {
    if (/^\d/.test(match[3]!)) fail(expr, `the change needs a sign: "+${match[3]!}" for a rise, "-${match[3]!}" for a fall`);
    return fail(expr, `"${match[3]!}" is not a signed change (${SYNTAX})`);
  }
  const value = (amount[1] === '-' ? -1 : 1) * Number(amount[2]);
  const typed = (amount[3] ?? '').toLowerCase();
  if (typed === '%') return { metric, op, amount: value, unit: '%' };
  if (typed === 'pp') {
    if (metric !== 'error_rate') fail(expr, `pp (percentage points) is for error_rate; use % or ${LATENCY_METRICS.has(metric) ? 'ms' : 'a bare number'} for ${metric}`);
    return { metric, op, amount: value, unit: 'pp' };
  }
  if (typed !== '') {
    if (!LATENCY_METRICS.has(metric)) fail(expr, `${typed} is a time; ${metric} takes ${metric === 'error_rate' ? '% or pp' : '% or a bare number'}`);
    return { metric, op, amount: value * (TO_MS[typed] ?? 1), unit: 'ms' };
  }
  if (LATENCY_METRICS.has(metric)) fail(expr, `give ${metric}'s change a unit: % or ms (e.g. +10% or +50ms)`);
  if (metric === 'error_rate') fail(expr, 'give error_rate\'s change a unit: pp (percentage points) or % (relative)');
  return { metric, op, amount: value, unit: 'abs' };
}

/** `name=...`, `type=...`, or both joined by "," (a "," inside a name is fine unless "type=" or "name=" follows it). */
function parseScope(expr: string, text: string): ChangeScope {
  if (text.trim() === '*') return { kind: 'every' };
  const scope: { kind: 'select'; type?: string; name?: string } = { kind: 'select' };
  for (const part of text.split(/,(?=\s*(?:type|name)\s*=)/)) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? '' : part.slice(0, eq).trim();
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (key !== 'type' && key !== 'name') fail(expr, `scope "${part}" must be *, name=..., type=... or type=...,name=...`);
    if (value.trim() === '') fail(expr, `scope "${part}" has an empty ${key}`);
    if (scope[key] !== undefined) fail(expr, `scope gives ${key} twice`);
    scope[key] = key === 'type' ? value.trim() : value;
  }
  return scope;
}

/**
 * Parses one `--fail-on` expression.
 * @throws ChangeConditionError with a one-line message naming the bad part.
 */
export function parseChangeCondition(text: string): ChangeCondition {
  const expr = typeof text === 'string' ? text.trim() : '';
  if (expr === '') throw new ChangeConditionError(`invalid --fail-on "": empty (${SYNTAX})`);
  for (let colon = expr.lastIndexOf(':'); colon > 0; colon = expr.lastIndexOf(':', colon - 1)) {
    const tail = expr.slice(colon + 1);
    if (!CONDITION.test(tail)) continue;
    return { expr, scope: parseScope(expr, expr.slice(0, colon)), ...parseCondition(expr, tail) };
  }
  if (expr.includes(':') && !CONDITION.test(expr)) {
    // A scope whose condition is wrong: say what is wrong after the last ":".
    return { expr, scope: parseScope(expr, expr.slice(0, expr.lastIndexOf(':'))), ...parseCondition(expr, expr.slice(expr.lastIndexOf(':') + 1)) };
  }
  return { expr, scope: { kind: 'aggregated' }, ...parseCondition(expr, expr) };
}

/** `change` (in the condition's unit) holds the condition: above the amount for `>`, below it for `<`. */
export function conditionHolds(condition: ChangeCondition, change: number): boolean {
  return condition.op === '>' ? change > condition.amount : change < condition.amount;
}

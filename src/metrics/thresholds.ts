/**
 * k6-style pass/fail criteria over a snapshot: `[selector:]metric op value`,
 * e.g. `p(95)<500`, `error_rate<1%`, `name=/api/v1/tools/call:avg<100`,
 * `type=GET,name=/health:p(99.9)<=0.5s`.
 */
import { percentileUs } from './histogram.js';
import { runDurationS } from './rows.js';
import { totalsOf, type EntrySnapshot, type Snapshot } from './snapshot.js';

export class ThresholdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThresholdError';
  }
}

export type ThresholdMetric = 'avg' | 'med' | 'min' | 'max' | 'p' | 'error_rate' | 'rps' | 'checks' | 'count' | 'exceptions';

/**
 * Where a rule came from. `mcpload` and `scenario` rules are defaults: a run
 * that fails only on them exits with `--exit-code-on-error` (default 1).
 */
export type ThresholdSource = 'mcpload' | 'scenario' | 'user';
export type ThresholdOp = '<' | '<=' | '>' | '>=' | '==';

export interface ThresholdSelector {
  type?: string;
  name?: string;
}

export interface Threshold {
  /** The text as written. */
  expr: string;
  selector: ThresholdSelector;
  metric: ThresholdMetric;
  /** For metric "p": the percentile, 0–100. */
  percentile?: number;
  op: ThresholdOp;
  /** Milliseconds for times, a fraction (0–1) for error_rate and checks, requests/s for rps, a count for count and exceptions. */
  value: number;
  /** Default 'user'. */
  source?: ThresholdSource;
  /** k6's abortOnFail: judged every second while the run is on; crossing it stops the run. */
  abortOnFail?: boolean;
  /** k6's delayAbortEval: seconds from the start before an abortOnFail rule is judged. */
  abortDelayS?: number;
  /** A user's rule that took a default's place (same selector and metric): like the default, not judged when nothing matched. */
  replacesDefault?: boolean;
}

export interface ThresholdResult {
  expr: string;
  passed: boolean;
  /** In the threshold's unit (ms, fraction, requests/s); null when nothing was measured. */
  actual: number | null;
  detail: string;
  /** Where the rule came from; absent in results written before it was recorded (read as 'user'). */
  source?: ThresholdSource;
  /** True for mcpload's and the scenario's default rules, false for the user's own. */
  isDefault?: boolean;
  /** What the figure was computed over, e.g. "1,234 requests, SECURITY rows excluded". */
  over?: string;
  abortOnFail?: boolean;
}

/** Requests of this type are security probes: reported apart and left out of unselected thresholds. */
export const SECURITY_TYPE = 'SECURITY';

const METRIC_HINT = 'expected p(N), avg, med, min, max, error_rate, rps, checks, count or exceptions';
/** `:abortOnFail` or `:abortOnFail(30s)` at the end of a threshold (k6's abortOnFail and delayAbortEval). */
const ABORT_SUFFIX = /:\s*abortOnFail\s*(?:\(\s*([^)]*?)\s*\))?\s*$/i;
const CONDITION = /^\s*([A-Za-z_]+)\s*(\(\s*[^)]*\))?\s*(<=|>=|==|<|>)?\s*(.*?)\s*$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

interface Condition {
  metric: ThresholdMetric;
  percentile?: number;
  op: ThresholdOp;
  value: number;
}

function fail(expr: string, why: string): never {
  throw new ThresholdError(`invalid threshold "${expr}": ${why}`);
}

function parseNumber(expr: string, text: string, what: string): number {
  if (!NUMBER.test(text)) fail(expr, `"${text}" is not a number (${what})`);
  return Number(text);
}

function parseMetric(expr: string, word: string, parens: string | undefined): Pick<Condition, 'metric' | 'percentile'> {
  const lower = word.toLowerCase();
  if (lower === 'p') {
    if (parens === undefined) fail(expr, METRIC_HINT);
    const inner = parens.slice(1, -1).trim();
    const p = parseNumber(expr, inner, 'percentile in p(N)');
    if (p < 0 || p > 100) fail(expr, `percentile ${inner} is outside 0–100`);
    return { metric: 'p', percentile: p };
  }
  if (parens !== undefined) fail(expr, `"${word}${parens}": ${METRIC_HINT}`);
  switch (lower) {
    case 'avg': case 'med': case 'min': case 'max': case 'rps': case 'error_rate': case 'checks': case 'count': case 'exceptions':
      return { metric: lower };
    case 'rate':
      return { metric: 'error_rate' };
    default:
      return fail(expr, METRIC_HINT);
  }
}

function parseValue(expr: string, metric: ThresholdMetric, raw: string): number {
  if (raw === '') fail(expr, 'missing value after the operator');
  if (metric === 'error_rate' || metric === 'checks') {
    const percent = raw.endsWith('%');
    const n = parseNumber(expr, percent ? raw.slice(0, -1).trim() : raw, 'a fraction like 0.01 or a percentage like 1%');
    const fraction = percent ? n / 100 : n;
    if (fraction < 0 || fraction > 1) fail(expr, `${metric === 'checks' ? 'checks rate' : 'error rate'} ${raw} is outside 0–1 (0%–100%)`);
    return fraction;
  }
  if (metric === 'count' || metric === 'exceptions') {
    const n = parseNumber(expr, raw, `a number of ${metric === 'count' ? 'requests' : 'task exceptions'}`);
    if (n < 0) fail(expr, `${metric} ${raw} is negative`);
    return n;
  }
  if (metric === 'rps') {
    const text = raw.replace(/\s*\/\s*s$/i, '');
    const n = parseNumber(expr, text, 'requests per second');
    if (n < 0) fail(expr, `rps ${raw} is negative`);
    return n;
  }
  const unit = /(ms|s)$/i.exec(raw)?.[1]?.toLowerCase();
  const digits = unit ? raw.slice(0, -unit.length).trim() : raw;
  const n = parseNumber(expr, digits, 'time in ms, or with unit ms or s');
  if (n < 0) fail(expr, `time ${raw} is negative`);
  return unit === 's' ? n * 1000 : n;
}

/** Parses `metric op value`; throws ThresholdError naming the bad part. */
function parseCondition(expr: string, text: string): Condition {
  const match = CONDITION.exec(text);
  if (!match) return fail(expr, METRIC_HINT);
  const [, word = '', parens, op, rest = ''] = match;
  const metric = parseMetric(expr, word, parens);
  if (op === undefined) {
    fail(expr, `expected an operator <, <=, >, >= or == after "${word}${parens ?? ''}"`);
  }
  return { ...metric, op: op as ThresholdOp, value: parseValue(expr, metric.metric, rest) };
}

/** `name=...`, `type=...`, or both joined by "," (a "," inside a name is fine unless "type=" or "name=" follows it). */
function parseSelector(expr: string, text: string): ThresholdSelector {
  const selector: ThresholdSelector = {};
  for (const part of text.split(/,(?=\s*(?:type|name)\s*=)/)) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? '' : part.slice(0, eq).trim();
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (key !== 'type' && key !== 'name') fail(expr, `selector "${part}" must be name=..., type=... or both joined by ","`);
    if (value.trim() === '') fail(expr, `selector "${part}" has an empty ${key}`);
    if (selector[key] !== undefined) fail(expr, `selector gives ${key} twice`);
    selector[key] = key === 'type' ? value.trim() : value;
  }
  return selector;
}

function looksLikeSelector(text: string): boolean {
  return /^\s*(type|name)\s*=/.test(text);
}

/**
 * Parses one threshold. The selector, if any, is everything before the last
 * ":" that is followed by a valid condition, so names may contain ":".
 * @throws ThresholdError with a one-line message naming the bad part.
 */
export function parseThreshold(expr: string): Threshold {
  return parseThresholdFrom(expr, 'user');
}

/** `parseThreshold` for a rule from `source` (a scenario's defaults, mcpload's own). */
export function parseThresholdFrom(expr: string, source: ThresholdSource): Threshold {
  if (typeof expr !== 'string' || expr.trim() === '') throw new ThresholdError('invalid threshold "": empty');
  const full = expr.trim();
  const abort = ABORT_SUFFIX.exec(full);
  const rule = parseRule(abort ? full.slice(0, abort.index).trim() : full);
  if (rule.metric === 'exceptions' && (rule.selector.type !== undefined || rule.selector.name !== undefined)) {
    fail(full, 'exceptions counts task exceptions of the whole run: it takes no name= or type= selector');
  }
  const out: Threshold = { ...rule, expr: full, source };
  if (abort) {
    out.abortOnFail = true;
    if (abort[1] !== undefined && abort[1] !== '') out.abortDelayS = parseDelay(full, abort[1]);
  }
  return out;
}

/** `30s`, `2m`, `500ms` or a bare number of seconds. */
function parseDelay(expr: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/i.exec(text);
  if (!match) return fail(expr, `abortOnFail(${text}): expected a delay such as 10s, 2m or 500ms`);
  const n = Number(match[1]);
  const unit = (match[2] ?? 's').toLowerCase();
  return unit === 'ms' ? n / 1000 : unit === 'm' ? n * 60 : n;
}

function parseRule(trimmed: string): Threshold {
  if (looksLikeSelector(trimmed)) {
    for (let colon = trimmed.lastIndexOf(':'); colon > 0; colon = trimmed.lastIndexOf(':', colon - 1)) {
      const tail = trimmed.slice(colon + 1);
      if (!isCondition(trimmed, tail)) continue;
      return { expr: trimmed, selector: parseSelector(trimmed, trimmed.slice(0, colon)), ...parseCondition(trimmed, tail) };
    }
    // No ":" is followed by a valid condition: report what is wrong after the last one.
    const colon = trimmed.lastIndexOf(':');
    if (colon < 0) fail(trimmed, 'a selector must be followed by ":" and a condition, e.g. name=/x:p(95)<500');
    parseSelector(trimmed, trimmed.slice(0, colon));
    parseCondition(trimmed, trimmed.slice(colon + 1));
  }
  const colon = trimmed.lastIndexOf(':');
  if (colon >= 0 && isCondition(trimmed, trimmed.slice(colon + 1))) parseSelector(trimmed, trimmed.slice(0, colon));
  return { expr: trimmed, selector: {}, ...parseCondition(trimmed, trimmed) };
}

function isCondition(expr: string, text: string): boolean {
  try {
    parseCondition(expr, text);
    return true;
  } catch {
    return false;
  }
}

function metricLabel(t: Pick<Threshold, 'metric' | 'percentile'>): string {
  return t.metric === 'p' ? `p(${t.percentile})` : t.metric;
}

/** Thresholds with equal keys constrain the same figure; a later one replaces an earlier one. */
export function thresholdKey(t: Threshold): string {
  return `${t.selector.type ?? ''}\u0000${t.selector.name ?? ''}\u0000${metricLabel(t)}`;
}

/**
 * Defaults, then overrides: an override replaces the default (or earlier
 * override) with the same selector and metric in place; others are appended.
 * `defaults` are the scenario's rules, `overrides` the user's (--threshold).
 */
export function mergeThresholdLists(defaults: readonly string[], overrides: readonly string[]): Threshold[] {
  return mergeRules([
    ...defaults.map((expr) => parseThresholdFrom(expr, 'scenario')),
    ...overrides.map((expr) => parseThresholdFrom(expr, 'user')),
  ]);
}

/** Later rules replace earlier ones with the same key, in place. */
export function mergeRules(rules: readonly Threshold[]): Threshold[] {
  const out: Threshold[] = [];
  const index = new Map<string, number>();
  for (const threshold of rules) {
    const key = thresholdKey(threshold);
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, out.length);
      out.push(threshold);
    } else {
      // Retuning a scenario's rule for a row (its limit) does not make that row a requirement of the run.
      const replaced = out[at]!;
      const replacesDefault = (threshold.source ?? 'user') === 'user' && ((replaced.source ?? 'user') !== 'user' || replaced.replacesDefault === true);
      out[at] = replacesDefault ? { ...threshold, replacesDefault } : threshold;
    }
  }
  return out;
}

/**
 * mcpload's own verdict for every run (Locust fails a run on any failure; we
 * allow 1 % like a k6 user's usual `http_req_failed<0.01`): request failures
 * over 1 % (SECURITY rows excluded), any failed check, any exception in a
 * task. A scenario's or the user's rule with the same metric and no selector
 * replaces the matching one (e.g. `--threshold error_rate<5%`); rules on
 * other metrics (p(95), rps, ...) are added beside them and replace nothing.
 * These rules pass when there is nothing to judge (no requests, no checks).
 */
export const DEFAULT_RULES: readonly string[] = ['error_rate<1%', 'checks==100%', 'exceptions==0'];

/** mcpload's defaults, then the scenario's and the user's rules (each replacing what it names again). */
export function withDefaultRules(rules: readonly Threshold[]): Threshold[] {
  return mergeRules([...DEFAULT_RULES.map((expr) => parseThresholdFrom(expr, 'mcpload')), ...rules]);
}

function selects(selector: ThresholdSelector, entry: EntrySnapshot): boolean {
  if (selector.type === undefined && selector.name === undefined) return entry.type !== SECURITY_TYPE;
  return (selector.type === undefined || selector.type === entry.type)
    && (selector.name === undefined || selector.name === entry.name);
}

function compare(actual: number, op: ThresholdOp, limit: number): boolean {
  switch (op) {
    case '<': return actual < limit;
    case '<=': return actual <= limit;
    case '>': return actual > limit;
    case '>=': return actual >= limit;
    case '==': return actual === limit;
  }
}

function round(n: number, digits: number): string {
  return String(Number(n.toFixed(digits)));
}

function formatValue(metric: ThresholdMetric, value: number): string {
  if (metric === 'error_rate' || metric === 'checks') return `${round(value * 100, 4)}%`;
  if (metric === 'rps') return `${round(value, 3)} req/s`;
  if (metric === 'count' || metric === 'exceptions') return round(value, 0);
  return `${round(value, 3)} ms`;
}

/**
 * The engine's note that a user's onStop or closeContext overran --stop-timeout
 * (engine/teardown.ts): listed with the exceptions, but not an error thrown by
 * scenario code, so `exceptions` leaves it out (Locust cuts such users silently).
 */
const CUT_AT_STOP = /^Error: \S+\.(?:onStop|closeContext) did not finish within \d+ ms$/;

/** 1234 → "1,234" (fixed locale, so reports read the same everywhere). */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** "1 request", "1,234 requests". */
function counted(n: number, word: string): string {
  return `${formatCount(n)} ${n === 1 ? word : `${word}s`}`;
}

interface Measured {
  actual: number | null;
  /** What the figure was computed over. */
  over: string;
}

function selectorText(selector: ThresholdSelector): string {
  return [selector.type !== undefined ? `type=${selector.type}` : '', selector.name !== undefined ? `name=${selector.name}` : '']
    .filter(Boolean).join(',');
}

function measure(t: Threshold, snapshot: Snapshot, durationS: number): Measured {
  if (t.metric === 'exceptions') {
    const count = snapshot.exceptions.reduce((sum, group) => sum + (CUT_AT_STOP.test(group.message) ? 0 : group.count), 0);
    return { actual: count, over: 'the whole run\'s tasks' };
  }
  const entries = snapshot.entries.filter((entry) => selects(t.selector, entry));
  const unselected = t.selector.type === undefined && t.selector.name === undefined;
  const left = unselected && snapshot.entries.some((entry) => entry.type === SECURITY_TYPE && entry.requests > 0)
    ? ', SECURITY rows excluded' : '';
  const of = unselected ? '' : ` of ${selectorText(t.selector)}`;
  if (t.metric === 'checks') {
    let passed = 0;
    let failed = 0;
    for (const entry of entries) {
      passed += entry.checksPassed ?? 0;
      failed += entry.checksFailed ?? 0;
    }
    const all = passed + failed;
    return { actual: all > 0 ? passed / all : null, over: `${counted(all, 'check')}${of} (${formatCount(failed)} failed)${left}` };
  }
  const totals = totalsOf(entries);
  const requests = `${counted(totals.requests, 'request')}${of}`;
  if (t.metric === 'count') return { actual: totals.requests, over: `all requests${of}${left}` };
  if (totals.requests === 0) return { actual: null, over: `${requests}${left}` };
  if (t.metric === 'rps') return { actual: durationS > 0 ? totals.requests / durationS : 0, over: `${requests} in ${round(durationS, 2)} s${left}` };
  if (t.metric === 'error_rate') {
    // A request cut at the stop did not complete, but the server was not seen to fail it: judged apart (verdict.ts).
    const completed = totals.requests - totals.cut;
    const cut = totals.cut > 0 ? `, ${counted(totals.cut, 'request')} cut at the stop left out` : '';
    if (completed === 0) return { actual: null, over: `${requests}${cut}${left}` };
    return { actual: (totals.failures - totals.cut) / completed, over: `${totals.cut > 0 ? counted(completed, 'completed request') : counted(completed, 'request')}${of} (${formatCount(totals.failures - totals.cut)} failed)${cut}${left}` };
  }
  const minUs = totals.minUs ?? 0;
  const maxUs = totals.maxUs ?? 0;
  const over = `${requests}${left}`;
  switch (t.metric) {
    case 'avg': return { actual: totals.sumUs / totals.requests / 1000, over };
    case 'med': return { actual: percentileUs(totals.histogram, 50, minUs, maxUs) / 1000, over };
    case 'min': return { actual: minUs / 1000, over };
    case 'max': return { actual: maxUs / 1000, over };
    case 'p': return { actual: percentileUs(totals.histogram, t.percentile ?? 100, minUs, maxUs) / 1000, over };
  }
}

/**
 * Judges each rule on the snapshot. A rule of the user's with nothing to
 * measure (no matching requests, no checks) fails; a default (mcpload's or
 * the scenario's) then has nothing to object to and passes.
 * @param durationS seconds the run lasted, for rps; default: from the snapshot's start to its taking.
 */
export function evaluateThresholds(list: readonly Threshold[], snapshot: Snapshot, durationS = runDurationS(snapshot)): ThresholdResult[] {
  return list.map((t) => {
    const source = t.source ?? 'user';
    const meta = { source, isDefault: source !== 'user', ...(t.abortOnFail ? { abortOnFail: true } : {}) };
    const { actual, over } = measure(t, snapshot, durationS);
    if (actual === null) {
      const nothing = t.metric === 'checks' ? 'no checks ran' : 'no requests matched';
      // A default (mcpload's or the scenario's) has nothing to object to: a short run may never reach a row a scenario
      // names; nor has a user's rule that only retuned such a default. A rule the user added asked for a figure, and
      // there is none: that fails.
      if (source === 'user' && t.replacesDefault !== true) return { expr: t.expr, passed: false, actual: null, detail: nothing, ...meta };
      return { expr: t.expr, passed: true, actual: null, detail: `${nothing} (${source === 'user' ? 'replaces a default' : 'a default'}: not judged)`, ...meta };
    }
    const passed = compare(actual, t.op, t.value);
    const detail = `${metricLabel(t)} = ${formatValue(t.metric, actual)} (required ${t.op} ${formatValue(t.metric, t.value)})`;
    return { expr: t.expr, passed, actual, detail, over, ...meta };
  });
}

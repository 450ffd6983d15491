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

export type ThresholdMetric = 'avg' | 'med' | 'min' | 'max' | 'p' | 'error_rate' | 'rps';
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
  /** Milliseconds for times, a fraction (0–1) for error_rate, requests/s for rps. */
  value: number;
}

export interface ThresholdResult {
  expr: string;
  passed: boolean;
  /** In the threshold's unit (ms, fraction, requests/s); null when nothing was measured. */
  actual: number | null;
  detail: string;
}

export interface SecurityResult {
  name: string;
  attempts: number;
  failures: number;
  passed: boolean;
  /** The error details seen ("security: GET /admin answered 200 (×3)"). */
  evidence: string[];
}

/** Requests of this type are security probes: reported apart and left out of unselected thresholds. */
export const SECURITY_TYPE = 'SECURITY';

const METRIC_HINT = 'expected p(N), avg, med, min, max, error_rate or rps';
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
    case 'avg': case 'med': case 'min': case 'max': case 'rps': case 'error_rate':
      return { metric: lower };
    case 'rate':
      return { metric: 'error_rate' };
    default:
      return fail(expr, METRIC_HINT);
  }
}

function parseValue(expr: string, metric: ThresholdMetric, raw: string): number {
  if (raw === '') fail(expr, 'missing value after the operator');
  if (metric === 'error_rate') {
    const percent = raw.endsWith('%');
    const n = parseNumber(expr, percent ? raw.slice(0, -1).trim() : raw, 'a fraction like 0.01 or a percentage like 1%');
    const fraction = percent ? n / 100 : n;
    if (fraction < 0 || fraction > 1) fail(expr, `error rate ${raw} is outside 0–1 (0%–100%)`);
    return fraction;
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
  if (typeof expr !== 'string' || expr.trim() === '') throw new ThresholdError('invalid threshold "": empty');
  const trimmed = expr.trim();
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
 */
export function mergeThresholdLists(defaults: readonly string[], overrides: readonly string[]): Threshold[] {
  const out: Threshold[] = [];
  const index = new Map<string, number>();
  for (const expr of [...defaults, ...overrides]) {
    const threshold = parseThreshold(expr);
    const key = thresholdKey(threshold);
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, out.length);
      out.push(threshold);
    } else {
      out[at] = threshold;
    }
  }
  return out;
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

function formatValue(metric: ThresholdMetric, value: number): string {
  const round = (n: number, digits: number): string => String(Number(n.toFixed(digits)));
  if (metric === 'error_rate') return `${round(value * 100, 4)}%`;
  if (metric === 'rps') return `${round(value, 3)} req/s`;
  return `${round(value, 3)} ms`;
}

function measure(t: Threshold, entries: readonly EntrySnapshot[], durationS: number): number {
  const totals = totalsOf(entries);
  const minUs = totals.minUs ?? 0;
  const maxUs = totals.maxUs ?? 0;
  switch (t.metric) {
    case 'avg': return totals.sumUs / totals.requests / 1000;
    case 'med': return percentileUs(totals.histogram, 50, minUs, maxUs) / 1000;
    case 'min': return minUs / 1000;
    case 'max': return maxUs / 1000;
    case 'p': return percentileUs(totals.histogram, t.percentile ?? 100, minUs, maxUs) / 1000;
    case 'error_rate': return totals.failures / totals.requests;
    case 'rps': return durationS > 0 ? totals.requests / durationS : 0;
  }
}

export function evaluateThresholds(list: readonly Threshold[], snapshot: Snapshot): ThresholdResult[] {
  const durationS = runDurationS(snapshot);
  return list.map((t) => {
    const entries = snapshot.entries.filter((entry) => selects(t.selector, entry));
    if (entries.every((entry) => entry.requests === 0)) {
      return { expr: t.expr, passed: false, actual: null, detail: 'no requests matched' };
    }
    const actual = measure(t, entries, durationS);
    const passed = compare(actual, t.op, t.value);
    const detail = `${metricLabel(t)} = ${formatValue(t.metric, actual)} (required ${t.op} ${formatValue(t.metric, t.value)})`;
    return { expr: t.expr, passed, actual, detail };
  });
}

/** One result per SECURITY entry: passed when no probe got through. */
export function securityResults(snapshot: Snapshot): SecurityResult[] {
  return snapshot.entries
    .filter((entry) => entry.type === SECURITY_TYPE)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((entry) => ({
      name: entry.name,
      attempts: entry.requests,
      failures: entry.failures,
      passed: entry.failures === 0,
      evidence: snapshot.errors
        .filter((group) => group.type === SECURITY_TYPE && group.name === entry.name)
        .map((group) => (group.occurrences > 1 ? `${group.error} (×${group.occurrences})` : group.error)),
    }));
}

/**
 * Seeded generation of values from a JSON Schema, for tool arguments in the
 * discovery scenario. Values aim to be valid and varied, and also plausible:
 * a tool that says `duration: number` with no bounds gets 1..10, not 1e308,
 * because a load test wants the tool to run the way an agent would call it.
 *
 * Covers: boolean schemas, local `$ref` (`#/$defs/...`, `#/definitions/...`),
 * `const`, `enum`, `type` (also as an array), `default` and `examples`,
 * numbers with (exclusive) minimum/maximum and multipleOf, strings with
 * minLength/maxLength and the common formats, `pattern` (simple regexes
 * built directly, see pattern-string.ts, others by trying candidates),
 * objects with required/optional properties, min/maxProperties,
 * arrays with items/prefixItems, min/maxItems and uniqueItems, and
 * anyOf/oneOf/allOf. What it cannot satisfy (an exotic `pattern`, `not`) the
 * caller finds out by validating with ajv (see json-schema.ts).
 */

import { stringForPattern } from './pattern-string.js';
import type { Rng } from '../engine/rng.js';

type Schema = Record<string, unknown>;

/** Nesting beyond this gets the smallest value that fits, so recursive schemas end. */
const MAX_DEPTH = 6;
/** Unbounded numbers are drawn from 1..11 (or min..min+10): small values an agent would pass. */
const NUMBER_SPAN = 10;
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

export class SchemaArgGenerator {
  constructor(private readonly rng: Rng) {}

  /** Arguments for a tool: always an object, whatever the schema's shape. */
  toolArguments(inputSchema: unknown): Record<string, unknown> {
    const value = this.value(inputSchema, inputSchema, 0);
    return isPlainObject(value) ? value : {};
  }

  /** A value for `schema`; `root` resolves local `$ref`s. */
  value(schema: unknown, root: unknown, depth: number): unknown {
    if (schema === true || schema === undefined) return this.word();
    if (schema === false || !isPlainObject(schema)) return null;
    const s = this.resolve(schema, root);

    if ('const' in s) return s.const;
    if (Array.isArray(s.enum) && s.enum.length > 0) return this.pick(s.enum);
    // Half the time a declared default or example: the value the author had in mind.
    if ('default' in s && this.rng() < 0.5) return s.default;
    if (Array.isArray(s.examples) && s.examples.length > 0 && this.rng() < 0.3) return this.pick(s.examples);

    if (Array.isArray(s.allOf) && s.allOf.length > 0) return this.value(mergeAllOf(s, (x) => this.resolve(x, root)), root, depth);
    const branches = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined;
    if (branches !== undefined && branches.length > 0) {
      // A branch's own keywords live beside the anyOf/oneOf: merge them in.
      const { anyOf: _a, oneOf: _o, ...siblings } = s;
      const branch = this.resolve(asSchema(this.pick(branches)), root);
      return this.value({ ...siblings, ...branch }, root, depth + 1);
    }

    switch (this.typeOf(s)) {
      case 'object': return this.object(s, root, depth);
      case 'array': return this.array(s, root, depth);
      case 'integer': return this.number(s, true);
      case 'number': return this.number(s, false);
      case 'boolean': return this.rng() < 0.5;
      case 'null': return null;
      default: return this.string(s);
    }
  }

  private typeOf(s: Schema): string {
    const t = s.type;
    if (typeof t === 'string') return t;
    if (Array.isArray(t) && t.length > 0) {
      // Prefer a real value over null when the schema allows both.
      const nonNull = t.filter((x) => x !== 'null');
      return String(this.pick(nonNull.length > 0 ? nonNull : t));
    }
    if (isPlainObject(s.properties) || Array.isArray(s.required)) return 'object';
    if (s.items !== undefined || Array.isArray(s.prefixItems)) return 'array';
    if (typeof s.minimum === 'number' || typeof s.maximum === 'number') return 'number';
    return 'string';
  }

  private object(s: Schema, root: unknown, depth: number): Record<string, unknown> {
    const props = isPlainObject(s.properties) ? s.properties : {};
    const required = new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : []);
    const out: Record<string, unknown> = {};
    const deep = depth >= MAX_DEPTH;
    for (const [key, sub] of Object.entries(props)) {
      // Optional properties come half the time (never when deep, to end recursion).
      if (required.has(key) || (!deep && this.rng() < 0.5)) out[key] = this.value(sub, root, depth + 1);
    }
    // Required names without a property schema still need a value.
    for (const key of required) if (!(key in out)) out[key] = this.word();
    const minProps = typeof s.minProperties === 'number' ? s.minProperties : 0;
    for (const [key, sub] of Object.entries(props)) {
      if (Object.keys(out).length >= minProps) break;
      if (!(key in out)) out[key] = this.value(sub, root, depth + 1);
    }
    // Extra properties only when nothing else can reach minProperties and they are allowed.
    const extra = s.additionalProperties;
    for (let i = 0; Object.keys(out).length < minProps && extra !== false && i < minProps; i++) {
      out[`key${i}`] = this.value(isPlainObject(extra) ? extra : true, root, depth + 1);
    }
    const maxProps = typeof s.maxProperties === 'number' ? s.maxProperties : Infinity;
    for (const key of Object.keys(out)) {
      if (Object.keys(out).length <= maxProps) break;
      if (!required.has(key)) delete out[key];
    }
    return out;
  }

  private array(s: Schema, root: unknown, depth: number): unknown[] {
    const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : [];
    const itemSchema = Array.isArray(s.items) ? (s.additionalItems ?? true) : (s.items ?? true);
    const min = Math.max(typeof s.minItems === 'number' ? s.minItems : 0, prefix.length);
    // `items: false` (2020-12) or `additionalItems: false` (draft-07) after a tuple: nothing past it.
    const closed = itemSchema === false && prefix.length > 0;
    const max = closed ? prefix.length : typeof s.maxItems === 'number' ? s.maxItems : min + 3;
    const length = depth >= MAX_DEPTH ? min : this.int(min, Math.max(min, Math.min(max, min + 3)));
    const out: unknown[] = [];
    const seen = new Set<string>();
    for (let i = 0, tries = 0; out.length < length && tries < length * 10 + 10; tries++) {
      const sub = i < prefix.length ? prefix[i] : itemSchema;
      const item = this.value(sub, root, depth + 1);
      if (s.uniqueItems === true) {
        const key = JSON.stringify(item);
        if (seen.has(key)) continue;
        seen.add(key);
      }
      out.push(item);
      i++;
    }
    return out;
  }

  private number(s: Schema, integer: boolean): number {
    let lo = typeof s.minimum === 'number' ? s.minimum : -Infinity;
    let hi = typeof s.maximum === 'number' ? s.maximum : Infinity;
    // Draft 4 wrote exclusiveMinimum: true beside minimum; 6+ gives the bound itself.
    const exMin = typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum : s.exclusiveMinimum === true ? lo : undefined;
    const exMax = typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum : s.exclusiveMaximum === true ? hi : undefined;
    const step = typeof s.multipleOf === 'number' && s.multipleOf > 0 ? s.multipleOf : integer ? 1 : undefined;
    const tiny = step ?? 0.001;
    if (exMin !== undefined) lo = Math.max(lo, exMin + tiny);
    if (exMax !== undefined) hi = Math.min(hi, exMax - tiny);
    // 1, not 0: unbounded numbers are often ids and counts, where 0 is refused.
    if (lo === -Infinity && hi === Infinity) lo = 1;
    if (lo === -Infinity) lo = hi - NUMBER_SPAN;
    if (hi === Infinity) hi = lo + NUMBER_SPAN;
    if (hi < lo) return lo; // contradictory bounds: ajv will say so
    if (step !== undefined) {
      const first = Math.ceil(lo / step);
      const last = Math.floor(hi / step);
      if (last < first) return first * step;
      // Validators divide (0.95 / 0.05 = 18.999...): prefer a multiple whose quotient is exact in floating point.
      let value = roundTo(this.int(first, last) * step, step);
      for (let i = 0; i < 10 && !Number.isInteger(value / step); i++) value = roundTo(this.int(first, last) * step, step);
      return value;
    }
    // Whole numbers whenever one fits: many tools type ids and counts as
    // `number` and reject 8.62, and an agent would not send it either.
    const first = Math.ceil(lo);
    const last = Math.floor(hi);
    if (first <= last) return this.int(first, last);
    const value = Math.round((lo + this.rng() * (hi - lo)) * 1000) / 1000;
    return Math.min(hi, Math.max(lo, value));
  }

  private string(s: Schema): string {
    const minLength = typeof s.minLength === 'number' ? s.minLength : 0;
    const maxLength = typeof s.maxLength === 'number' ? s.maxLength : Math.max(minLength, 24);
    const formatted = typeof s.format === 'string' ? this.formatted(s.format) : undefined;
    if (typeof s.pattern === 'string') {
      const fromPattern = this.matching(s.pattern, minLength, maxLength, formatted);
      if (fromPattern !== undefined) return fromPattern;
    }
    if (formatted !== undefined) return formatted;
    return fitLength(this.words(), minLength, maxLength, () => this.word());
  }

  /** A string the pattern accepts, built from it or guessed; undefined when neither works. */
  private matching(pattern: string, minLength: number, maxLength: number, formatted: string | undefined): string | undefined {
    let re: RegExp;
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      return undefined;
    }
    // A string built from the pattern itself first (a few tries, for length bounds), then plain guesses.
    for (let i = 0; i < 5; i++) {
      const built = stringForPattern(pattern, this.rng);
      if (built === undefined) break;
      if (built.length >= minLength && built.length <= maxLength && re.test(built)) return built;
    }
    const candidates = [
      formatted, this.word(), this.words(), String(this.int(0, 999)), String(this.int(1, 9)), this.word().toUpperCase(),
      `${this.word()}-${this.word()}`, `${this.word()}_${this.int(1, 99)}`, `${this.word()}@example.com`,
      `https://example.com/${this.word()}`, '2024-01-15', 'abc123', 'ABC', 'a', 'A1', '0',
    ];
    for (const c of candidates) {
      if (c !== undefined && c.length >= minLength && c.length <= maxLength && re.test(c)) return c;
    }
    return undefined;
  }

  private formatted(format: string): string | undefined {
    const n = this.int(1, 28);
    const day = String(n).padStart(2, '0');
    switch (format) {
      case 'date-time': return `2024-03-${day}T10:${day}:00Z`;
      case 'date': return `2024-03-${day}`;
      case 'time': return `10:${day}:00Z`;
      case 'email': case 'idn-email': return `${this.word()}@example.com`;
      case 'uri': case 'url': case 'iri': return `https://example.com/${this.word()}`;
      case 'uri-reference': case 'iri-reference': return `/${this.word()}`;
      case 'hostname': case 'idn-hostname': return `${this.word()}.example.com`;
      case 'ipv4': return `192.0.2.${n}`;
      case 'ipv6': return `2001:db8::${n}`;
      case 'uuid': return `00000000-0000-4000-8000-${String(this.int(0, 999_999_999_999)).padStart(12, '0')}`;
      case 'duration': return `PT${n}S`;
      default: return undefined;
    }
  }

  private resolve(schema: Schema, root: unknown): Schema {
    let s = schema;
    for (let hops = 0; typeof s.$ref === 'string' && hops < 10; hops++) {
      const target = resolvePointer(root, s.$ref);
      if (!isPlainObject(target)) break;
      const { $ref: _ref, ...rest } = s;
      s = { ...target, ...rest };
    }
    return s;
  }

  private word(): string {
    return this.pick(WORDS);
  }

  private words(): string {
    return this.rng() < 0.5 ? this.word() : `${this.word()} ${this.word()}`;
  }

  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.rng() * (hi - lo + 1));
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rng() * items.length)]!;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asSchema(value: unknown): Schema {
  if (value === true) return {};
  return isPlainObject(value) ? value : { not: {} };
}

/** `#/$defs/x` or `#/definitions/x` inside the root; other refs are not followed. */
function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter((p) => p.length > 0)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** allOf as one schema: properties and required unite, other keywords of later parts win. */
function mergeAllOf(s: Schema, resolve: (x: Schema) => Schema): Schema {
  const { allOf, ...base } = s;
  let merged: Schema = { ...base };
  for (const part of allOf as unknown[]) {
    const p = resolve(asSchema(part));
    merged = {
      ...merged,
      ...p,
      properties: { ...(isPlainObject(merged.properties) ? merged.properties : {}), ...(isPlainObject(p.properties) ? p.properties : {}) },
      required: [...(Array.isArray(merged.required) ? merged.required : []), ...(Array.isArray(p.required) ? p.required : [])],
    };
  }
  if (Object.keys(merged.properties as object).length === 0) delete merged.properties;
  if ((merged.required as unknown[]).length === 0) delete merged.required;
  return merged;
}

function fitLength(text: string, min: number, max: number, more: () => string): string {
  let out = text;
  while (out.length < min) out += more();
  return out.length > max ? out.slice(0, Math.max(min, max)) : out;
}

function roundTo(value: number, step: number): number {
  // 0.1 * 3 = 0.30000000000000004: round to the step's decimals so multipleOf holds.
  const decimals = (String(step).split('.')[1] ?? '').length;
  return decimals === 0 ? value : Number(value.toFixed(decimals));
}

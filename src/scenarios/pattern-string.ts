/**
 * A string that matches a simple regular expression, for JSON Schema
 * `pattern`s: literals, `.`, escapes (\d \w \s \. ...), classes with ranges
 * (`[a-z0-9_-]`, not negated), groups with `|`, and the quantifiers ? * +
 * {n} {n,} {n,m}. Anchors are dropped (the result is the whole string).
 * Anything else (lookarounds, backreferences, negated classes) gives
 * undefined, and the caller falls back to trying candidates; the caller
 * also checks the result with the real RegExp.
 */
import type { Rng } from '../engine/rng.js';

const DIGITS = '0123456789';
const WORD = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_';
const ESCAPES: Record<string, string> = { d: DIGITS, w: WORD, s: ' ', n: '\n', t: '\t' };
/** Open-ended quantifiers (* + {n,}) repeat at most this many extra times. */
const EXTRA = 3;

/** A set of characters to pick one from, or a group of alternatives. */
type Atom = { chars: string } | { alts: Sequence[] };
interface Piece { atom: Atom; min: number; max: number }
type Sequence = Piece[];

class Unsupported extends Error {}

/** Alternatives up to the end, or up to the `)` that closes the current group. */
function parseAlternatives(src: string, pos: { i: number }, inGroup: boolean): Sequence[] {
  const alts: Sequence[] = [[]];
  while (pos.i < src.length) {
    const c = src[pos.i]!;
    if (c === ')') { if (!inGroup) throw new Unsupported(); break; }
    if (c === '|') { alts.push([]); pos.i++; continue; }
    if (c === '^' || c === '$') { pos.i++; continue; }
    const atom = parseAtom(src, pos);
    const [min, max] = parseQuantifier(src, pos);
    alts[alts.length - 1]!.push({ atom, min, max });
  }
  return alts;
}

function parseAtom(src: string, pos: { i: number }): Atom {
  const c = src[pos.i]!;
  if (c === '(') {
    pos.i++;
    if (src[pos.i] === '?') {
      if (src[pos.i + 1] !== ':') throw new Unsupported(); // lookarounds, named groups
      pos.i += 2;
    }
    const alts = parseAlternatives(src, pos, true);
    if (src[pos.i] !== ')') throw new Unsupported();
    pos.i++;
    return { alts };
  }
  if (c === '[') return { chars: parseClass(src, pos) };
  if (c === '\\') {
    const e = src[pos.i + 1];
    if (e === undefined || /[DWSbBkpPu1-9]/.test(e)) throw new Unsupported();
    pos.i += 2;
    return { chars: ESCAPES[e] ?? e };
  }
  if ('*+?{'.includes(c)) throw new Unsupported();
  pos.i++;
  return { chars: c === '.' ? WORD : c };
}

function parseClass(src: string, pos: { i: number }): string {
  pos.i++; // [
  if (src[pos.i] === '^') throw new Unsupported();
  let chars = '';
  while (pos.i < src.length && src[pos.i] !== ']') {
    const c = src[pos.i]!;
    if (c === '\\') {
      const e = src[pos.i + 1] ?? '';
      if (/[DWSbpPu]/.test(e)) throw new Unsupported();
      chars += ESCAPES[e] ?? e;
      pos.i += 2;
    } else if (src[pos.i + 1] === '-' && src[pos.i + 2] !== undefined && src[pos.i + 2] !== ']') {
      const end = src[pos.i + 2]!.charCodeAt(0);
      for (let code = c.charCodeAt(0); code <= end && chars.length < 512; code++) chars += String.fromCharCode(code);
      pos.i += 3;
    } else {
      chars += c;
      pos.i++;
    }
  }
  if (src[pos.i] !== ']' || chars.length === 0) throw new Unsupported();
  pos.i++;
  return chars;
}

function parseQuantifier(src: string, pos: { i: number }): [number, number] {
  const c = src[pos.i];
  let range: [number, number];
  if (c === '?') range = [0, 1];
  else if (c === '*') range = [0, EXTRA];
  else if (c === '+') range = [1, 1 + EXTRA];
  else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(pos.i));
    if (!m) throw new Unsupported();
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? min + EXTRA : Number(m[3]);
    if (max < min || max > 1000) throw new Unsupported();
    pos.i += m[0].length - 1;
    range = [min, max];
  } else return [1, 1];
  pos.i++;
  if (src[pos.i] === '?' || src[pos.i] === '+') pos.i++; // lazy or possessive: same strings
  return range;
}

function emit(alts: Sequence[], rng: Rng, out: string[]): void {
  const seq = alts[Math.floor(rng() * alts.length)]!;
  for (const piece of seq) {
    const times = piece.min + Math.floor(rng() * (piece.max - piece.min + 1));
    for (let k = 0; k < times; k++) {
      const atom = piece.atom;
      if ('chars' in atom) out.push(atom.chars[Math.floor(rng() * atom.chars.length)]!);
      else emit(atom.alts, rng, out);
    }
  }
}

/** A string matching `pattern`, or undefined when the pattern uses what this does not support. */
export function stringForPattern(pattern: string, rng: Rng): string | undefined {
  try {
    const alts = parseAlternatives(pattern, { i: 0 }, false);
    const out: string[] = [];
    emit(alts, rng, out);
    return out.join('');
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

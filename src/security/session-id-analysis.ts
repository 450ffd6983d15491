/**
 * Are session ids unpredictable? Judged from a sample of ids handed out one
 * after another: the characters allowed (visible ASCII only, MCP 2025-11-25
 * transports §Session Management), a shared prefix, a counter, and an
 * estimate of the random bits they carry.
 *
 * The bit estimate is per character position: a position that never changed
 * carries nothing; one that took only a few values carries log2 of that
 * count; one that took many values carries log2 of the alphabet the ids are
 * drawn from (hex, base64url, alphanumeric or all visible ASCII). UUIDv4 ids
 * thus come out at 122 bits (one fixed version digit, one 2-bit variant).
 */

export interface SessionIdAnalysis {
  count: number;
  /** Ids with a character outside 0x21–0x7E. */
  invisible: number;
  duplicates: number;
  /** Characters every id starts with. */
  sharedPrefix: string;
  /** A number inside the ids that grows by a fixed step from one id to the next. */
  counter: boolean;
  /** Estimated random bits of the shortest id. */
  estimatedBits: number;
  /** Problems found, for a report; empty when none. */
  problems: string[];
}

/** A prefix this long or longer shared by every id is a pattern, not chance (16^-4 per pair of hex ids). */
const MAX_SHARED_PREFIX = 4;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

function alphabetSize(ids: readonly string[]): number {
  const all = ids.join('');
  if (/^[0-9a-f-]*$/.test(all) || /^[0-9A-F-]*$/.test(all)) return 16;
  if (/^[0-9]*$/.test(all)) return 10;
  if (/^[A-Za-z0-9]*$/.test(all)) return 62;
  if (/^[A-Za-z0-9_-]*$/.test(all) || /^[A-Za-z0-9+/=]*$/.test(all)) return 64;
  return 94;
}

function commonPrefix(ids: readonly string[]): string {
  if (ids.length < 2) return '';
  let prefix = ids[0]!;
  for (const id of ids) {
    let i = 0;
    while (i < prefix.length && i < id.length && prefix[i] === id[i]) i++;
    prefix = prefix.slice(0, i);
    if (prefix.length === 0) break;
  }
  return prefix;
}

/**
 * True when, at some position, the ids carry a decimal or hex number that
 * moves by the same small step every time (a counter, even with random
 * padding around it).
 */
function hasCounter(ids: readonly string[]): boolean {
  if (ids.length < 3) return false;
  const runsOf = (id: string) => [...id.matchAll(/[0-9]+/g)].map((m) => Number(m[0]));
  const runs = ids.map(runsOf);
  const width = Math.min(...runs.map((r) => r.length));
  const steady = (values: number[]) => {
    const step = values[1]! - values[0]!;
    if (step === 0 || !Number.isSafeInteger(step) || Math.abs(step) > 1000) return false;
    return values.every((v, i) => i === 0 || v - values[i - 1]! === step);
  };
  // Counted from the start and from the end: random parts may hold a varying number of digit runs.
  for (let pos = 0; pos < width; pos++) {
    if (steady(runs.map((r) => r[pos]!)) || steady(runs.map((r) => r[r.length - 1 - pos]!))) return true;
  }
  return false;
}

function estimateBits(ids: readonly string[], alphabet: number): number {
  const length = Math.min(...ids.map((id) => id.length));
  const full = Math.log2(alphabet);
  // With n samples a position of a k-letter alphabet shows about min(k, n) values; half of that counts as "many".
  const many = Math.min(alphabet, ids.length) / 2;
  let bits = 0;
  for (let pos = 0; pos < length; pos++) {
    const distinct = new Set(ids.map((id) => id[pos])).size;
    if (distinct <= 1) continue;
    bits += distinct >= many ? full : Math.log2(distinct);
  }
  return Math.round(bits * 10) / 10;
}

export function analyseSessionIds(ids: readonly string[], minBits = 64): SessionIdAnalysis {
  const problems: string[] = [];
  const invisible = ids.filter((id) => !VISIBLE_ASCII.test(id)).length;
  const duplicates = ids.length - new Set(ids).size;
  const sharedPrefix = commonPrefix(ids);
  const counter = hasCounter(ids);
  const estimatedBits = ids.length < 2 ? 0 : estimateBits(ids, alphabetSize(ids));
  if (invisible > 0) problems.push(`${invisible} id(s) contain characters outside visible ASCII`);
  if (duplicates > 0) problems.push(`${duplicates} id(s) were handed out twice`);
  if (sharedPrefix.length >= MAX_SHARED_PREFIX) problems.push(`every id starts with ${JSON.stringify(sharedPrefix.slice(0, 24))}`);
  if (counter) problems.push('the ids contain a counter');
  if (estimatedBits < minBits) problems.push(`about ${estimatedBits} random bits, fewer than ${minBits}`);
  return { count: ids.length, invisible, duplicates, sharedPrefix, counter, estimatedBits, problems };
}

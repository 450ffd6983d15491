/**
 * HDR histogram helpers shared by the live stats and by snapshot merging.
 *
 * Every latency histogram in mcpload has the same shape (microseconds, 1 µs to
 * one hour, 3 significant digits), so that any two of them can be added
 * exactly, whether they come from this process, a worker or another machine.
 */
import { inflateSync } from 'node:zlib';
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, JsHistogram } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

export type { Histogram };

/** The largest latency a histogram tracks: one hour in microseconds. Longer samples are clamped to it. */
export const MAX_TRACKED_US = 3_600_000_000;

export function newHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: MAX_TRACKED_US, numberOfSignificantValueDigits: 3 });
}

/** How many buckets a histogram of our one shape has. */
const COUNTS_LENGTH = (newHistogram() as JsHistogram).countsArrayLength;

/**
 * A latency as the whole number of microseconds that the histogram, the sums and
 * the min/max all use. Whole numbers keep sums exact whatever the order of
 * addition, which is what makes merged snapshots identical to a single run.
 * Negative, NaN and infinite inputs become 0 rather than breaking a run.
 */
export function clampUs(latencyUs: number): number {
  if (!(latencyUs > 0)) return 0;
  if (latencyUs >= MAX_TRACKED_US) return MAX_TRACKED_US;
  return Math.round(latencyUs);
}

export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

/**
 * Decodes an encoded histogram. The result can be added to (and from) our own
 * histograms; an empty string stands for an empty histogram.
 * @throws Error when the text is not an encoded histogram.
 */
export function decodeHistogram(encoded: string): Histogram {
  if (encoded === '') return newHistogram();
  const decoded = decodeFromCompressedBase64(encoded);
  decoded.autoResize = true;
  return decoded;
}

/** Cookies of HdrHistogram's V2 encoding (the low nibble's bits 4-7 say the word size). */
const V2_COMPRESSED_COOKIE = 0x1c849304;
const V2_COOKIE = 0x1c849303;
/** Bytes before the counts in a V2 encoding: cookie, payload length, index offset, digits, lowest, highest, ratio. */
const V2_HEADER_BYTES = 40;

/**
 * Adds an encoded histogram (`encodeHistogram`'s text) into `target`,
 * exactly as `target.add(decodeHistogram(encoded))` would, without building
 * the decoded histogram: its counts are read from the encoding (base64,
 * zlib, then ZigZag LEB128 counts where a negative word skips that many
 * empty buckets) and added bucket by bucket. A master merging hundreds of
 * workers' snapshots spent nearly all its time in decoding (a full counts
 * array allocated and scanned per histogram, about 1 ms each). Anything
 * other than a histogram of the target's own shape that fits it goes the
 * library's way, which also gives the library's errors.
 */
export function addEncodedHistogram(target: Histogram, encoded: string): void {
  if (encoded === '') return;
  const buckets = target instanceof JsHistogram ? readBuckets(encoded, target) : -1;
  if (buckets < 0 || !(target instanceof JsHistogram)) {
    target.add(decodeHistogram(encoded));
    return;
  }
  addPairs(target, scratch.pairs, buckets);
}

/**
 * Adds `n` (bucket index, count) pairs of `pairs`, in any order, into
 * `target`, keeping what JsHistogram.add keeps beside the counts (unit
 * magnitude 0: no mask to add).
 */
function addPairs(target: JsHistogram, pairs: ArrayLike<number>, n: number): void {
  if (n === 0) return;
  let total = 0;
  let minNonZeroIndex = -1;
  let maxIndex = 0;
  for (let i = 0; i < n; i++) {
    const index = pairs[2 * i] as number;
    const count = pairs[2 * i + 1] as number;
    target.addToCountAtIndex(index, count);
    total += count;
    if (index !== 0 && (minNonZeroIndex === -1 || index < minNonZeroIndex)) minNonZeroIndex = index;
    if (index > maxIndex) maxIndex = index;
  }
  target.setTotalCount(target.totalCount + total);
  target.maxValue = Math.max(target.maxValue, target.highestEquivalentValue(target.valueFromIndex(maxIndex)));
  if (minNonZeroIndex >= 0) target.minNonZeroValue = Math.min(target.minNonZeroValue, target.valueFromIndex(minNonZeroIndex));
}

/**
 * Why flat (bucket index, count) pairs, as a worker's update carries them
 * (snapshot-update.ts), are not buckets of our one shape with positive
 * whole counts; undefined when they are.
 */
export function bucketPairsProblem(pairs: unknown): string | undefined {
  if (!Array.isArray(pairs)) return 'bucket pairs are not an array';
  if (pairs.length % 2 !== 0) return 'bucket pairs of odd length';
  for (let i = 0; i < pairs.length; i += 2) {
    const index: unknown = pairs[i];
    const count: unknown = pairs[i + 1];
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0 || index >= COUNTS_LENGTH) return `bucket index ${String(index)} is outside 0..${COUNTS_LENGTH - 1}`;
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count <= 0) return `bucket count ${String(count)} is not a positive whole number`;
  }
  return undefined;
}

/**
 * Adds flat (bucket index, count) pairs into `target`, a histogram of our one shape.
 * @throws Error when bucketPairsProblem finds one (nothing is added then).
 */
export function addBucketPairs(target: Histogram, pairs: readonly number[]): void {
  if (!(target instanceof JsHistogram)) throw new Error('addBucketPairs: not a JS HDR histogram');
  const problem = bucketPairsProblem(pairs);
  if (problem !== undefined) throw new Error(problem);
  addPairs(target, pairs, pairs.length / 2);
}

/**
 * The buckets where `now` counts more than `sent`, as flat pairs, added to
 * `sent` as they are found (what a worker's update carries: snapshot-update.ts).
 * Only the recorded range of `now` is scanned.
 */
export function takeAddedBuckets(now: Histogram, sent: Histogram): number[] {
  if (!(now instanceof JsHistogram) || !(sent instanceof JsHistogram)) throw new Error('takeAddedBuckets: not JS HDR histograms');
  const pairs: number[] = [];
  if (now.totalCount === sent.totalCount) return pairs;
  const last = Math.min(now.countsArrayIndex(now.maxValue), now.countsArrayLength - 1);
  // Index 0 holds the zero-latency samples; the rest starts at the smallest non-zero one.
  const first = now.minNonZeroValue <= now.maxValue ? now.countsArrayIndex(now.minNonZeroValue) : last + 1;
  let gained = 0;
  const take = (index: number): void => {
    const diff = now.getCountAtIndex(index) - sent.getCountAtIndex(index);
    if (diff > 0) {
      pairs.push(index, diff);
      sent.addToCountAtIndex(index, diff);
      gained += diff;
    }
  };
  take(0);
  for (let index = Math.max(1, first); index <= last; index++) take(index);
  sent.setTotalCount(sent.totalCount + gained);
  return pairs;
}

/** The buckets readBuckets found, reused from call to call (a merge reads thousands of histograms). */
const scratch = { pairs: new Float64Array(8192) };

/**
 * Reads the non-empty buckets of an encoding of `target`'s shape into
 * `scratch`, ascending, and returns how many; -1 when it is another shape,
 * does not fit the target, or is not an encoding (the library then decides).
 */
function readBuckets(encoded: string, target: JsHistogram): number {
  if (target.unitMagnitude !== 0 || target.unitMagnitudeMask !== 0) return -1;
  const outer = Buffer.from(encoded, 'base64');
  if (outer.length < 8 || (outer.readInt32BE(0) & ~0xf0) !== V2_COMPRESSED_COOKIE) return -1;
  let data: Buffer;
  try {
    data = inflateSync(outer.subarray(8, 8 + outer.readInt32BE(4)));
  } catch {
    return -1;
  }
  if (data.length < V2_HEADER_BYTES || (data.readInt32BE(0) & ~0xf0) !== V2_COOKIE) return -1;
  const payloadBytes = data.readInt32BE(4);
  const digits = data.readInt32BE(12);
  const lowest = data.readInt32BE(16) * 2 ** 32 + data.readUInt32BE(20);
  if (digits !== target.numberOfSignificantValueDigits || lowest !== target.lowestDiscernibleValue) return -1;
  const end = V2_HEADER_BYTES + payloadBytes;
  if (payloadBytes < 0 || end > data.length) return -1;
  const limit = target.countsArrayLength;
  let found = 0;
  let index = 0;
  let pos = V2_HEADER_BYTES;
  while (pos < end) {
    // LEB128-64b9B as the library reads it: 7 bits a byte, at most 9 bytes (its ninth byte keeps 7 bits too).
    let byte = data[pos++] as number;
    let raw = byte & 0x7f;
    if (byte >= 0x80) {
      let scale = 128;
      for (let b = 1; b < 9 && byte >= 0x80; b++) {
        byte = pos < end ? data[pos++] as number : 0;
        raw += (byte & 0x7f) * scale;
        scale *= 128;
      }
    }
    // ZigZag: even words are counts, odd ones a run of empty buckets.
    if (raw % 2 === 1) {
      index += (raw + 1) / 2;
      continue;
    }
    if (raw > 0) {
      if (index >= limit) return -1;
      if (2 * found === scratch.pairs.length) grow();
      scratch.pairs[2 * found] = index;
      scratch.pairs[2 * found + 1] = raw / 2;
      found++;
    }
    index++;
  }
  return found;
}

function grow(): void {
  const pairs = new Float64Array(scratch.pairs.length * 2);
  pairs.set(scratch.pairs);
  scratch.pairs = pairs;
}

/**
 * The value at percentile `p` (0–100) in µs, kept inside the exact [min, max]
 * recorded. HDR reports the highest value equivalent to the bucket, which can
 * exceed the true maximum by up to 0.1 %; clamping keeps p(100) equal to max.
 */
export function percentileUs(histogram: Histogram, p: number, minUs: number, maxUs: number): number {
  if (histogram.totalCount === 0) return 0;
  if (p >= 100) return maxUs;
  if (p <= 0) return minUs;
  const value = histogram.getValueAtPercentile(p);
  return value < minUs ? minUs : value > maxUs ? maxUs : value;
}

/** A histogram's distinct recorded values (µs, ascending) and how often each was recorded. */
export interface RecordedValues {
  values: number[];
  counts: number[];
}

/**
 * Every recorded bucket of `histogram`, lowest first, each as its bucket's
 * highest equivalent value (the value percentiles report) and its count.
 * Our histograms are always the JS implementation (no WebAssembly is set up).
 */
export function recordedValues(histogram: Histogram): RecordedValues {
  if (!(histogram instanceof JsHistogram)) throw new Error('recordedValues: not a JS HDR histogram');
  const values: number[] = [];
  const counts: number[] = [];
  const iterator = histogram.recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    values.push(step.valueIteratedTo);
    counts.push(step.countAtValueIteratedTo);
  }
  return { values, counts };
}

/**
 * HDR histogram helpers shared by the live stats and by snapshot merging.
 *
 * Every latency histogram in mcpload has the same shape (microseconds, 1 µs to
 * one hour, 3 significant digits), so that any two of them can be added
 * exactly, whether they come from this process, a worker or another machine.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, JsHistogram } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

export type { Histogram };

/** The largest latency a histogram tracks: one hour in microseconds. Longer samples are clamped to it. */
export const MAX_TRACKED_US = 3_600_000_000;

export function newHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: MAX_TRACKED_US, numberOfSignificantValueDigits: 3 });
}

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

/**
 * addEncodedHistogram: adding a histogram straight from its encoding must
 * give exactly what decoding it and adding it gives (the merge of snapshots
 * relies on it), and anything it cannot read must fail as decoding does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { build } from 'hdr-histogram-js';
import { addEncodedHistogram, decodeHistogram, encodeHistogram, MAX_TRACKED_US, newHistogram, recordedValues, type Histogram } from '../../src/metrics/histogram.js';
import { createRng } from '../../src/engine/rng.js';

/** Latencies spread like a real run's: lognormal around `medianUs`, some slow ones, now and then 1 µs or the hour cap. */
function filled(seed: number, n: number, medianUs: number): Histogram {
  const rand = createRng(seed);
  const h = newHistogram();
  for (let i = 0; i < n; i++) {
    const u = Math.max(rand(), 1e-9);
    let us = Math.round(medianUs * Math.exp(0.8 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand())));
    if (rand() < 0.03) us *= 50;
    if (rand() < 0.01) us = rand() < 0.5 ? 1 : MAX_TRACKED_US;
    h.recordValueWithCount(Math.min(Math.max(us, 1), MAX_TRACKED_US), 1 + Math.floor(rand() * 3));
  }
  return h;
}

function sameHistogram(actual: Histogram, expected: Histogram): void {
  assert.equal(actual.totalCount, expected.totalCount);
  assert.equal(actual.maxValue, expected.maxValue);
  assert.equal(actual.minNonZeroValue, expected.minNonZeroValue);
  assert.deepEqual(recordedValues(actual), recordedValues(expected));
  assert.equal(encodeHistogram(actual), encodeHistogram(expected));
  for (const p of [50, 90, 99, 99.9]) assert.equal(actual.getValueAtPercentile(p), expected.getValueAtPercentile(p));
}

describe('addEncodedHistogram', () => {
  it('adds several encodings exactly as decoding and adding them does', () => {
    const viaEncoding = newHistogram();
    const viaDecoding = newHistogram();
    for (let seed = 1; seed <= 12; seed++) {
      const encoded = encodeHistogram(filled(seed, 50 * seed, 500 * seed));
      addEncodedHistogram(viaEncoding, encoded);
      viaDecoding.add(decodeHistogram(encoded));
      sameHistogram(viaEncoding, viaDecoding);
    }
    assert.ok(viaEncoding.totalCount > 0);
  });

  it('leaves the target as it was for an empty encoding or an empty histogram', () => {
    const target = filled(7, 100, 2000);
    const before = encodeHistogram(target);
    addEncodedHistogram(target, '');
    addEncodedHistogram(target, encodeHistogram(newHistogram()));
    assert.equal(encodeHistogram(target), before);
    const empty = newHistogram();
    addEncodedHistogram(empty, encodeHistogram(newHistogram()));
    sameHistogram(empty, newHistogram());
  });

  it('a histogram of another shape goes the library way, with the same result', () => {
    const other = build({ lowestDiscernibleValue: 1, highestTrackableValue: MAX_TRACKED_US, numberOfSignificantValueDigits: 2 });
    for (const us of [5, 700, 12_345, 9_000_000]) other.recordValue(us);
    const encoded = encodeHistogram(other);
    const viaEncoding = filled(3, 40, 1000);
    const viaDecoding = filled(3, 40, 1000);
    addEncodedHistogram(viaEncoding, encoded);
    viaDecoding.add(decodeHistogram(encoded));
    sameHistogram(viaEncoding, viaDecoding);
  });

  it('text that is no encoding throws, as decoding does, and changes nothing', () => {
    const target = filled(5, 30, 800);
    const before = encodeHistogram(target);
    for (const bad of ['not a histogram', 'HISTFAAAAB54nJNpmSzMwMDAwQABTFCaEUoz', encodeHistogram(filled(9, 20, 100)).slice(0, 30)]) {
      assert.throws(() => decodeHistogram(bad));
      assert.throws(() => addEncodedHistogram(target, bad));
      assert.equal(encodeHistogram(target), before);
    }
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newHistogram, recordedValues, type Histogram } from '../../src/metrics/histogram.js';
import { createRng } from '../../src/engine/rng.js';
import { beta, testPercentile, testProportions } from '../../src/metrics/significance.js';

/** n latencies (µs): 1 ms plus an exponential tail of mean 2 ms, from a seeded generator, plus `shiftUs`. */
function latencies(n: number, seed: number, shiftUs = 0): { histogram: Histogram; minUs: number; maxUs: number } {
  const random = createRng(seed);
  const histogram = newHistogram();
  let minUs = Infinity;
  let maxUs = 0;
  for (let i = 0; i < n; i++) {
    const us = Math.round(1000 + -2000 * Math.log(1 - random()) + shiftUs);
    histogram.recordValue(us);
    minUs = Math.min(minUs, us);
    maxUs = Math.max(maxUs, us);
  }
  return { histogram, minUs, maxUs };
}

test('recordedValues gives every bucket with its count, lowest first', () => {
  const h = newHistogram();
  h.recordValueWithCount(5, 3);
  h.recordValue(1000);
  h.recordValue(1000);
  h.recordValue(250_000);
  const { values, counts } = recordedValues(h);
  assert.equal(counts.reduce((a, b) => a + b, 0), 6);
  assert.deepEqual(counts, [3, 2, 1]);
  assert.equal(values[0], 5);
  assert.equal(values[1], 1000);
  assert.ok(values[2]! >= 250_000 && values[2]! <= 250_000 * 1.001, `bucket of 250000 reported as ${values[2]}`);
});

test('the same distribution sampled twice: no percentile change is significant', () => {
  for (const seeds of [[1, 2], [3, 4], [5, 6]] as const) {
    const a = latencies(3000, seeds[0]);
    const b = latencies(3000, seeds[1]);
    for (const p of [50, 95, 99]) {
      const result = testPercentile(a, b, p);
      assert.equal(result.significance, 'noise', `p${p} with seeds ${seeds.join(',')}: ${JSON.stringify(result)}`);
      const [low, high] = result.intervalUs!;
      assert.ok(low <= 0 && high >= 0, 'the interval holds 0');
    }
  }
});

test('a fixed delay added to every request is significant at p50, p95 and p99, with an interval around the delay', () => {
  const a = latencies(1500, 7);
  const b = latencies(1500, 8, 20_000);
  for (const p of [50, 95, 99]) {
    const result = testPercentile(a, b, p);
    assert.equal(result.significance, 'significant', `p${p}: ${JSON.stringify(result)}`);
    const [low, high] = result.intervalUs!;
    assert.ok(low > 0, `p${p}: the interval ${low}..${high} is above 0`);
    if (p === 50) assert.ok(low < 20_000 && high > 20_000, `p50: the interval ${low}..${high} holds the 20 ms delay`);
  }
  // And the other way round: faster is significant too, with the interval below 0.
  const back = testPercentile(b, a, 95);
  assert.equal(back.significance, 'significant');
  assert.ok(back.intervalUs![1] < 0);
});

test('the answer is reproducible: the same inputs give the same interval; another seed may differ', () => {
  const a = latencies(2000, 11);
  const b = latencies(2000, 12, 300);
  const first = testPercentile(a, b, 95);
  const second = testPercentile(a, b, 95);
  assert.deepEqual(first, second);
  const other = testPercentile(a, b, 95, { seed: 99 });
  assert.equal(other.diffUs, first.diffUs, 'the point estimate does not depend on the seed');
});

test('too few samples: fewer than 20 requests, or fewer than 5 beyond the percentile', () => {
  assert.equal(testPercentile(latencies(10, 1), latencies(1000, 2, 50_000), 50).significance, 'too few samples');
  // 60 requests: 3 beyond p95, 30 beyond p50.
  const a = latencies(60, 3);
  const b = latencies(60, 4, 50_000);
  assert.equal(testPercentile(a, b, 95).significance, 'too few samples');
  assert.equal(testPercentile(a, b, 50).significance, 'significant');
});

test('resampled percentiles follow the order statistic: Beta(k, n−k+1) has mean k/(n+1)', () => {
  const random = createRng(5);
  let sum = 0;
  const draws = 4000;
  for (let i = 0; i < draws; i++) sum += beta(95, 6, random);
  assert.ok(Math.abs(sum / draws - 95 / 101) < 0.005, `mean ${sum / draws}`);
});

test('error rates: a two-proportion z-test', () => {
  const jump = testProportions({ requests: 1000, failures: 10 }, { requests: 1000, failures: 60 });
  assert.equal(jump.significance, 'significant');
  assert.ok(jump.z! > 2.576);
  assert.equal(testProportions({ requests: 1000, failures: 10 }, { requests: 1000, failures: 13 }).significance, 'noise');
  assert.equal(testProportions({ requests: 1000, failures: 0 }, { requests: 1000, failures: 0 }).significance, 'noise');
  assert.equal(testProportions({ requests: 10, failures: 0 }, { requests: 10, failures: 5 }).significance, 'too few samples');
  // Two failures more in a thousand: too few failures for the normal approximation.
  assert.equal(testProportions({ requests: 1000, failures: 0 }, { requests: 1000, failures: 2 }).significance, 'too few samples');
});

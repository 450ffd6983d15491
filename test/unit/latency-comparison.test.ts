import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stats } from '../../src/metrics/stats.js';
import { formatFirstByteComparison, formatLatencyComparison } from '../../src/reporters/latency-comparison.js';

function statsOf(samples: Array<[string, string, number]>): Stats {
  const stats = new Stats({ now: () => 1_700_000_000_000 });
  for (const [type, name, ms] of samples) stats.record(type, name, ms * 1000, 10);
  return stats;
}

test('first byte beside the full reply: only measured entries, Aggregated over those alone, columns aligned', () => {
  const full = statsOf([['tools/call', 'sleep', 500], ['tools/call', 'sleep', 500], ['DELETE', '/mcp', 7], ['initialize', '/mcp', 4]]);
  const firstByte = statsOf([['tools/call', 'sleep', 2], ['tools/call', 'sleep', 2], ['initialize', '/mcp', 3]]);
  const text = formatFirstByteComparison(firstByte.snapshot(), full.snapshot());
  const lines = text.split('\n');
  assert.match(lines[0]!, /time to first byte \|\s+full reply$/);
  assert.ok(!text.includes('DELETE'), 'an entry without a first byte is not shown');
  const sleep = lines.find((l) => l.includes('sleep'))!;
  assert.deepEqual(sleep.split('|').slice(1).map((cells) => cells.trim().split(/\s+/)), [['2.00', '2.00', '2.00', '2.00'], ['500', '500', '500', '500']]);
  // Aggregated full reply: max 500 ms, not the DELETE's 7 ms mixed in; p50 over {4, 500, 500} is 500.
  const aggregated = lines.at(-1)!;
  assert.deepEqual(aggregated.split('|')[2]!.trim().split(/\s+/), ['500', '500', '500', '500']);
  // Every line's separators sit in the same columns.
  const bars = (line: string): number[] => [...line].flatMap((c, i) => (c === '|' ? [i] : []));
  for (const line of lines.filter((l) => l.includes('|'))) assert.deepEqual(bars(line), bars(lines[1]!), line);
});

test('open model: from intended start beside service time, N/A where an entry has no service sample', () => {
  const corrected = statsOf([['GET', '/hit', 900], ['GET', '/other', 3]]);
  const service = statsOf([['GET', '/hit', 5]]);
  const text = formatLatencyComparison(corrected.snapshot(), service.snapshot());
  assert.match(text.split('\n')[0]!, /from intended start \|\s+service time$/);
  assert.match(text, /\/other .*\| +3\.00 +3\.00 +3\.00 +3\.00 \| +N\/A +N\/A +N\/A +N\/A/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeRunResults } from '../../src/app/merge-results.js';
import { resultFromSnapshot } from '../../src/app/partial-result.js';
import { statsRows } from '../../src/metrics/rows.js';
import { Stats } from '../../src/metrics/stats.js';
import { parseThresholdFrom } from '../../src/metrics/thresholds.js';

function snapshotOf(latenciesUs: number[]) {
  const stats = new Stats();
  for (const us of latenciesUs) stats.record('GET', '/hit', us, 10);
  return stats.snapshot({ history: false });
}

test('a lost worker\'s last snapshot becomes a result that merges exactly, judged on the whole', () => {
  const alive = snapshotOf([1000, 2000, 3000]);
  const lost = snapshotOf([50_000, 60_000]);
  const rules = [parseThresholdFrom('count<5', 'user')];
  const partial = resultFromSnapshot(lost, { users: 4, state: 'running', droppedIterations: 3 }, rules, { worker: 1, lost: 'connection closed' });
  assert.equal(partial.snapshot.endedAt, lost.takenAt, 'its clock stops at its last snapshot');
  assert.equal(partial.peakUsers, 4);
  assert.equal(partial.droppedIterations, 3);
  assert.equal(partial.passed, true, 'two requests pass count<5 on their own');

  const whole = resultFromSnapshot(alive, { users: 2, state: 'running' }, rules, {});
  const merged = mergeRunResults([whole, partial], rules);
  const row = statsRows(merged.snapshot).rows.find((r) => r.name === '/hit')!;
  assert.equal(row.requests, 5);
  assert.equal(row.maxMs, 60);
  assert.equal(merged.peakUsers, 6);
  assert.equal(merged.passed, false, 'five requests fail count<5 on the whole');
});

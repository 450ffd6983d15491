import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUserStages, userStagePlan, userStagesShape } from '../../src/engine/shape.js';
import { describeLoadModel, modelDurationS, resolveLoadModel, shareLoadModel } from '../../src/app/load-model.js';
import { RunSetupError } from '../../src/app/scenario-setup.js';

test('user stages ramp linearly from the previous count, holds keep the last rate', () => {
  const plan = userStagePlan(parseUserStages('30s:50,1m:50,30s:0'));
  assert.deepEqual(plan, [
    { startS: 0, endS: 30, users: 50, spawnRate: 50 / 30 },
    { startS: 30, endS: 90, users: 50, spawnRate: 50 / 30 },
    { startS: 90, endS: 120, users: 0, spawnRate: 50 / 30 },
  ]);
  const up = userStagePlan(parseUserStages('10s:10,500ms:20,2m:20'));
  assert.equal(up[1]!.spawnRate, 20, '10 more users in half a second');
  assert.equal(up[2]!.spawnRate, 20);
  assert.equal(up.at(-1)!.endS, 130.5);
});

test('the shape follows the stages, then ends the run', async () => {
  const shape = userStagesShape(userStagePlan(parseUserStages('2s:4,2s:4,2s:0')));
  assert.deepEqual(await shape(0), { users: 4, spawnRate: 2 });
  assert.deepEqual(await shape(3), { users: 4, spawnRate: 2 });
  assert.deepEqual(await shape(5.5), { users: 0, spawnRate: 2 });
  assert.equal(await shape(6), null);
});

test('bad user stages are one-line errors', () => {
  assert.throws(() => parseUserStages(''), /--user-stages is empty/);
  assert.throws(() => parseUserStages('30s:2.5'), /whole number of users/);
  assert.throws(() => parseUserStages('30s'), /not DURATION:USERS/);
  assert.throws(() => parseUserStages('0s:5'), /has no duration/);
});

test('--user-stages is a closed model of its own, shared among processes', () => {
  const model = resolveLoadModel({ users: 1, spawnRate: 1, userStages: '10s:5,10s:0' });
  assert.equal(model.kind, 'user-stages');
  assert.equal(modelDurationS(model), 20);
  assert.equal(describeLoadModel(model), 'user stages 10s:5,10s:0 (users)');
  const parts = [0, 1].map((i) => shareLoadModel(model, i, 2));
  const peaks = parts.map((p) => (p.kind === 'user-stages' ? p.steps[0]!.users : -1));
  assert.deepEqual(peaks, [3, 2], 'the parts add up to the whole');
  assert.throws(() => resolveLoadModel({ users: 1, spawnRate: 1, userStages: '10s:5', stages: '10s:5' }), RunSetupError);
  assert.throws(() => resolveLoadModel({ users: 1, spawnRate: 1, userStages: '10s:5', arrivalRate: 3 }), /--user-stages ramps users, --arrival-rate an arrival rate/);
});

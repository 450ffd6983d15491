import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineConfigError } from '../../src/engine/distribution.js';
import { parseStageList, type StageListSpec } from '../../src/engine/stage-list.js';

const USERS: StageListSpec = { flag: '--user-stages', item: 'user stage', valueName: 'USERS', example: '30s:10,1m:50', whole: true };
const RATES: StageListSpec = { flag: '--stages', item: 'stage', valueName: 'RATE', example: '30s:10,1m:50', whole: false };

describe('parseStageList', () => {
  it('reads durations in ms, s, m and h (bare numbers are seconds), with spaces and a trailing comma', () => {
    assert.deepEqual(parseStageList(' 500ms:1, 2:3 ,1.5m:4, 1h:0,', RATES), [
      { durationS: 0.5, value: 1 },
      { durationS: 2, value: 3 },
      { durationS: 90, value: 4 },
      { durationS: 3600, value: 0 },
    ]);
    assert.deepEqual(parseStageList('10s:2.5', RATES), [{ durationS: 10, value: 2.5 }]);
  });

  it('says which item is wrong, and how it should read, in one line', () => {
    const cases: [string, StageListSpec, RegExp][] = [
      ['', USERS, /^--user-stages is empty \(example: "30s:10,1m:50"\)$/],
      ['10s', USERS, /^user stage "10s" is not DURATION:USERS with a whole number of users/],
      ['10s:2.5', USERS, /^user stage "10s:2\.5" is not DURATION:USERS with a whole number of users/],
      ['10x:2', RATES, /^stage "10x:2" is not DURATION:RATE \(example/],
      ['0s:2', RATES, /^stage "0s:2" has no duration$/],
      ['1s:99999999999999999999', RATES, /^stage "1s:99999999999999999999": the number is too large$/],
    ];
    for (const [text, spec, message] of cases) {
      assert.throws(() => parseStageList(text, spec), (err: unknown) => err instanceof EngineConfigError && message.test(err.message) && !err.message.includes('\n'), text);
    }
  });
});

/**
 * The parts of a replay's judgment and pacing that need no server: which
 * recorded replies make an error the expected answer, how the transport's
 * verdict on such a reply reads, the replay's counts and its header line,
 * and the reference server's counts of what it served.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeLoadModel, untilText } from '../../src/app/load-model.js';
import { expectedError, ReplayTally } from '../../src/scenarios/replay.js';
import { judgeExpected, UNEXPECTED_RESULT } from '../../src/transports/rpc-result.js';
import { ServedCounts } from '../../src/server/served-counts.js';

describe('errors as recorded', () => {
  it('expects an error only where the recording has one', () => {
    assert.equal(expectedError('tools/call', 'error'), 'jsonrpc');
    assert.equal(expectedError('resources/read', 'error'), 'jsonrpc');
    assert.equal(expectedError('tools/call', 'result isError content=text'), 'tool');
    assert.equal(expectedError('prompts/get', 'result isError'), undefined, 'isError means nothing outside tools/call');
    assert.equal(expectedError('tools/call', 'result content=text'), undefined);
    assert.equal(expectedError('tools/call', undefined), undefined);
  });

  it('takes the expected kind of error as the answer, and a result or another error as a failure', () => {
    let passed = 0;
    const pass = () => void passed++;
    const rpc = { kind: 'jsonrpc' as const, detail: '-32602 unknown tool' };
    const same = judgeExpected('jsonrpc', rpc, false, pass);
    assert.equal(same.sampleError, undefined);
    assert.deepEqual(same.outcome, { ok: false, error: rpc, expected: true });
    assert.equal(passed, 1, 'a passed check');

    const result = judgeExpected('jsonrpc', undefined, false, pass);
    assert.equal(result.sampleError, UNEXPECTED_RESULT);
    assert.equal(result.outcome.ok, false);
    assert.equal((result.outcome as { expected?: boolean }).expected, undefined);

    const timeout = { kind: 'timeout' as const, detail: 'no reply' };
    assert.equal(judgeExpected('jsonrpc', timeout, false, pass).sampleError, timeout, 'a timeout is not the recorded error');
    const http = { kind: 'http' as const, detail: '-32602 bad (HTTP 400)' };
    assert.equal(judgeExpected('jsonrpc', http, false, pass).sampleError, http, 'an HTTP error without a JSON-RPC body is not');
    assert.equal(judgeExpected('jsonrpc', http, true, pass).sampleError, undefined, 'one whose body is a JSON-RPC error is (2026-07-28)');
    const tool = { kind: 'tool' as const, detail: 'boom' };
    assert.equal(judgeExpected('tool', tool, false, pass).sampleError, undefined);
    assert.equal(judgeExpected('jsonrpc', tool, false, pass).sampleError, tool, 'an isError result where a JSON-RPC error was recorded');
    assert.equal(judgeExpected('tool', rpc, false, pass).sampleError, rpc);
    assert.equal(passed, 3);
  });
});

describe('the replay tally', () => {
  it('says the target and achieved session rate and the sessions that could not start', () => {
    const tally = new ReplayTally({ kind: 'rate', rate: 5 }, 3);
    assert.equal(tally.describe(), 'replay: 3 recorded session(s) in turn at 5 sessions/s (target)');
    tally.started = 48;
    tally.finished = 45;
    tally.dropped = 2;
    tally.errorsAsRecorded = 1;
    assert.equal(tally.achievedRate(), 4.8);
    assert.equal(tally.describe(), 'replay: 3 recorded session(s) in turn at 5 sessions/s (target); 48 started (4.8 sessions/s achieved), ' +
      '2 could not start on time (no free user: see --max-users), 45 finished; 0 replies shaped unlike the recording; 1 reply was an error as recorded (expected, not failures)');
    assert.deepEqual(tally.read(), { replayCopiesStarted: 48, replayCopiesFinished: 45, replyShapeMismatches: 0, replyErrorsAsRecorded: 1, replaySessionsNotStarted: 2 });
  });

  it('keeps the copies line as it was', () => {
    const tally = new ReplayTally({ kind: 'copies', copies: 20, scale: 20 }, 1);
    tally.started = 20;
    tally.finished = 20;
    assert.equal(tally.describe(), 'replay: 1 recorded session(s), 20 copies; 20 started, 20 finished; 0 replies shaped unlike the recording');
    assert.equal(tally.achievedRate(), undefined);
    assert.equal('replaySessionsNotStarted' in tally.read(), false);
  });
});

describe('the run header of a shape', () => {
  it('says the scenario\'s own words when it has them', () => {
    const model = { kind: 'shape' as const, shape: () => null, maxUsers: 7 };
    assert.match(describeLoadModel(model), /open-model pool of 7 users/);
    assert.equal(describeLoadModel(model, (max) => `replay of t.jsonl at 5 sessions/s, at most ${max} at once`), 'replay of t.jsonl at 5 sessions/s, at most 7 at once');
    assert.equal(untilText(model), 'until the shape ends (or Ctrl-C)');
    assert.equal(untilText(model, () => 'replay ..., ending when every copy is done'), 'or at Ctrl-C');
    assert.equal(untilText({ kind: 'closed', users: 1, spawnRate: 1 }), 'until Ctrl-C');
  });
});

describe('what the reference server served', () => {
  it('counts requests by method, tool calls by name, notifications, answers and sessions', () => {
    const counts = new ServedCounts();
    counts.messages({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'add', arguments: {} } });
    counts.messages([
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'add' } },
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo' } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
    ]);
    counts.messages({ jsonrpc: '2.0', id: 'q1', result: { action: 'accept' } });
    counts.messages({ jsonrpc: '2.0', id: 4, method: 'tools/list' });
    counts.messages('not a message');
    counts.sessionOpened();
    counts.sessionDeleted();
    assert.deepEqual(counts.snapshot(), {
      requests: { 'tools/call': 3, 'tools/list': 1 },
      toolCalls: { add: 2, echo: 1 },
      notifications: { 'notifications/initialized': 1 },
      responses: 1,
      sessionsOpened: 1,
      sessionsDeleted: 1,
    });
  });
});

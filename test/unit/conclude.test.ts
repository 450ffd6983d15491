import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concludeRun, type RunIo } from '../../src/app/conclude.js';
import { Stats } from '../../src/metrics/stats.js';
import { parseThreshold } from '../../src/metrics/thresholds.js';
import { judgeRun } from '../../src/report/verdict.js';
import type { RunResult } from '../../src/report/run-result.js';

/** A judged result over 10 tools/call requests, `failed` of them failed, under `rules`. */
function judged(failed: number, rules: string[] = [], extra: Partial<RunResult> = {}): RunResult {
  const stats = new Stats({ now: () => 0 });
  for (let i = 0; i < 10; i++) stats.record('tools/call', 'echo', 1000, 10, i < failed ? { kind: 'tool', detail: 'no' } : undefined);
  const snapshot = stats.snapshot();
  const judgement = judgeRun(rules.map((r) => parseThreshold(r)), snapshot);
  return {
    tool: 'mcpload', version: 'test', settings: {}, startedAt: new Date(0).toISOString(), endedAt: new Date(1000).toISOString(),
    snapshot, ...judgement, ...extra,
  };
}

function capture(): RunIo & { out: (t: string) => void; stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdout: () => out, stderr: () => err };
}

/** A report path that cannot be written, found without touching the disk: /dev/null is no directory. */
const UNWRITABLE = '/dev/null/run.json';

describe('concludeRun', () => {
  it('prints the table, the notes, and the verdict last; a passed run exits 0', async () => {
    const io = capture();
    const code = await concludeRun(judged(0, [], { notes: ['discovery skipped 2 tools'] }), {}, io);
    assert.equal(code, 0);
    const out = io.stdout();
    assert.match(out, /tools\/call\s+echo/);
    assert.ok(out.indexOf('note: discovery skipped 2 tools') < out.indexOf('Verdict judged on: '), out);
    assert.match(out.trimEnd().split('\n').at(-1) ?? '', /^PASSED/);
    assert.equal(io.stderr(), '');
  });

  it('prints the notes it is given instead of the result\'s own', async () => {
    const io = capture();
    await concludeRun(judged(0, [], { notes: ['own note'] }), {}, io, ['given note']);
    assert.match(io.stdout(), /note: given note/);
    assert.doesNotMatch(io.stdout(), /own note/);
  });

  it('a failed run never reads PASSED, and exits 1', async () => {
    const io = capture();
    const code = await concludeRun(judged(6), {}, io);
    assert.equal(code, 1);
    assert.doesNotMatch(io.stdout(), /PASSED/);
    assert.match(io.stdout(), /FAILED/);
  });

  it('uses --exit-code-on-error only when default rules alone failed', async () => {
    assert.equal(await concludeRun(judged(6), { exitCodeOnError: 0 }, capture()), 0);
    assert.equal(await concludeRun(judged(6), { exitCodeOnError: 3 }, capture()), 3);
    assert.equal(await concludeRun(judged(6, ['avg<0.5']), { exitCodeOnError: 0 }, capture()), 1, 'the user\'s own rule failed too');
  });

  it('turns a passed run whose report could not be written into exit code 1, and says why', async () => {
    const io = capture();
    const code = await concludeRun(judged(0), { json: UNWRITABLE }, io);
    assert.equal(code, 1);
    assert.match(io.stderr(), /error: report not written: .*run\.json/);
    assert.match(io.stdout(), /exit code 1: a report was not written/);
  });

  it('keeps a failed run\'s own exit code when a report could not be written', async () => {
    const io = capture();
    assert.equal(await concludeRun(judged(6), { json: UNWRITABLE, exitCodeOnError: 4 }, io), 4);
    assert.match(io.stderr(), /report not written/);
    assert.doesNotMatch(io.stdout(), /exit code 1: a report/);
  });

  it('prints the dropped iterations of an open-model run', async () => {
    const io = capture();
    await concludeRun(judged(0, [], { droppedIterations: 7 }), {}, io);
    assert.match(io.stdout(), /dropped iterations: 7/);
  });
});

/**
 * The verdict of a run with no thresholds of the user's own: failures over
 * 1 %, task exceptions and failed checks fail it (exit 1, a line naming why),
 * `--exit-code-on-error 0` turns such a failure into exit 0 (still FAILED in
 * the summary), and the user's own thresholds (checks, count, abortOnFail)
 * are judged. Every run is against the embedded reference server on loopback.
 *
 * The cases run three at a time: each has its own folder and run, and most
 * of each is a short run waiting on its clock.
 */
import { describe, it as test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './cli-helpers.js';

const SHORT = ['--headless', '-u', '3', '-r', '3', '-t', '2s', '--stop-timeout', '1s', '--print-interval', '0'];

function lastLines(stdout: string): string[] {
  const lines = stdout.trimEnd().split('\n');
  const at = lines.findIndex((line) => line.startsWith('Verdict judged on: '));
  assert.ok(at >= 0, stdout);
  return lines.slice(at);
}

function withDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-verdict-'));
  return body(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('the verdict', { concurrency: 3 }, () => {
  test('a scenario whose calls all fail exits 1 and says it failed on the default error rate', async () => {
    await withDir(async (dir) => {
      const json = path.join(dir, 'run.json');
      const csv = path.join(dir, 'run');
      const r = await runCli(['run', 'test/fixtures/calls-fail.ts', ...SHORT, '--json', json, '--csv', csv]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const verdict = lastLines(r.stdout);
      assert.equal(verdict[0], "Verdict judged on: error_rate<1%, checks==100%, exceptions==0 (mcpload's defaults)");
      assert.equal(verdict[1], 'FAILED: 1 threshold');
      assert.match(verdict[2]!, /^ {2}✗ error_rate<1%: error_rate = [\d.]+% \(required < 1%\) over [\d,]+ requests \([\d,]+ failed\); most failures: tools\/call fail \([\d,]+\) \(mcpload default; --exit-code-on-error 0/);
      assert.ok(!r.stdout.includes('PASSED'));
      // The whole error text, end included, is in the JSON and the CSV (the console shortens it in the middle).
      const result = JSON.parse(readFileSync(json, 'utf8')) as {
        passed: boolean; snapshot: { errors: Array<{ error: string }> }; verdict: { failures: string[]; onlyDefaults: boolean };
        peakUsers: number; notes: string[]; thresholds: Array<{ expr: string; isDefault: boolean; source: string; over: string }>;
      };
      assert.equal(result.passed, false);
      assert.equal(result.peakUsers, 3, 'the peak, not the count at the end (0)');
      // The only note: the checks before the load, which the embedded server counted and the rows do not.
      assert.equal(result.notes.length, 1, result.notes.join('\n'));
      assert.match(result.notes[0]!, /^\d+ HTTP requests? went to the target before the load /);
      // The rules actually judged, defaults included and flagged.
      assert.deepEqual(result.thresholds.map((t) => [t.expr, t.source, t.isDefault]), [
        ['error_rate<1%', 'mcpload', true], ['checks==100%', 'mcpload', true], ['exceptions==0', 'mcpload', true],
      ]);
      assert.match(result.thresholds[0]!.over, /^[\d,]+ requests \([\d,]+ failed\)$/);
      assert.equal(result.verdict.onlyDefaults, true);
      assert.match(result.verdict.failures[0]!, /^error_rate<1%: /);
      const error = result.snapshot.errors.find((e) => e.error.includes('refused:'))!.error;
      assert.ok(error.endsWith('at the very end: expected boolean at nextThoughtNeeded'), error);
      assert.ok(error.length > 300);
      assert.ok(readFileSync(`${csv}_failures.csv`, 'utf8').includes('at the very end: expected boolean at nextThoughtNeeded'));
    });
  });

  test('--exit-code-on-error 0: the same failing run exits 0, and its summary still says FAILED', async () => {
    const r = await runCli(['run', 'test/fixtures/calls-fail.ts', ...SHORT, '--exit-code-on-error', '0']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const verdict = lastLines(r.stdout);
    assert.equal(verdict[1], 'FAILED: 1 threshold (exit code 0, as --exit-code-on-error asks)');
    assert.ok(!r.stdout.includes('PASSED'));
  });

  test('--exit-code-on-error does not hide a failing threshold of the user\'s own', async () => {
    const r = await runCli(['run', 'test/fixtures/calls-fail.ts', ...SHORT, '--exit-code-on-error', '0', '--threshold', 'error_rate<50%']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const verdict = lastLines(r.stdout);
    // The user's error_rate replaced the default one.
    assert.equal(verdict[0], "Verdict judged on: checks==100%, exceptions==0 (mcpload's defaults); error_rate<50% (yours)");
    assert.match(verdict[2]!, /^ {2}✗ error_rate<50%: .* \(your --threshold\)$/);
  });

  test('a scenario whose tasks throw exits 1 naming the exceptions; --exit-code-on-error 0 exits 0', async () => {
    const r = await runCli(['run', 'test/fixtures/task-throws.ts', ...SHORT]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const verdict = lastLines(r.stdout);
    assert.equal(verdict[1], 'FAILED: 1 threshold');
    assert.match(verdict[2]!, /^ {2}✗ exceptions==0: exceptions = \d+ \(required == 0\) over the whole run's tasks \(mcpload default;/);
    const quiet = await runCli(['run', 'test/fixtures/task-throws.ts', ...SHORT, '--exit-code-on-error', '0']);
    assert.equal(quiet.code, 0, quiet.stdout + quiet.stderr);
    assert.match(quiet.stdout, /FAILED: 1 threshold \(exit code 0, as --exit-code-on-error asks\)/);
  });

  test('discover against a server whose tool calls fail exits 1 on its own default thresholds', async () => {
    // The reference server's `fail` and `test_error_handling` tools fail by design: the only tools called here.
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-verdict-'));
    let r;
    try {
      const json = path.join(dir, 'run.json');
      r = await runCli(['run', '--scenario', 'discover', '--tools', 'fail,test_error_handling', '--tags', 'tools', ...SHORT, '--seed', '5', '--json', json]);
      // The discover notes are in the JSON, as printed.
      const notes = (JSON.parse(readFileSync(json, 'utf8')) as { notes: string[] }).notes;
      assert.match(notes[0]!, /^discover: calling 2 of \d+ tools/);
      assert.ok(notes.some((note) => r!.stdout.includes(`note: ${note}`)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const verdict = lastLines(r.stdout);
    assert.equal(verdict[0], "Verdict judged on: checks==100%, exceptions==0 (mcpload's defaults); error_rate<1% (the scenario's)");
    assert.match(verdict[2]!, /^ {2}✗ error_rate<1%: error_rate = [\d.]+% .*\(the scenario's default; --exit-code-on-error 0/);
    const quiet = await runCli(['run', '--scenario', 'discover', '--tools', 'fail,test_error_handling', '--tags', 'tools', ...SHORT, '--seed', '5', '--exit-code-on-error', '0']);
    assert.equal(quiet.code, 0, quiet.stdout + quiet.stderr);
  });

  test('checks and count thresholds: the rate of passed checks and the number of requests', async () => {
    await withDir(async (dir) => {
      const json = path.join(dir, 'run.json');
      const summary = path.join(dir, 'summary.json');
      // About half the checks fail on purpose; the user allows it, so only their own rules judge checks.
      const r = await runCli(['run', 'test/fixtures/checks-half.ts', ...SHORT, '--threshold', 'error_rate<=100%', '--threshold', 'checks>0.99',
        '--threshold', 'checks>=0.2', '--threshold', 'name=add:count>1', '--threshold', 'count<1', '--json', json, '--summary-export', summary]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      const result = JSON.parse(readFileSync(json, 'utf8')) as { thresholds: Array<{ expr: string; passed: boolean; actual: number; source: string }> };
      const by = (expr: string) => result.thresholds.find((t) => t.expr === expr)!;
      // checks>=0.2 replaced checks>0.99 (same metric, same selector): the later rule wins.
      assert.equal(result.thresholds.some((t) => t.expr === 'checks>0.99'), false);
      assert.equal(result.thresholds.some((t) => t.expr === 'checks==100%'), false, "the user's checks rule replaces the default");
      assert.equal(by('checks>=0.2').passed, true);
      assert.ok(by('checks>=0.2').actual > 0.3 && by('checks>=0.2').actual < 0.7, String(by('checks>=0.2').actual));
      assert.equal(by('name=add:count>1').passed, true);
      assert.equal(by('count<1').passed, false);
      assert.match(r.stdout, / {2}✗ count<1: count = \d+ \(required < 1\) over all requests \(your --threshold\)/);
      // k6's summary export: checks as passes/fails/value, thresholds true when failed (k6's convention).
      const k6 = JSON.parse(readFileSync(summary, 'utf8')) as { metrics: Record<string, Record<string, unknown>>; mcpload: { exitCode: number } };
      const checks = k6.metrics.checks as { passes: number; fails: number; value: number; thresholds: Record<string, boolean> };
      assert.ok(checks.passes > 0 && checks.fails > 0);
      assert.equal(checks.value, checks.passes / (checks.passes + checks.fails));
      assert.deepEqual(checks.thresholds, { 'checks>=0.2': false });
      assert.equal((k6.metrics.http_reqs as { thresholds: Record<string, boolean> }).thresholds['count<1'], true);
      assert.equal(k6.mcpload.exitCode, 1);
    });
  });

  test('an abortOnFail threshold stops the run early with its reason, and exit 1', async () => {
    const r = await runCli(['run', 'test/fixtures/calls-fail.ts', '--headless', '-u', '2', '-r', '2', '-t', '60s', '--stop-timeout', '1s',
      '--print-interval', '0', '--threshold', 'error_rate<50%:abortOnFail(1s)']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /stopped \(threshold error_rate<50%:abortOnFail\(1s\) crossed\) after \d+s/);
    const verdict = lastLines(r.stdout);
    assert.equal(verdict[1], 'Stopped early: threshold error_rate<50%:abortOnFail(1s) crossed (abortOnFail)');
    assert.equal(verdict[2], 'FAILED: 1 threshold');
  });

  test('a clean run passes and says what it was judged on', async () => {
    // Only tools that never fail, so nothing random decides the verdict.
    const r = await runCli(['run', '--scenario', 'discover', '--tools', 'add,echo', '--tags', 'tools', ...SHORT, '--threshold', 'count>0']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const verdict = lastLines(r.stdout);
    assert.equal(verdict[0], "Verdict judged on: checks==100%, exceptions==0 (mcpload's defaults); error_rate<1% (the scenario's); count>0 (yours)");
    assert.deepEqual(verdict.slice(1), ['PASSED']);
  });

  test('a scenario whose onStart throws exits 1 naming the exceptions (a user that could not set up is not a pass)', async () => {
    const r = await runCli(['run', 'test/fixtures/onstart-throws.ts', ...SHORT]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const verdict = lastLines(r.stdout);
    assert.equal(verdict[1], 'FAILED: 1 threshold');
    assert.match(verdict[2]!, /^ {2}✗ exceptions==0: exceptions = 3 \(required == 0\)/);
    assert.match(r.stdout, /Error: setup bug/);
  });
});

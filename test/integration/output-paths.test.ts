/**
 * Report paths are checked before anything runs (one line, exit 2, no load),
 * in every mode that writes reports; and a report that fails at the end of a
 * run costs no other report and leaves no temporary file. No case asserts a
 * duration; each CLI run is bounded by the test's timeout and the helper's guard.
 *
 * The cases run side by side, each with its own folder, files and
 * servers: most of each is a short run waiting on its clock.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it as test } from 'node:test';
import { LIFT_CLASSIC_LATENCY, runCli, startCli, type CliResult } from './cli-helpers.js';

const BOUND = { timeout: 60_000 };

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), 'mcpload-outputs-'));
}

/** Refused before the load: exit 2, one line naming the flag, nothing on stdout (no header, no web UI, no load). */
function assertRefusedFirst(r: CliResult, flag: string, reason: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.ok(lines[0]!.startsWith(`error: ${flag} `), lines[0]);
  assert.match(lines[0]!, reason);
  assert.equal(r.stdout, '', 'nothing ran');
}

describe('output paths', { concurrency: true }, () => {
  test('run --csv /proc/x/y: exit 2 with one line before any load, instead of hanging after the run', BOUND, async () => {
    const r = await runCli(['run', '--headless', '-t', '10s', '--csv', '/proc/x/y']);
    assertRefusedFirst(r, '--csv', /under \/proc/);
  });

  test('run --json /tmp (a directory): exit 2, and no temporary file is left in /', BOUND, async () => {
    const before = readdirSync('/').filter((f) => f.endsWith('.tmp'));
    const r = await runCli(['run', '--headless', '-t', '10s', '--json', tmpdir()]);
    assertRefusedFirst(r, '--json', /is a directory/);
    assert.deepEqual(readdirSync('/').filter((f) => f.endsWith('.tmp')), before);
  });

  test('run --json under an existing file, --html under /sys, --logfile under /proc: exit 2 each', BOUND, async () => {
    const dir = scratch();
    try {
      const file = path.join(dir, 'plain');
      writeFileSync(file, '');
      assertRefusedFirst(await runCli(['run', '--headless', '-t', '10s', '--json', path.join(file, 'run.json')]), '--json', /is under a file/);
      assertRefusedFirst(await runCli(['run', '--headless', '-t', '10s', '--html', '/sys/run.html']), '--html', /under \/sys/);
      assertRefusedFirst(await runCli(['run', '--headless', '-t', '10s', '--logfile', '/proc/x/run.log']), '--logfile', /under \/proc/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the check runs in every mode: --processes, the web UI, probe and merge', BOUND, async () => {
    assertRefusedFirst(await runCli(['run', '--headless', '-t', '10s', '--processes', '2', '--junit', '/proc/x.xml']), '--junit', /under \/proc/);
    assertRefusedFirst(await runCli(['run', '-t', '2s', '--web-port', '0', '--autostart', '--autoquit', '0', '--summary-export', tmpdir()]), '--summary-export', /is a directory/);
    assertRefusedFirst(await runCli(['probe', '--sarif', '/proc/x/y.sarif']), '--sarif', /under \/proc/);
    assertRefusedFirst(await runCli(['merge', 'no-such-result.json', '--csv', '/proc/x/y']), '--csv', /under \/proc/);
  });

  test('a report that fails at the end costs no other, is named in one line, exit 1, and leaves no temporary file', BOUND, async () => {
    const dir = scratch();
    try {
      const csv = path.join(dir, 'sub/run');
      const html = path.join(dir, 'later-a-dir.html');
      const { child, done } = startCli(['run', 'test/fixtures/fast-classic.ts', '--headless', '-u', '2', '-r', '2', '-t', '3s', '--print-interval', '0', ...LIFT_CLASSIC_LATENCY,
        '--csv', csv, '--html', html, '--json', path.join(dir, 'run.json'), '--summary-export', path.join(dir, 'summary.json')]);
      let stdout = '';
      child.stdout!.on('data', (c: string) => (stdout += c));
      const deadline = Date.now() + 30_000;
      while (!/ against /.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.match(stdout, / against /, 'the run started');
      // The paths passed the check; now the CSV folder becomes a file, and the HTML path a directory.
      rmSync(path.join(dir, 'sub'), { recursive: true, force: true });
      writeFileSync(path.join(dir, 'sub'), '');
      mkdirSync(html);
      const r = await done;

      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout, /\nPASSED\n/, 'the run itself passed: exit 1 is for the reports');
      assert.match(r.stdout, /exit code 1: 2 reports were not written/);
      const failed = r.stderr.split('\n').filter((l) => l.startsWith('error: report not written: '));
      assert.equal(failed.length, 2, r.stderr);
      assert.match(failed[0]!, /--csv .*sub\/run: is under a file/);
      assert.match(failed[1]!, /--html .*later-a-dir\.html: is a directory/);
      assert.ok((JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as { snapshot?: unknown }).snapshot, 'the JSON report was written');
      assert.ok(JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')), 'the summary export was written');
      const left = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.includes('.tmp'));
      assert.deepEqual(left, [], 'no temporary file left');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

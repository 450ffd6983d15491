import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { checkReportPaths, reportPathProblem } from '../../src/app/report-paths.js';
import { writeEach } from '../../src/app/reports.js';
import { RunSetupError } from '../../src/app/scenario-setup.js';
import { makeFolder, reportFileProblem, writeReportFile } from '../../src/reporters/report-file.js';

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), 'mcpload-report-file-'));
}

/** Every file under `dir`, recursively, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

test('reportFileProblem: a writable path passes, its folders are made, and the probe file is gone', () => {
  const dir = scratch();
  try {
    assert.equal(reportFileProblem(path.join(dir, 'a/b/run.json')), undefined);
    assert.ok(statSync(path.join(dir, 'a/b')).isDirectory());
    assert.deepEqual(filesUnder(dir), ['a', path.join('a', 'b')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reportFileProblem: a directory, a path under a file, /proc, /sys, an empty path and a trailing slash are refused', () => {
  const dir = scratch();
  try {
    const file = path.join(dir, 'plain.txt');
    writeFileSync(file, 'x');
    assert.match(reportFileProblem(dir) ?? '', /is a directory/);
    assert.match(reportFileProblem(path.join(file, 'x.json')) ?? '', new RegExp(`is under a file \\(${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
    assert.match(reportFileProblem(path.join(file, 'deeper/x.json')) ?? '', /is under a file/);
    // Node 20's recursive mkdir never returns under /proc: this must answer, not hang.
    assert.match(reportFileProblem('/proc/x/y') ?? '', /under \/proc/);
    assert.match(reportFileProblem('/proc/self/x.json') ?? '', /under \/proc/);
    assert.match(reportFileProblem('/sys/x.json') ?? '', /under \/sys/);
    assert.match(reportFileProblem('   ') ?? '', /empty/);
    assert.match(reportFileProblem(`${dir}/out/`) ?? '', /names a folder/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reportFileProblem: an existing device such as /dev/null is written in place, and passes', () => {
  assert.equal(reportFileProblem('/dev/null'), undefined);
});

test('reportFileProblem: a folder that cannot be written is refused (unless root, whom permission bits do not stop)', { skip: process.getuid?.() === 0 }, () => {
  const dir = scratch();
  try {
    const locked = path.join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    assert.match(reportFileProblem(path.join(locked, 'run.json')) ?? '', /cannot be written: permission denied/);
  } finally {
    chmodSync(path.join(dir, 'locked'), 0o755);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('makeFolder refuses /proc at once instead of looping', () => {
  assert.throws(() => makeFolder('/proc/x/y'), /under \/proc/);
});

test('writeReportFile: atomic, folders made; a failed rename leaves no temporary file', async () => {
  const dir = scratch();
  try {
    const file = path.join(dir, 'sub/run.json');
    await writeReportFile(file, 'one\n');
    assert.equal(readFileSync(file, 'utf8'), 'one\n');
    await writeReportFile(file, 'two\n');
    assert.equal(readFileSync(file, 'utf8'), 'two\n');
    // The path became a directory: the temporary file is written, the rename fails, the temporary file goes.
    const taken = path.join(dir, 'taken.json');
    mkdirSync(taken);
    await assert.rejects(writeReportFile(taken, 'x'), /EISDIR|directory/);
    // Its folder became a file.
    writeFileSync(path.join(dir, 'gone'), '');
    await assert.rejects(writeReportFile(path.join(dir, 'gone/run.json'), 'x'), /is under a file/);
    assert.deepEqual(filesUnder(dir), ['gone', 'sub', path.join('sub', 'run.json'), 'taken.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reportPathProblem and checkReportPaths name the flag; --csv checks every file of its prefix', () => {
  const dir = scratch();
  try {
    assert.equal(reportPathProblem('--csv', path.join(dir, 'out/run')), undefined);
    mkdirSync(path.join(dir, 'out/run_failures.csv'));
    assert.match(reportPathProblem('--csv', path.join(dir, 'out/run')) ?? '', /^--csv .*out\/run: .*run_failures\.csv is a directory/);
    assert.throws(() => checkReportPaths({ json: path.join(dir, 'ok.json'), summaryExport: dir }), (err: Error) => {
      assert.ok(err instanceof RunSetupError, 'a usage error: exit 2');
      assert.match(err.message, new RegExp(`^--summary-export ${dir}: is a directory`));
      return true;
    });
    assert.doesNotThrow(() => checkReportPaths({ json: path.join(dir, 'ok.json'), html: path.join(dir, 'h/r.html') }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeEach: a report that fails costs no other and is named with its flag', async () => {
  const dir = scratch();
  try {
    const outcome = await writeEach([
      { flag: '--json', path: dir, write: () => writeReportFile(dir, 'x') },
      { flag: '--html', path: path.join(dir, 'r.html'), write: () => writeReportFile(path.join(dir, 'r.html'), '<p>') },
    ]);
    assert.deepEqual(outcome.written, [path.join(dir, 'r.html')]);
    assert.equal(outcome.failed.length, 1);
    assert.match(outcome.failed[0]!, new RegExp(`^--json ${dir}: `));
    assert.deepEqual(filesUnder(dir), ['r.html']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

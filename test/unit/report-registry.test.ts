/**
 * The report registry (reporters/outputs.ts): one entry per report option,
 * each loading the output that keeps its flag, and writeReports (app/reports.ts)
 * writing every report asked for from it, for a run as for `merge`.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { writeReports } from '../../src/app/reports.js';
import { Stats } from '../../src/metrics/stats.js';
import type { RunResult } from '../../src/report/run-result.js';
import { judgeRun } from '../../src/report/verdict.js';
import type { ReportOptions } from '../../src/reporters/output.js';
import { REPORTS, reportsAskedFor } from '../../src/reporters/outputs.js';

function result(): RunResult {
  const stats = new Stats({ now: () => 0 });
  for (let i = 0; i < 4; i++) stats.record('tools/call', 'echo', 1000 + i, 10, i === 0 ? { kind: 'tool', detail: 'no' } : undefined);
  const snapshot = stats.snapshot();
  return {
    tool: 'mcpload', version: 'test', settings: { scenario: 'classic', authToken: 'secret-token' },
    startedAt: new Date(0).toISOString(), endedAt: new Date(1000).toISOString(), snapshot, ...judgeRun([], snapshot),
  };
}

test('every report has one entry with its own flag, and loads an end-of-run output that keeps that flag', async () => {
  assert.deepEqual(REPORTS.map((r) => r.flag), ['--csv', '--json', '--html', '--junit', '--sarif', '--summary-export']);
  for (const entry of REPORTS) {
    const output = await entry.load();
    assert.equal(output.mode, 'end');
    assert.equal(output.flag, entry.flag);
    // Probe offers a report exactly when it has a probe form.
    assert.equal(output.writeProbe !== undefined, entry.probeDescription !== undefined, entry.flag);
  }
  assert.deepEqual(REPORTS.filter((r) => r.probeDescription !== undefined).map((r) => r.flag), ['--json', '--junit', '--sarif']);
});

test('reportsAskedFor: the reports with a path, in the registry order; an empty path asks for nothing', () => {
  const asked = reportsAskedFor({ sarif: 'b.sarif', csv: 'out/run', json: '' });
  assert.deepEqual(asked.map(({ entry, path }) => `${entry.flag} ${path}`), ['--csv out/run', '--sarif b.sarif']);
});

test('writeReports writes every report the registry lists, each file whole', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mcpload-reports-'));
  try {
    const opts: ReportOptions = {
      csv: path.join(dir, 'run'), json: path.join(dir, 'run.json'), html: path.join(dir, 'run.html'),
      junit: path.join(dir, 'run.xml'), sarif: path.join(dir, 'run.sarif'), summaryExport: path.join(dir, 'summary.json'),
    };
    const { written, failed } = await writeReports(result(), opts, 1);
    assert.deepEqual(failed, []);
    for (const file of [opts.json, opts.html, opts.junit, opts.sarif, opts.summaryExport, `${opts.csv}_stats.csv`]) {
      assert.ok(written.includes(file as string), `${file} in ${written.join(', ')}`);
    }
    const json = JSON.parse(await readFile(opts.json as string, 'utf8')) as RunResult;
    assert.equal(json.settings.authToken, '[redacted]');
    assert.equal(json.passed, false);
    assert.match(await readFile(opts.junit as string, 'utf8'), /<testsuites/);
    assert.match(await readFile(opts.html as string, 'utf8'), /mcpload report · classic · FAILED/);
    // The exit code given reaches k6's summary export.
    const summary = JSON.parse(await readFile(opts.summaryExport as string, 'utf8')) as { mcpload: { exitCode: number } };
    assert.equal(summary.mcpload.exitCode, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

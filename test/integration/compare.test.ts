/**
 * `mcpload compare` end to end: short headless runs against reference servers
 * (one as is, one with `serve --delay`), compared by the CLI.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, runCli, startServeProcess } from './cli-helpers.js';

/** tools/call add with 10 ms of think time (test/fixtures/paced-add.ts): about a thousand requests in 4 s. */
const LOAD = ['run', path.join(ROOT, 'test/fixtures/paced-add.ts'), '--headless', '-u', '5', '-r', '5', '-t', '4s'];
/**
 * The slowed server's delay. Larger than the brief's 20 ms: on a busy shared box the plain server's
 * p95 alone reaches 30-40 ms (the cores' other work), and a fixed delay moves the p95 only by what
 * it adds above that tail. 100 ms still leaves ~180 requests in 4 s, 9 beyond the p95.
 */
const DELAY_MS = 100;

describe('mcpload compare', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-compare-'));
  const file = (name: string) => path.join(dir, name);
  let plain: Awaited<ReturnType<typeof startServeProcess>>;
  let slowed: Awaited<ReturnType<typeof startServeProcess>>;

  before(async () => {
    [plain, slowed] = await Promise.all([startServeProcess(), startServeProcess(['--delay', `${DELAY_MS}ms`])]);
    // Each pair runs side by side, so the box's other work weighs on both runs of a pair alike:
    // two runs of the same load, then a run against the plain server beside one against the slowed one.
    const [a, b] = await Promise.all([
      runCli([...LOAD, '--host', plain.url, '--json', file('a.json')]),
      runCli([...LOAD, '--host', plain.url, '--json', file('b.json')]),
    ]);
    const [base, slow] = await Promise.all([
      runCli([...LOAD, '--host', plain.url, '--json', file('base.json')]),
      runCli([...LOAD, '--host', slowed.url, '--json', file('slow.json')]),
    ]);
    for (const r of [a, b, base, slow]) assert.equal(r.code, 0, r.stderr);
  });

  after(async () => {
    await Promise.all([plain?.stop(), slowed?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('two runs of the same load: no significant p95 change, and --fail-on passes (exit 0)', async () => {
    const r = await runCli(['compare', file('a.json'), file('b.json'), '--fail-on', 'p95>+10%', '--json', file('same.json'), '--junit', file('same.xml')]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Type\s+Name\s+Metric\s+Base\s+Current\s+Change\s+Noise test/);
    const comparison = JSON.parse(readFileSync(file('same.json'), 'utf8')) as { aggregated: { metrics: Array<{ metric: string; significance?: string }> }; failed: boolean };
    const p95 = comparison.aggregated.metrics.find((m) => m.metric === 'p95')!;
    assert.notEqual(p95.significance, 'significant', r.stdout);
    assert.equal(comparison.failed, false);
    assert.match(readFileSync(file('same.xml'), 'utf8'), /<testsuite name="compare" id="0" tests="1" failures="0"/);
  });

  test('against a server with a fixed delay: the p95 change is significant and --fail-on p95>+10% exits 1', async () => {
    const r = await runCli(['compare', file('base.json'), file('slow.json'), '--fail-on', 'p95>+10%', '--junit', file('slow.xml')]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /Aggregated\s+requests[\s\S]*?p95 \(ms\)[^\n]*SIGNIFICANT/);
    assert.match(r.stdout, /✗ FAIL p95>\+10%\s+\[Aggregated\]/);
    assert.match(readFileSync(file('slow.xml'), 'utf8'), /failures="1"/);
  });

  test('run --baseline: the comparison after the summary, and --fail-on sets the run\'s exit code', async () => {
    // The median, not the p95: this run comes alone, at another moment than its baseline, and on a busy
    // box the baseline's tail can reach the delay (a p95 of 86 ms was seen), while the median moves by it whole.
    const r = await runCli([...LOAD, '--host', slowed.url, '--baseline', file('base.json'), '--fail-on', 'p50>+10%']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const summary = r.stdout.lastIndexOf('Response time percentiles');
    const comparison = r.stdout.indexOf(`Comparison  base: ${file('base.json')}`);
    assert.ok(comparison > 0 && comparison > summary, r.stdout);
    assert.match(r.stdout, /✗ FAIL p50>\+10%\s+\[Aggregated\]/);
    assert.match(r.stdout, /exit code 1: a --fail-on condition failed against the baseline/);
  });

  test('--markdown prints a Markdown table', async () => {
    const r = await runCli(['compare', file('base.json'), file('slow.json'), '--markdown']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const header = lines.indexOf('| Type | Name | Metric | Base | Current | Change | Noise test |');
    assert.ok(header > 0, r.stdout);
    assert.equal(lines[header + 1], '|---|---|---|---:|---:|---:|---|');
    assert.ok(lines.some((l) => /^\| {2}\| Aggregated \| requests \|/.test(l)), r.stdout);
  });

  test('bad input: a malformed --fail-on, a missing file, a file that is not a result → one line, exit 2', async () => {
    writeFileSync(file('other.json'), '{"hello": 1}');
    const cases: Array<[string[], RegExp]> = [
      [['compare', file('a.json'), file('b.json'), '--fail-on', 'p95>10%'], /needs a sign/],
      [['compare', file('a.json'), file('missing.json')], /missing\.json: no such file/],
      [['compare', file('other.json'), file('b.json')], /not an mcpload result/],
      [['run', '--headless', '--host', plain.url, '--fail-on', 'p95>+10%'], /give --baseline FILE/],
      [['run', '--headless', '--host', plain.url, '--baseline', file('other.json')], /not an mcpload result/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    }
  });
});

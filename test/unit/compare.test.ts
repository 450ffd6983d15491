import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeConditionError, parseChangeCondition } from '../../src/metrics/change-conditions.js';
import { createRng } from '../../src/engine/rng.js';
import { Stats } from '../../src/metrics/stats.js';
import type { Snapshot } from '../../src/metrics/snapshot.js';
import { compareRuns, type Comparison } from '../../src/report/comparison.js';
import { formatComparisonJson } from '../../src/reporters/compare-json.js';
import { formatComparisonJUnit } from '../../src/reporters/compare-junit.js';
import { formatComparisonMarkdown } from '../../src/reporters/compare-markdown.js';
import { formatComparisonText } from '../../src/reporters/compare-text.js';

test('--fail-on: metrics, signs and units', () => {
  const cases: Array<[string, Partial<ReturnType<typeof parseChangeCondition>>]> = [
    ['p95>+10%', { metric: 'p95', op: '>', amount: 10, unit: '%', scope: { kind: 'aggregated' } }],
    ['p99>+50ms', { metric: 'p99', amount: 50, unit: 'ms' }],
    ['p(99)>+0.2s', { metric: 'p99', amount: 200, unit: 'ms' }],
    ['p50 > +500us', { metric: 'p50', amount: 0.5, unit: 'ms' }],
    ['max>+1s', { metric: 'max', amount: 1000, unit: 'ms' }],
    ['error_rate>+0.5pp', { metric: 'error_rate', amount: 0.5, unit: 'pp' }],
    ['error_rate>+50%', { metric: 'error_rate', amount: 50, unit: '%' }],
    ['rps<-10%', { metric: 'rps', op: '<', amount: -10, unit: '%' }],
    ['requests<-100', { metric: 'requests', amount: -100, unit: 'abs' }],
  ];
  for (const [expr, want] of cases) {
    const got = parseChangeCondition(expr);
    for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof typeof got], v, `${expr}: ${k}`);
  }
});

test('--fail-on: scopes', () => {
  assert.deepEqual(parseChangeCondition('*:p95>+10%').scope, { kind: 'every' });
  assert.deepEqual(parseChangeCondition('name=add:p95>+10%').scope, { kind: 'select', name: 'add' });
  assert.deepEqual(parseChangeCondition('type=tools/call,name=add:p95>+10%').scope, { kind: 'select', type: 'tools/call', name: 'add' });
  // A name holding ":" (a resource URI): the scope ends at the last ":" a condition follows.
  assert.deepEqual(parseChangeCondition('name=file:///tmp/a.txt:p99>+5ms').scope, { kind: 'select', name: 'file:///tmp/a.txt' });
});

test('--fail-on: malformed expressions are one-line errors naming the problem', () => {
  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['p95>10%', /needs a sign/],
    ['p95>+10', /give p95's change a unit/],
    ['p95>+10pp', /pp \(percentage points\) is for error_rate/],
    ['rps>+5ms', /is a time/],
    ['error_rate>+1', /pp/],
    ['p90>+10%', /expected \[SCOPE:\]METRIC/],
    ['p95=+10%', /expected/],
    ['tools/call add:p95>+10%', /scope "tools\/call add" must be/],
    ['name=:p95>+10%', /empty name/],
  ];
  for (const [expr, message] of bad) {
    assert.throws(() => parseChangeCondition(expr), (err: Error) => {
      assert.ok(err instanceof ChangeConditionError, expr);
      assert.match(err.message, message, expr);
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    });
  }
});

/** A run of `n` add calls (latency 1 ms + exponential tail + shift) and, optionally, an entry of its own. */
function run(seed: number, opts: { n?: number; shiftUs?: number; failEvery?: number; extra?: string } = {}): Snapshot {
  let now = 1_700_000_000_000;
  const stats = new Stats({ now: () => now });
  const random = createRng(seed);
  for (let i = 0; i < (opts.n ?? 2000); i++) {
    const us = Math.round(1000 + -2000 * Math.log(1 - random()) + (opts.shiftUs ?? 0));
    const error = opts.failEvery !== undefined && i % opts.failEvery === 0 ? { kind: 'tool' as const, detail: 'boom' } : undefined;
    stats.record('tools/call', 'add', us, 100, error);
  }
  if (opts.extra) stats.record('tools/call', opts.extra, 2000, 10);
  now += 10_000;
  return { ...stats.snapshot(), endedAt: now };
}

function compare(base: Snapshot, current: Snapshot, conditions: string[] = [], failOnNoise = false): Comparison {
  return compareRuns(
    { label: 'base.json', startedAt: '2026-01-01T00:00:00.000Z', snapshot: base },
    { label: 'new.json', startedAt: '2026-01-01T01:00:00.000Z', snapshot: current },
    { conditions: conditions.map(parseChangeCondition), failOnNoise },
  );
}

test('comparison: same load → nothing significant and p95>+10% passes; a 20 ms delay → significant and it fails', () => {
  const same = compare(run(1), run(2), ['p95>+10%', '*:p99>+5ms']);
  const p95 = same.aggregated.metrics.find((m) => m.metric === 'p95')!;
  assert.equal(p95.significance, 'noise');
  assert.equal(same.failed, false);
  assert.deepEqual(same.checks.map((c) => [c.expr, c.name, c.outcome]), [
    ['p95>+10%', 'Aggregated', 'pass'], ['*:p99>+5ms', 'add', 'pass'], ['*:p99>+5ms', 'Aggregated', 'pass'],
  ]);

  const slow = compare(run(1), run(2, { shiftUs: 20_000 }), ['p95>+10%', 'name=add:p50>+15ms', 'rps<-10%']);
  const slowP95 = slow.aggregated.metrics.find((m) => m.metric === 'p95')!;
  assert.equal(slowP95.significance, 'significant');
  assert.ok(slowP95.changePct! > 100);
  assert.equal(slow.failed, true);
  assert.deepEqual(slow.checks.map((c) => c.outcome), ['fail', 'fail', 'pass']);
});

test('comparison: a condition that holds within the noise passes, unless --fail-on-noise', () => {
  // 4 % slower at the median, 40 requests: far inside the noise of so few requests.
  const base = run(3, { n: 40 });
  const current = run(4, { n: 40, shiftUs: 100 });
  const holds = compare(base, current, ['p50>-100%']);
  assert.equal(holds.checks[0]!.outcome, 'pass');
  assert.match(holds.checks[0]!.message, /within the noise|too few samples/);
  assert.equal(compare(base, current, ['p50>-100%'], true).checks[0]!.outcome, 'fail');
});

test('comparison: error rate in percentage points; added and removed entries; a scope that matches nothing fails', () => {
  const c = compare(run(5, { failEvery: 100, extra: 'old' }), run(6, { failEvery: 10, extra: 'new' }), ['error_rate>+0.5pp', 'name=new:p95>+10%', 'name=nothing:p95>+10%']);
  const rate = c.aggregated.metrics.find((m) => m.metric === 'error_rate')!;
  assert.ok(Math.abs(rate.change - 9) < 0.1, `change ${rate.change}`);
  assert.equal(rate.significance, 'significant');
  assert.deepEqual(c.entries.map((e) => [e.name, e.presence]), [['add', 'both'], ['new', 'added'], ['old', 'removed']]);
  assert.deepEqual(c.checks.map((x) => x.outcome), ['fail', 'skipped', 'fail']);
  assert.match(c.checks[2]!.message, /no entry matches name=nothing/);
});

test('renderers: console table, Markdown, JSON and JUnit draw the same comparison', () => {
  const c = compare(run(1, { extra: 'a|b' }), run(2, { shiftUs: 20_000 }), ['p95>+10%', 'rps<-50%']);

  const text = formatComparisonText(c);
  assert.match(text, /Type\s+Name\s+Metric\s+Base\s+Current\s+Change\s+Noise test/);
  assert.match(text, /Aggregated\s+requests\s+2001\s+2000/);
  assert.match(text, /p95 \(ms\).*SIGNIFICANT/);
  assert.match(text, /removed \(only in base\)/);
  assert.match(text, /✗ FAIL p95>\+10%/);
  assert.match(text, /REGRESSION/);

  const md = formatComparisonMarkdown(c);
  const lines = md.split('\n');
  const header = lines.findIndex((l) => l.startsWith('| Type | Name | Metric |'));
  assert.ok(header > 0, md);
  assert.equal(lines[header + 1], '|---|---|---|---:|---:|---:|---|');
  // Every table row has the same 7 columns; the "|" in a name is escaped.
  const rows = lines.slice(header + 2).filter((l) => l.startsWith('|'));
  assert.ok(rows.length >= 14);
  for (const row of rows) assert.equal(row.split(/(?<!\\)\|/).length - 2, 7, row);
  assert.ok(md.includes('a\\|b'));
  assert.match(md, /\*\*regression\*\*/);
  assert.match(md, /❌ `p95>\+10%` on Aggregated/);

  const json = JSON.parse(formatComparisonJson(c)) as Comparison & { kind: string };
  assert.equal(json.kind, 'comparison');
  assert.equal(json.failed, true);
  assert.equal(json.aggregated.metrics.find((m) => m.metric === 'p95')!.significance, 'significant');

  const xml = formatComparisonJUnit(c, '2026-01-01T00:00:00.000Z');
  assert.match(xml, /<testsuite name="compare" id="0" tests="2" failures="1" errors="0" skipped="0"/);
  assert.match(xml, /<testcase name="p95&gt;\+10% \[Aggregated\]" classname="compare" time="0.000">\n\s*<failure message="p95 \+/);
  assert.match(xml, /<testcase name="rps&lt;-50% \[Aggregated\]" classname="compare" time="0.000"\/>/);
});

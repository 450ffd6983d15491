import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Stats } from '../../src/metrics/stats.js';
import { evaluateThresholds, mergeThresholdLists, type ThresholdResult } from '../../src/metrics/thresholds.js';
import { securityResults, type SecurityResult } from '../../src/security/verdicts.js';
import { formatLiveTable, formatSummary, verdict } from '../../src/reporters/console.js';
import { shortenMiddle } from '../../src/reporters/text.js';

const T0 = 1_700_000_000_000;
const HEADER = /^Type\s+Name\s+# reqs\s+# fails \|\s+Avg\s+Min\s+Max\s+Med \|\s+req\/s\s+failures\/s$/;

function sample() {
  const clock = { t: T0 };
  const stats = new Stats({ now: () => clock.t });
  for (let i = 1; i <= 100; i++) {
    clock.t = T0 + i * 100;
    stats.record('GET', '/api/v1/mcp/health', 400 + i, 20);
    stats.record('tools/call', 'echo', i * 1000, 50, i % 4 === 0 ? { kind: 'tool', detail: 'isError' } : undefined);
  }
  stats.record('SECURITY', 'sensitive-routes', 1000, 0, { kind: 'security', detail: 'GET /admin answered 200' });
  stats.record('SECURITY', 'origin-check', 1000, 0);
  stats.exception(new RangeError('bad index'), 'task pick');
  return stats.snapshot();
}

test('live table: Locust header, separators, rows, Aggregated and the status line', () => {
  const text = formatLiveTable(sample(), { elapsedS: 12, totalS: 30, users: 20, state: 'running' });
  const lines = text.split('\n');
  assert.match(lines[0]!, HEADER);
  assert.match(lines[1]!, /^-+\|-+\|-{7}\|-{13}\|-{7}\|-{7}\|-{7}\|-{7}\|-{8}\|-{11}$/);
  assert.equal(lines.filter((line) => line === lines[1]).length, 2, 'separator above and below the rows');
  const aggregated = lines.find((line) => /^\s+Aggregated\s/.test(line));
  assert.ok(aggregated, text);
  assert.match(aggregated!, /\s202\s+26\(12\.87%\) \|/, '202 requests, 25 tool errors + 1 security');
  const echo = lines.find((line) => line.startsWith('tools/call echo'));
  assert.match(echo!, /\s100\s+25\(25\.00%\) \|\s+51\s+1\.00\s+100\s+50 \|/, 'avg 50.5 → 51, min 1.00, max 100, med 50');
  const health = lines.find((line) => line.startsWith('GET'));
  assert.match(health!, /\|\s+0\.45\s+0\.40\s+0\.50\s+0\.45 \|/, 'sub-ms times keep two decimals');
  assert.equal(lines.at(-1), 'elapsed 12s / 30s · users 20 · state running');
  assert.equal(formatLiveTable(sample(), { elapsedS: 75, users: 3 }).split('\n').at(-1), 'elapsed 1m15s · users 3');
  // Header and rows line up: every table line has the same width.
  const table = lines.slice(0, lines.indexOf(''));
  assert.equal(new Set(table.map((line) => line.length)).size, 1, table.join('\n'));
});

test('live table: long names are cut with … and lines stay within 130 columns', () => {
  const stats = new Stats({ now: () => T0 });
  const long = `/api/${'very-long-segment/'.repeat(20)}end`;
  stats.record('resources/read', long, 1000, 0);
  stats.record('GET', 'bad\u001b[31mname\nwith controls', 1000, 0);
  const text = formatLiveTable(stats.snapshot(), { elapsedS: 1, users: 1 });
  for (const line of text.split('\n')) assert.ok(line.length <= 130, `${line.length}: ${line}`);
  assert.ok(text.includes('…'));
  assert.ok(!text.includes(long));
  assert.ok(!text.includes('\u001b'), 'no terminal escape sequences from server data');
  assert.ok(text.includes('bad [31mname with controls'));
});

test('summary: stats, percentiles, errors, exceptions, thresholds, security and verdict', () => {
  const snapshot = sample();
  const thresholds = evaluateThresholds(mergeThresholdLists(['p(95)<500', 'error_rate<1%'], ['name=echo:max<=100']), snapshot);
  const text = formatSummary(snapshot, thresholds, securityResults(snapshot), { droppedIterations: 7 });
  const lines = text.split('\n');
  assert.match(lines[0]!, HEADER);
  assert.ok(lines.some((line) => /^\s+Aggregated\s/.test(line)));
  const percentiles = lines.indexOf('Response time percentiles (approximated, ms)');
  assert.ok(percentiles > 0);
  assert.match(lines[percentiles + 1]!, /^Type\s+Name\s+50%\s+66%\s+75%\s+80%\s+90%\s+95%\s+98%\s+99%\s+99\.9%\s+99\.99%\s+100%\s+# reqs$/);
  assert.ok(lines.includes('Error report'));
  assert.ok(lines.some((line) => /^25\s+tools\/call\s+echo\s+tool: isError$/.test(line)));
  assert.ok(lines.includes('Exceptions'));
  assert.ok(lines.some((line) => /^1\s+RangeError: bad index$/.test(line)));
  assert.ok(lines.includes('Thresholds'));
  // Each threshold line says what it was computed over: the SECURITY row is left out of unselected ones.
  assert.ok(lines.some((line) => /^ {2}✓ p\(95\)<500 {2}p\(95\) = [\d.]+ ms \(required < 500 ms\) over 200 requests, SECURITY rows excluded {2}\[scenario default\]$/.test(line)), text);
  assert.ok(lines.some((line) => /^ {2}✗ error_rate<1% {2}error_rate = 12\.5% \(required < 1%\) over 200 requests \(25 failed\), SECURITY rows excluded {2}\[scenario default\]$/.test(line)), text);
  assert.ok(lines.some((line) => line.startsWith('  ✓ name=echo:max<=100  max = 100 ms (required <= 100 ms) over 100 requests of name=echo')), text);
  assert.ok(lines.includes('Security checks'));
  assert.ok(lines.includes('  ✗ FAIL sensitive-routes  (1 attempt, 1 let through)'));
  assert.ok(lines.includes('      security: GET /admin answered 200'));
  assert.ok(lines.includes('  ✓ pass origin-check  (1 attempt, 0 let through)'));
  assert.ok(lines.some((line) => line.startsWith('Dropped iterations: 7')));
  // The last lines: what the verdict was judged on, the verdict, and each reason.
  const judged = lines.findIndex((line) => line.startsWith('Verdict judged on: '));
  assert.equal(lines[judged], 'Verdict judged on: p(95)<500, error_rate<1% (the scenario\'s); name=echo:max<=100 (yours); 2 security checks');
  assert.equal(lines[judged + 1], 'FAILED: 1 threshold, 1 security check');
  assert.deepEqual(lines.slice(judged + 2), [
    '  ✗ error_rate<1%: error_rate = 12.5% (required < 1%)',
    '  ✗ security check sensitive-routes',
  ]);
  // Section order as Locust prints them, then ours.
  const order = ['Response time percentiles (approximated, ms)', 'Error report', 'Exceptions', 'Thresholds', 'Security checks'].map((h) => lines.indexOf(h));
  assert.deepEqual([...order].sort((a, b) => a - b), order);
});

test('summary of a clean run leaves out empty sections and passes', () => {
  const stats = new Stats({ now: () => T0 });
  stats.record('GET', '/', 2500, 0);
  const snapshot = stats.snapshot();
  const text = formatSummary(snapshot, evaluateThresholds(mergeThresholdLists(['avg<10'], []), snapshot), []);
  assert.ok(!text.includes('Error report'));
  assert.ok(!text.includes('Exceptions'));
  assert.ok(!text.includes('Security checks'));
  assert.ok(!text.includes('Dropped iterations'));
  assert.ok(text.includes('  ✓ avg<10  avg = 2.5 ms (required < 10 ms) over 1 request  [scenario default]'));
  assert.equal(text.split('\n').at(-1), 'PASSED');
  assert.equal(text.split('\n').at(-2), 'Verdict judged on: avg<10 (the scenario\'s)');
});

test('verdict counts failures with the right plurals', () => {
  const t = (passed: boolean): ThresholdResult => ({ expr: 'x', passed, actual: 1, detail: '' });
  const s = (passed: boolean): SecurityResult => ({ name: 'x', attempts: 1, failures: passed ? 0 : 1, passed, evidence: [] });
  assert.equal(verdict([], []), 'PASSED');
  assert.equal(verdict([t(true)], [s(true)]), 'PASSED');
  assert.equal(verdict([t(false), t(false), t(true)], [s(false)]), 'FAILED: 2 thresholds, 1 security check');
  assert.equal(verdict([], [s(false), s(false)]), 'FAILED: 2 security checks');
});

test('names that differ only past the column width still print as different rows', () => {
  const stats = new Stats({ now: () => T0 });
  // Seven resources with one long common start, as a server's file tree gives them.
  const names = Array.from({ length: 7 }, (_, i) => `file:///srv/data/projects/customer-exports/2026/quarter-one/report-${i}.csv`);
  for (const name of names) stats.record('resources/read', name, 1000, 0);
  stats.record('resources/read', `file:///srv/${'deep/'.repeat(40)}same-prefix-a/x`, 1000, 0);
  stats.record('resources/read', `file:///srv/${'deep/'.repeat(40)}same-prefix-b/x`, 1000, 0);
  const text = formatSummary(stats.snapshot(), [], []);
  const rowsOf = (header: RegExp) => {
    const lines = text.split('\n');
    const at = lines.findIndex((line) => header.test(line));
    return lines.slice(at + 2, at + 2 + 9);
  };
  for (const rows of [rowsOf(HEADER), rowsOf(/^Type\s+Name\s+50%/)]) {
    assert.equal(rows.length, 9);
    assert.equal(new Set(rows.map((row) => row.slice(0, row.indexOf('  ', 'resources/read '.length + 5)))).size, 9, rows.join('\n'));
    // Both ends stay: the file name at the end is visible in every row.
    for (let i = 0; i < 7; i++) assert.ok(rows.some((row) => row.includes(`report-${i}.csv`)), `report-${i}.csv\n${rows.join('\n')}`);
  }
});

test('shortenMiddle keeps both ends; the error report keeps the end of a long error', () => {
  assert.equal(shortenMiddle('abcdefghij', 10), 'abcdefghij');
  assert.equal(shortenMiddle('abcdefghijk', 7), 'abc…ijk');
  assert.equal(shortenMiddle('abcdefghijk', 8), 'abcd…ijk');
  assert.equal(shortenMiddle('abcdef', 3), 'ab…');
  const stats = new Stats({ now: () => T0 });
  const error = `Invalid arguments for tool sequentialthinking: ${'details '.repeat(40)}Expected boolean or "true"/"false" string, received "bravo" at nextThoughtNeeded`;
  stats.record('tools/call', 'sequentialthinking', 1000, 0, { kind: 'tool', detail: error });
  const line = formatSummary(stats.snapshot(), [], []).split('\n').find((l) => l.startsWith('1 '))!;
  assert.ok(line.length <= 130, line);
  assert.ok(line.includes('Invalid arguments'), line);
  assert.ok(line.endsWith('received "bravo" at nextThoughtNeeded'), line);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stats } from '../../src/metrics/stats.js';
import { csvField, exceptionsCsv, failuresCsv, historyCsv, statsCsv, writeCsvReports } from '../../src/reporters/csv.js';
import { parseCsv } from '../helpers/csv.js';

const T0 = 1_700_000_000_000;

const STATS_HEADER = 'Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%';
const HISTORY_HEADER = 'Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size';
const FAILURES_HEADER = 'Method,Name,Error,Occurrences';
const EXCEPTIONS_HEADER = 'Count,Message,Traceback,Nodes';

function lines(csv: string): string[] {
  assert.ok(csv.endsWith('\r\n'), 'CRLF line endings, like Locust');
  return csv.slice(0, -2).split('\r\n');
}


function sample() {
  const clock = { t: T0 };
  const stats = new Stats({ now: () => clock.t });
  for (let i = 1; i <= 4; i++) {
    clock.t = T0 + i * 500;
    stats.record('GET', '/a', i * 1500, 100);
    stats.record('tools/call', 'say, "hi"\nthere', 250, 10, { kind: 'tool', detail: 'bad, "quoted"\nerror' });
    if (i % 2 === 0) stats.tick(i + 1); // ticks at 1 s (3 users) and 2 s (5 users)
  }
  stats.exception(new Error('boom, "x"'), 'task one');
  return stats.snapshot();
}

test('headers are exactly Locust\'s', () => {
  const snapshot = sample();
  assert.equal(lines(statsCsv(snapshot))[0], STATS_HEADER);
  assert.equal(lines(historyCsv(snapshot))[0], HISTORY_HEADER);
  assert.equal(lines(failuresCsv(snapshot))[0], FAILURES_HEADER);
  assert.equal(lines(exceptionsCsv(snapshot))[0], EXCEPTIONS_HEADER);
});

test('stats.csv: one row per entry plus Aggregated, ms with up to 3 decimals', () => {
  const rows = parseCsv(statsCsv(sample()));
  assert.equal(rows.length, 1 + 2 + 1);
  const width = STATS_HEADER.split(',').length;
  for (const row of rows) assert.equal(row.length, width);
  const [, a, tool, aggregated] = rows;
  // /a: 1.5, 3, 4.5, 6 ms, over 2 s from the start. The median is HDR's
  // highest value equivalent to 3 ms at 3 significant digits: 3001 µs.
  assert.deepEqual(a!.slice(0, 11), ['GET', '/a', '4', '0', '3.001', '3.75', '1.5', '6', '100', '2', '0']);
  assert.equal(a![21], '6', '100% is the max');
  assert.equal(tool![1], 'say, "hi"\nthere', 'names with commas, quotes and newlines round-trip');
  assert.equal(tool![3], '4');
  assert.equal(tool![5], '0.25');
  assert.deepEqual(aggregated!.slice(0, 4), ['', 'Aggregated', '8', '4']);
  for (const value of a!.slice(4)) assert.match(value, /^\d+(\.\d{1,3})?$/);
});

test('stats.csv writes N/A percentiles for an entry without requests', () => {
  const stats = new Stats({ now: () => T0 });
  stats.record('GET', '/', 1000, 0);
  stats.reset();
  const row = parseCsv(statsCsv(stats.snapshot()))[1]!;
  assert.deepEqual(row.slice(2, 4), ['0', '0']);
  assert.deepEqual(row.slice(11), Array(11).fill('N/A'));
});

test('history.csv: one row per entry and Aggregated per tick; idle intervals give N/A', () => {
  const rows = parseCsv(historyCsv(sample()));
  assert.equal(rows.length, 1 + 2 * 3);
  const [, first] = rows;
  assert.equal(first![0], String(T0 / 1000 + 1));
  assert.equal(first![1], '3');
  assert.deepEqual(first!.slice(2, 6), ['GET', '/a', '2', '0']);
  assert.equal(first![16], '3', 'interval max: 1.5 and 3 ms before the first tick');
  assert.equal(first![17], '2', 'total requests');
  const width = HISTORY_HEADER.split(',').length;
  for (const row of rows) assert.equal(row.length, width);
  const secondTick = rows.filter((row) => row[0] === String(T0 / 1000 + 2));
  assert.equal(secondTick.length, 3);
  assert.equal(secondTick.at(-1)![3], 'Aggregated');
  assert.equal(secondTick.at(-1)![17], '8', 'Aggregated total requests');
});

test('history.csv writes N/A for the percentiles of an interval without requests', () => {
  const clock = { t: T0 };
  const stats = new Stats({ now: () => clock.t });
  stats.record('GET', '/', 1000, 0);
  clock.t += 1000;
  stats.tick(1);
  clock.t += 1000;
  stats.tick(1);
  const rows = parseCsv(historyCsv(stats.snapshot()));
  assert.equal(rows.length, 1 + 4);
  assert.deepEqual(rows[1]!.slice(6, 17), Array(11).fill('1'));
  assert.deepEqual(rows[3]!.slice(4, 17), ['0', '0', ...Array(11).fill('N/A')]);
  assert.equal(rows[3]![17], '1', 'totals stay');
});

test('failures.csv and exceptions.csv quote commas, quotes and newlines', () => {
  const snapshot = sample();
  const failures = parseCsv(failuresCsv(snapshot));
  // Error texts are folded to one line when recorded (names are kept as they are); the quoting still holds.
  assert.deepEqual(failures[1], ['tools/call', 'say, "hi"\nthere', 'tool: bad, "quoted" error', '4']);
  assert.equal(failures.length, 2);
  const exceptions = parseCsv(exceptionsCsv(snapshot));
  assert.equal(exceptions.length, 2);
  assert.equal(exceptions[1]![0], '1');
  assert.equal(exceptions[1]![1], 'Error: boom, "x"');
  assert.match(exceptions[1]![2]!, /^task one\n/);
  assert.equal(exceptions[1]![3], 'local');
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "x"'), '"say ""x"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField(12.5), '12.5');
});

test('writeCsvReports creates the directory and the four files, plus the extra latency files given', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mcpload-csv-'));
  try {
    const snapshot = sample();
    const prefix = join(dir, 'nested', 'deeper', 'run');
    const paths = await writeCsvReports(prefix, snapshot);
    assert.deepEqual(paths, [`${prefix}_stats.csv`, `${prefix}_stats_history.csv`, `${prefix}_failures.csv`, `${prefix}_exceptions.csv`]);
    assert.equal(await readFile(paths[0]!, 'utf8'), statsCsv(snapshot));
    assert.equal(await readFile(paths[1]!, 'utf8'), historyCsv(snapshot));
    assert.equal(await readFile(paths[2]!, 'utf8'), failuresCsv(snapshot));
    assert.equal(await readFile(paths[3]!, 'utf8'), exceptionsCsv(snapshot));
    const withExtras = await writeCsvReports(prefix, snapshot, { firstByte: snapshot, serviceTime: snapshot });
    assert.deepEqual(withExtras.slice(4), [`${prefix}_first_byte.csv`, `${prefix}_service_time.csv`]);
    assert.equal(await readFile(withExtras[4]!, 'utf8'), statsCsv(snapshot));
    await assert.rejects(writeCsvReports('', snapshot), /prefix is empty/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

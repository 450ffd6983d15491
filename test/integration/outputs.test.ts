/**
 * `--out json=FILE` and `--out csv=FILE`: a line per entry per second, in the
 * file while the run goes, whose last totals equal the JSON report's.
 *
 * The cases run side by side, each with its own folder, files and
 * servers: most of each is a short run waiting on its clock.
 */
import { describe, it as test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseCsv } from '../helpers/csv.js';
import { LIFT_CLASSIC_LATENCY, runCli, startCli } from './cli-helpers.js';

interface Entry { type: string; name: string; requests: number; failures: number }
interface Line { type: string; name: string; requests: number; failures: number; totalRequests: number; totalFailures: number; percentilesMs: Record<string, number | null> }

const RUN = ['run', 'test/fixtures/fast-classic.ts', '--headless', '-u', '3', '-r', '10', '--print-interval', '0', ...LIFT_CLASSIC_LATENCY];

function reportEntries(json: string): Map<string, Entry> {
  const entries = (JSON.parse(readFileSync(json, 'utf8')) as { snapshot: { entries: Entry[] } }).snapshot.entries;
  return new Map(entries.map((e) => [`${e.type} ${e.name}`, e]));
}

function completeLines(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter((line) => line !== '');
}

/** Each entry's last line and the sum of its seconds. */
function byEntry(lines: readonly Line[]): { last: Map<string, Line>; summed: Map<string, number> } {
  const last = new Map<string, Line>();
  const summed = new Map<string, number>();
  for (const line of lines) {
    const key = `${line.type} ${line.name}`;
    last.set(key, line);
    summed.set(key, (summed.get(key) ?? 0) + line.requests);
  }
  return { last, summed };
}

describe('live outputs', { concurrency: 3 }, () => {
  test('--out json streams a line per entry per second while the run goes; the last totals are the report\'s', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-out-'));
    try {
      const live = path.join(dir, 'live', 'run.jsonl');
      const json = path.join(dir, 'run.json');
      const { child, done } = startCli([...RUN, '-t', '8s', '--out', `json=${live}`, '--json', json]);
      let exited = false;
      void done.then(() => (exited = true));
      // Read the file as `tail -f` would, until a line is there (the run is 8 s long).
      let seenWhileRunning: string[] = [];
      while (!exited && seenWhileRunning.length === 0) {
        await sleep(100);
        seenWhileRunning = completeLines(live);
      }
      const stillRunning = child.exitCode === null && !exited;
      const r = await done;
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(stillRunning && seenWhileRunning.length > 0, 'lines were in the file before the run ended');
      for (const line of seenWhileRunning) JSON.parse(line);

      const lines = completeLines(live).map((line) => JSON.parse(line) as Line);
      const { last, summed } = byEntry(lines);
      const entries = reportEntries(json);
      assert.ok(entries.size > 0);
      let total = 0;
      for (const [key, entry] of entries) {
        assert.equal(last.get(key)?.totalRequests, entry.requests, `${key}: last line's total`);
        assert.equal(last.get(key)?.totalFailures, entry.failures, `${key}: last line's failures`);
        assert.equal(summed.get(key), entry.requests, `${key}: the seconds add up to the total`);
        total += entry.requests;
      }
      assert.equal(last.get(' Aggregated')?.totalRequests, total);
      assert.ok(lines.some((line) => line.requests > 0 && typeof line.percentilesMs['95'] === 'number'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--out json over --processes 2: the leader streams the merged seconds; they add up to the merged report', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-out-'));
    try {
      const live = path.join(dir, 'run.jsonl');
      const json = path.join(dir, 'run.json');
      const r = await runCli([...RUN, '-t', '4s', '--processes', '2', '--out', `json=${live}`, '--json', json]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const lines = completeLines(live).map((line) => JSON.parse(line) as Line);
      const { last, summed } = byEntry(lines);
      let total = 0;
      for (const [key, entry] of reportEntries(json)) {
        assert.equal(last.get(key)?.totalRequests, entry.requests, `${key}: last line's total`);
        assert.equal(last.get(key)?.totalFailures, entry.failures, `${key}: last line's failures`);
        assert.equal(summed.get(key), entry.requests, `${key}: the seconds add up to the total`);
        total += entry.requests;
      }
      assert.equal(last.get(' Aggregated')?.totalRequests, total);
      assert.equal(summed.get(' Aggregated'), total);
      assert.ok(lines.filter((line) => line.name === 'Aggregated').length >= 3, 'a line a second');
      assert.ok(lines.some((line) => line.requests > 0 && typeof line.percentilesMs['95'] === 'number'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--out csv writes the same figures as CSV rows; --out is repeatable', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-out-'));
    try {
      const csv = path.join(dir, 'run.csv');
      const jsonl = path.join(dir, 'run.jsonl');
      const json = path.join(dir, 'run.json');
      const r = await runCli([...RUN, '-t', '3s', '--out', `csv=${csv}`, '--out', `json=${jsonl}`, '--json', json]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const [header, ...rows] = parseCsv(readFileSync(csv, 'utf8'));
      assert.ok(header);
      const col = (name: string) => {
        const at = header.indexOf(name);
        assert.ok(at >= 0, `column ${name} in ${header.join(',')}`);
        return at;
      };
      const [type, name, totalRequests, p95] = [col('Type'), col('Name'), col('Total Requests'), col('95%')];
      assert.equal(rows.length, completeLines(jsonl).length, 'a CSV row for each JSON line');
      const last = new Map<string, string[]>();
      for (const row of rows) last.set(`${row[type]} ${row[name]}`, row);
      for (const [key, entry] of reportEntries(json)) assert.equal(Number(last.get(key)?.[totalRequests]), entry.requests, key);
      assert.ok(rows.every((row) => row[p95] === 'N/A' || Number.isFinite(Number(row[p95]))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad --out: an unknown output, a directory, or no --headless is one line and exit 2 before the load', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-out-'));
    try {
      const cases: Array<[string[], RegExp]> = [
        [['--headless', '--out', 'xml=a.xml'], /unknown output 'xml' \(known: json=FILE, csv=FILE\)/],
        [['--headless', '--out', 'json='], /give the file: json=FILE/],
        [['--headless', '--out', `json=${dir}`], /--out json=.*: is a directory/],
        [['--out', `json=${path.join(dir, 'a.jsonl')}`], /--out streams from a headless run: add --headless/],
        [['--headless', '--worker', '--master-host', '127.0.0.1', '--out', `json=${path.join(dir, 'a.jsonl')}`], /--out goes on the master/],
      ];
      for (const [args, message] of cases) {
        const r = await runCli(['run', '-t', '2s', '--print-interval', '0', ...args]);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, message);
        assert.doesNotMatch(r.stdout, /mcpload .*: scenario/, 'refused before the run started');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

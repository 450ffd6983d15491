/**
 * Signals (issue 13): SIGINT and SIGTERM to the relaying parent, to the run
 * process (its relaunched child), to the parent's process group (Ctrl-C in a
 * terminal) and to every process at once (a service manager stopping the
 * whole control group, the embedded server and the workers included) stop
 * the run with complete JSON, CSV and HTML reports; SIGKILL of the parent
 * too, since the run process sees its parent go. After each, no process of
 * the run is left. (SIGKILL of the run process cannot write reports; that it
 * leaves no process behind is orphans.test.ts's job.)
 *
 * Linux only (processes are found through /proc). Every wait is bounded and
 * asserts liveness, never a duration.
 *
 * The cases run three at a time: each run is its own process group, and
 * each case follows only its own processes (by pid).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it as test } from 'node:test';
import { BIN, cleanEnv, ROOT, type CliResult } from './cli-helpers.js';
import { childrenOf, descendantsOf, killAll, survivors, until } from './process-tree.js';
import { parseCsv } from '../helpers/csv.js';

const linux = process.platform === 'linux';

type Whom = 'the parent' | 'the run process' | "the parent's group" | 'every process';

interface Started {
  parent: number;
  run: number;
  /** Every process of the run (run process, embedded server, workers), seen once the load was on. */
  tree: number[];
  done: Promise<CliResult>;
}

/** Starts `mcpload run` as its own process group (as a shell starts a job) and waits until requests are recorded. */
async function startRun(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'run', '--headless', '--print-interval', '500ms', ...args],
    { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  // The safety net: a run that hangs is killed, group and all.
  const guard = setTimeout(() => killGroups([child.pid!]), 150_000);
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
  // The live table's total line says requests were recorded (the reports will have rows).
  await until('requests recorded', () => (/^\s+Aggregated\s+[1-9]/m.test(stdout) ? true : undefined), 90_000);
  const parent = child.pid!;
  const run = await until('the run process', () => childrenOf(parent, 'run')[0]);
  return { parent, run, tree: descendantsOf(parent), done };
}

function killGroups(leaders: number[]): void {
  for (const pid of leaders) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

function signal(run: Started, whom: Whom, sig: NodeJS.Signals): void {
  if (whom === 'the parent') process.kill(run.parent, sig);
  else if (whom === 'the run process') process.kill(run.run, sig);
  else if (whom === "the parent's group") process.kill(-run.parent, sig);
  else {
    // The run process leads its own group (src/cli/relaunch.ts), with the embedded server and the workers in it.
    process.kill(-run.parent, sig);
    process.kill(-run.run, sig);
  }
}

/** The JSON, CSV and HTML reports exist, parse, and hold the same rows. */
function assertReports(prefix: string, output: string): void {
  const json = JSON.parse(readFileSync(`${prefix}.json`, 'utf8')) as {
    passed: boolean; endedAt: string; snapshot: { entries: Array<{ type: string; name: string; requests: number }> };
  };
  const entries = json.snapshot.entries;
  assert.equal(typeof json.passed, 'boolean', output);
  assert.ok(json.endedAt.length > 0);
  assert.ok(entries.length > 0 && entries.some((e) => e.requests > 0), `the JSON holds the run's rows\n${output}`);

  const stats = parseCsv(readFileSync(`${prefix}_stats.csv`, 'utf8'));
  assert.deepEqual(stats[0]?.slice(0, 3), ['Type', 'Name', 'Request Count']);
  // A row per entry, then Aggregated.
  assert.equal(stats.length, entries.length + 2, `stats CSV rows\n${stats.map((r) => r.slice(0, 3).join(',')).join('\n')}`);
  assert.equal(stats.at(-1)?.[1], 'Aggregated');
  const total = entries.reduce((n, e) => n + e.requests, 0);
  assert.equal(Number(stats.at(-1)?.[2]), total, 'the CSV counts what the JSON counts');
  assert.ok(parseCsv(readFileSync(`${prefix}_failures.csv`, 'utf8'))[0]?.includes('Occurrences'));

  const html = readFileSync(`${prefix}.html`, 'utf8');
  assert.match(html.trimEnd(), /<\/html>$/i, 'the HTML report is whole');
  assert.ok(html.includes(entries[0]!.type), 'the HTML report holds the rows');
}

function withReports(body: (prefix: string, args: string[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-signals-'));
  const prefix = path.join(dir, 'run');
  const args = ['--json', `${prefix}.json`, '--csv', prefix, '--html', `${prefix}.html`];
  return body(prefix, args).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const WHOM: Whom[] = ['the parent', 'the run process', "the parent's group"];

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  // A service manager stops with SIGTERM to every process of the service at once (systemd's control group).
  for (const whom of sig === 'SIGTERM' ? [...WHOM, 'every process' as const] : WHOM) {
    // Workers ignore the signal and wait for their run process's stop: one case with them is enough.
    const workers = whom === 'every process';
    test(`${sig} to ${whom}${workers ? ' (--processes 2)' : ''}: the run stops, the reports are complete, no process is left`,
      { skip: !linux, timeout: 180_000 }, () => withReports(async (prefix, reportArgs) => {
        const run = await startRun(['-u', '2', '-r', '10', '-t', '60s', ...(workers ? ['--processes', '2'] : []), ...reportArgs]);
        try {
          signal(run, whom, sig);
          const r = await run.done;
          const output = r.stdout + r.stderr;
          // A stop, not a death by the signal: the exit code is the run's verdict.
          assert.equal(r.signal, null, output);
          assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}\n${output}`);
          assert.match(output, /stopping users and writing reports/);
          assertReports(prefix, output);
          assert.deepEqual(await survivors([run.parent, ...run.tree]), [], `processes of the run still alive\n${output}`);
        } finally {
          killAll([run.parent, ...run.tree]);
        }
      }));
  }
}

describe('stop signals', { concurrency: 3 }, () => {
  test('SIGKILL of the parent: the run process stops the run and still writes complete reports, and nothing is left', { skip: !linux, timeout: 180_000 }, () =>
    withReports(async (prefix, reportArgs) => {
      const run = await startRun(['-u', '2', '-r', '10', '-t', '60s', ...reportArgs]);
      try {
        process.kill(run.parent, 'SIGKILL');
        // The parent's pipes are shared with the run process: they close when it is gone too.
        const r = await run.done;
        assert.deepEqual(await survivors(run.tree), [], 'processes of the run still alive');
        assertReports(prefix, r.stdout + r.stderr);
      } finally {
        killAll([run.parent, ...run.tree]);
      }
    }));
});

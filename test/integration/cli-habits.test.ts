import { describe, it as test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT, runCli, startServeProcess } from './cli-helpers.js';
import { parseCsv } from '../helpers/csv.js';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'mcpload-habits-'));
}

/** Header line of a run: what load model and duration it got. */
function header(stdout: string): string {
  return stdout.split('\n').find((l) => / users? at |user stages/.test(l)) ?? '';
}

// The cases run three at a time, each with its own folder, files and
// servers: most of each is a short run waiting on its clock.
describe('command-line habits from Locust', { concurrency: 3 }, () => {
  test('a typo keeps commander\'s "Did you mean" on one line, exit 2', async () => {
    const r = await runCli(['run', '--headless', '--user', '3']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, "error: unknown option '--user' (Did you mean --users?)\n");
  });

  test('config file: precedence command line > environment > file, and a typo names the line', async () => {
    const dir = await tempDir();
    try {
      const conf = path.join(dir, 'mcpload.conf');
      await writeFile(conf, '# a short run\nheadless = true\nusers = 3\nspawn-rate = 30\nrun-time = 1s\nprint-interval = 0\nstop-timeout = 1s\n');
      const fromFile = await runCli(['run', '--config', conf]);
      assert.ok(fromFile.code === 0 || fromFile.code === 1, fromFile.stderr);
      assert.match(header(fromFile.stdout), /3 users at 30\/s, for 1s/);

      const mixed = await runCli(['run', '--config', conf, '-u', '2'], { MCPLOAD_SPAWN_RATE: '20', MCPLOAD_USERS: '4' });
      assert.match(header(mixed.stdout), /2 users at 20\/s, for 1s/);

      await writeFile(conf, 'headless = true\nrun-time = 1s\nspawn_rat = 4\n');
      const typo = await runCli(['run', '--config', conf]);
      assert.equal(typo.code, 2);
      assert.equal(typo.stderr, `error: ${conf}:3: "spawn_rat" is not a setting of mcpload run (Did you mean spawn-rate?)\n`);
      assert.equal(typo.stdout, '', 'no load started');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('-l lists the user classes with weights and tasks, exits 0, and sends no load', async () => {
    const r = await runCli(['run', '-l']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^scenario classic: 3 user classes\n/);
    assert.match(r.stdout, /\nMCPLightLoad {2}\(weight 3, 7 tasks\)\n {2}rest status {2}weight 3 {2}\[rest\]\n/);
    assert.doesNotMatch(r.stdout, /Aggregated|req\/s/, 'no stats: nothing ran');
    // A target that counts the scenario's requests: listing sends none of them.
    let hits = 0;
    const target = createServer((req, res) => {
      if (req.url === '/hit') hits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = target.address() as AddressInfo;
      const file = await runCli(['run', 'test/fixtures/hit-counter.ts', '-l', '-H', `http://127.0.0.1:${port}`, '--headless', '-t', '2s']);
      assert.equal(file.code, 0, file.stderr);
      assert.equal(file.stdout, 'scenario hit-counter: 1 user class\nHitter  (weight 1, 1 task)\n  hit  weight 1\n');
      assert.equal(hits, 0);
    } finally {
      await new Promise<void>((resolve) => target.close(() => resolve()));
    }
  });

  test('--only-summary prints no live rows, only the summary; --loglevel and --logfile filter and copy the log', async () => {
    const dir = await tempDir();
    try {
      const log = path.join(dir, 'logs', 'run.log');
      // discover prints a note (INFO) before the load.
      const base = ['run', '--headless', '-f', 'discover', '-u', '2', '-r', '20', '-t', '2s', '--print-interval', '300ms', '--stop-timeout', '1s'];
      const info = await runCli([...base, '--only-summary', '--logfile', log]);
      assert.ok(info.code === 0 || info.code === 1, info.stderr);
      assert.doesNotMatch(info.stdout, /elapsed \d/, 'no live table');
      assert.match(info.stdout, /Aggregated/, 'the summary is there');
      assert.match(info.stderr, /^note: discover: calling /m);
      assert.match(await readFile(log, 'utf8'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO note: discover: calling /m);

      const warning = await runCli([...base, '--loglevel', 'warning', '--logfile', log]);
      assert.ok(warning.code === 0 || warning.code === 1, warning.stderr);
      assert.match(warning.stdout, /elapsed \d/, 'without --only-summary the live table is there');
      assert.doesNotMatch(warning.stderr, /note:/);
      assert.doesNotMatch(await readFile(log, 'utf8'), /note:/, 'the log file is started afresh and holds only kept lines');

      const bad = await runCli(['run', '--headless', '--loglevel', 'loud']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /"loud" is not a log level/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('--autoquit without --autostart or --headless is one line, exit 2', async () => {
    const r = await runCli(['run', '--autoquit', '5']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^error: --autoquit needs --autostart/);
  });

  test('--user-stages: the user count follows the stages and the run ends with them', async () => {
    const dir = await tempDir();
    try {
      const prefix = path.join(dir, 'staged');
      const r = await runCli(['run', '--headless', '--user-stages', '2s:6,3s:6,1s:0', '--print-interval', '0', '--stop-timeout', '1s', '--csv', prefix]);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      assert.match(header(r.stdout), /user stages 2s:6,3s:6,1s:0 \(users\), for 6s/);
      const rows = parseCsv(await readFile(`${prefix}_stats_history.csv`, 'utf8'));
      const col = rows[0]!.indexOf('User Count');
      const counts = rows.slice(1).map((row) => Number(row[col]));
      assert.equal(Math.max(...counts), 6, `peak users: ${counts.join(',')}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('mcpload.conf in the working folder is read without --config', async () => {
    const dir = await tempDir();
    try {
      const scenario = path.join(ROOT, 'test/fixtures/hit-counter.ts');
      await writeFile(path.join(dir, 'mcpload.conf'), `scenario = ${scenario}\nlist = true\n`);
      const r = await runCli(['run'], {}, { cwd: dir });
      assert.equal(r.code, 0, r.stderr);
      const listed = await runCli(['run', scenario, '-l']);
      assert.equal(r.stdout, listed.stdout, 'the file named the scenario and asked for the list');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('Locust\'s -H and --run-time, and -f, on a real run', async () => {
    const server = await startServeProcess();
    try {
      const r = await runCli(['run', '-f', 'classic', '-H', server.url, '--run-time', '1s', '--headless', '-u', '2', '-r', '20', '--print-interval', '0', '--stop-timeout', '1s']);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      assert.match(r.stdout, new RegExp(`scenario classic against ${server.url.replace(/[.]/g, '\\.')}\n2 users at 20/s, for 1s`));
    } finally {
      await server.stop();
    }
  });
});

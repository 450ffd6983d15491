import { describe, it as test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCli, startCli, startServeProcess } from './cli-helpers.js';
import { parseCsv } from '../helpers/csv.js';

const STATS_HEADER =
  'Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%';

const csvRows = parseCsv;

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'mcpload-cli-'));
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// The cases run three at a time, each with its own folder, files and
// servers: most of each is a short run waiting on its clock.
describe('the CLI', { concurrency: 3 }, () => {
  test('usage errors print one line and exit 2', async () => {
    for (const args of [
      ['run', '--headless', '-t', 'nonsense'],
      ['run', '--headless', '--bogus-flag'],
      ['run', '--headless', '--host', 'not a url'],
      ['run', '--headless', '-u', '-5'],
      ['run', '--headless', '--threshold', 'p95<3'],
      ['run', '--headless', '--user-class', 'NoSuchClass', '-t', '1s'],
      ['run', 'no-such-scenario.ts', '--headless'],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}\n${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `${args.join(' ')} printed:\n${r.stderr}`);
      assert.match(lines[0]!, /^error: /);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });

  test('--help works on every command', async () => {
    for (const args of [['--help'], ['run', '--help'], ['serve', '--help']]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /Usage: mcpload/);
    }
    const run = await runCli(['run', '--help']);
    for (const flag of ['--users', '--spawn-rate', '--time', '--headless', '--csv', '--json', '--stop-timeout', '--threshold', '--tags', '--user-class']) {
      assert.ok(run.stdout.includes(flag), flag);
    }
  });

  test('MCP_TEST_* and MCPLOAD_<FLAG> variables set options, and bad values are usage errors', async () => {
    const r = await runCli(['run', '--print-interval', '0', '--stop-timeout', '1s'], {
      MCP_TEST_USERS: '2', MCP_TEST_DURATION: '1s', MCPLOAD_HEADLESS: 'true', MCPLOAD_SPAWN_RATE: '4',
    });
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.match(r.stdout, /2 users at 4\/s, for 1s/);
    const bad = await runCli(['run', '--headless'], { MCPLOAD_USERS: 'many' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /MCPLOAD_USERS/);
  });

  test('a scenario that does not compile is reported with file:line and no stack', async () => {
    const r = await runCli(['run', 'test/fixtures/invalid/broken-syntax.ts', '--headless', '-t', '1s']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^error: test\/fixtures\/invalid\/broken-syntax\.ts:5:\d+: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test('a scenario that throws on load is reported with file:line and its message', async () => {
    const r = await runCli(['run', 'test/fixtures/throws-on-load.ts', '--headless', '-t', '1s']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^error: test\/fixtures\/throws-on-load\.ts:5:\d+: this scenario needs a setting it did not get/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test('a short classic run covers every endpoint with zero failures and writes Locust CSVs and JSON', async () => {
    const dir = await tempDir();
    try {
      const prefix = path.join(dir, 'run');
      // Latency thresholds are lifted: this test is about coverage and correctness, and a busy CI box must not fail it.
      const lifted = ['avg<60s', 'p(95)<60s', 'name=/api/v1/mcp/status:avg<60s', 'name=/api/v1/mcp/health:avg<60s'];
      const r = await runCli(['run', 'test/fixtures/fast-classic.ts', '--headless', '-u', '10', '-r', '10', '-t', '4s', '--csv', prefix,
        '--json', path.join(dir, 'run.json'), '--print-interval', '1s', '--threshold', ...lifted]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Aggregated/);
      assert.match(r.stdout, /PASSED/);
      const rows = csvRows(await readFile(`${prefix}_stats.csv`, 'utf8'));
      assert.equal(rows[0]!.join(','), STATS_HEADER);
      const byKey = new Map(rows.slice(1).map((row) => [`${row[0]} ${row[1]}`, row]));
      const expected = [
        'GET /api/v1/mcp/status', 'GET /api/v1/mcp/health', 'GET /api/v1/health', 'GET /api/v1/mcp/discovery',
        'POST /api/v1/tools/call', 'GET /api/v1/resources/info',
        // The embedded server is dual-era: the default negotiates 2026-07-28, whose stand-in for the handshake is server/discover.
        'server/discover /mcp', 'tools/list /mcp', 'tools/call add', 'resources/list /mcp', 'prompts/list /mcp',
        'SECURITY GET /admin', 'SECURITY POST /api/v1/login/access-token', 'SECURITY DELETE /api/v1/tools/call',
      ];
      for (const key of expected) {
        const row = byKey.get(key);
        assert.ok(row, `no row for ${key}; rows: ${[...byKey.keys()].join(' | ')}`);
        assert.ok(Number(row[2]) > 0, `${key} has no requests`);
        assert.equal(row[3], '0', `${key} has failures`);
      }
      assert.ok([...byKey.keys()].some((k) => k.startsWith('resources/read ')), 'no resources/read row');
      const aggregated = rows.find((row) => row[1] === 'Aggregated');
      assert.ok(aggregated && Number(aggregated[2]) > 0 && aggregated[3] === '0');
      for (const suffix of ['_stats_history.csv', '_failures.csv', '_exceptions.csv']) {
        assert.ok(existsSync(prefix + suffix), suffix);
      }
      const result = JSON.parse(await readFile(path.join(dir, 'run.json'), 'utf8'));
      assert.equal(result.passed, true);
      assert.ok(result.security.length >= 10);
      assert.ok(result.snapshot.entries.length >= expected.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('against a server with its guard disabled, the security rows fail and the exit code is 1', async () => {
    const server = await startServeProcess(['--unsafe-disable-guard']);
    const dir = await tempDir();
    try {
      const prefix = path.join(dir, 'run');
      const r = await runCli(['run', 'test/fixtures/fast-classic.ts', '--headless', '--host', server.url, '-u', '4', '-r', '4', '-t', '2s', '--csv', prefix, '--print-interval', '0']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /FAILED/);
      const rows = csvRows(await readFile(`${prefix}_stats.csv`, 'utf8'));
      const admin = rows.find((row) => row[0] === 'SECURITY' && row[1] === 'GET /admin');
      assert.ok(admin && Number(admin[3]) > 0, 'GET /admin was let through but not counted as a failure');
      const failures = await readFile(`${prefix}_failures.csv`, 'utf8');
      assert.match(failures, /SECURITY,GET \/admin,.*answered 200/);
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a target that refuses connections is reported, not crashed on', async () => {
    const port = await closedPort();
    const r = await runCli(['run', '--headless', '--host', `http://127.0.0.1:${port}`, '-u', '3', '-r', '3', '-t', '2s', '--print-interval', '0', '--stop-timeout', '1s']);
    // The preflight request finds it before any load: one line, exit 2.
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /ECONNREFUSED/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  test('errors thrown by scenario code are counted as exceptions with file:line', async () => {
    const dir = await tempDir();
    try {
      const prefix = path.join(dir, 'run');
      const r = await runCli(['run', 'test/fixtures/task-throws.ts', '--headless', '-u', '2', '-r', '2', '-t', '2s', '--csv', prefix, '--print-interval', '0']);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      const exceptions = await readFile(`${prefix}_exceptions.csv`, 'utf8');
      assert.match(exceptions, /scenario bug/);
      assert.match(exceptions, /task-throws\.ts:\d+/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('SIGINT mid-run stops the users and still writes the CSV files', async () => {
    const dir = await tempDir();
    try {
      const prefix = path.join(dir, 'run');
      const { child, done } = startCli(['run', '--headless', '-u', '5', '-r', '5', '-t', '60s', '--csv', prefix, '--print-interval', '1s']);
      const firstTable = new Promise<void>((resolve) => {
        let seen = '';
        child.stdout!.on('data', (chunk: string) => {
          seen += chunk;
          if (seen.includes('Aggregated')) resolve();
        });
      });
      // A run that ends before its first table fails here with its stderr, not as a cancelled test.
      const endedEarly = done.then((r) => {
        throw new Error(`the run ended before its first live table: exit ${r.code} ${r.signal}\n${r.stderr}`);
      });
      await Promise.race([firstTable, endedEarly]);
      endedEarly.catch(() => {});
      child.kill('SIGINT');
      const r = await done;
      assert.ok(r.code === 0 || r.code === 1, `exit ${r.code} ${r.signal}\n${r.stderr}`);
      assert.match(r.stdout, /stopped \(SIGINT\)/);
      const stats = await readFile(`${prefix}_stats.csv`, 'utf8');
      assert.equal(stats.split(/\r?\n/)[0], STATS_HEADER);
      assert.ok(existsSync(`${prefix}_failures.csv`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { applyConfigEntries, parseIniConfig, parseJsonConfig } from '../../src/cli/config-file.js';
import { adoptLegacyEnv } from '../../src/cli/env-command.js';
import { buildProgram } from '../../src/cli/program.js';
import { describeSettingSources, resolveRunSettings } from '../../src/cli/run-cli.js';
import type { RunOptions } from '../../src/app/run-options.js';

function runCommand(program: Command): Command {
  return program.commands.find((c) => c.name() === 'run')!;
}

/** Parses `mcpload run ...args` with `env` set, and returns what the run would be given (no run starts). */
async function settingsFor(args: string[], env: Record<string, string> = {}): Promise<RunOptions> {
  const program = buildProgram().exitOverride();
  const run = runCommand(program);
  let opts: RunOptions | undefined;
  run.action((positional: string | undefined, _o, command: Command) => {
    opts = resolveRunSettings(command, positional).opts;
  });
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (k.startsWith('MCPLOAD_') || k.startsWith('MCP_TEST_')) delete process.env[k];
  Object.assign(process.env, env);
  adoptLegacyEnv(process.env);
  try {
    await program.parseAsync(['node', 'mcpload', 'run', ...args]);
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
  return opts!;
}

async function withConfig(text: string, name = 'mcpload.conf'): Promise<{ file: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mcpload-conf-'));
  const file = path.join(dir, name);
  await writeFile(file, text);
  return { file, done: () => rm(dir, { recursive: true, force: true }) };
}

test('ini config: name = value lines, comments, sections, quotes and [lists]', () => {
  const entries = parseIniConfig('# a comment\n[run]\nusers = 5\n\n; another\nhost = "http://127.0.0.1:1"\ntags = [a, b]\n', 'x.conf');
  assert.deepEqual(entries, [
    { key: 'users', values: ['5'], line: 3 },
    { key: 'host', values: ['http://127.0.0.1:1'], line: 6 },
    { key: 'tags', values: ['a', 'b'], line: 7 },
  ]);
  assert.throws(() => parseIniConfig('users 5', 'x.conf'), /x\.conf:1: expected "name = value"/);
});

test('json config: the same names, lines found for errors', () => {
  const entries = parseJsonConfig('{\n  "users": 5,\n  "headless": true,\n  "tags": ["a", "b"]\n}', 'x.json');
  assert.deepEqual(entries, [
    { key: 'users', values: ['5'], line: 2 },
    { key: 'headless', values: ['true'], line: 3 },
    { key: 'tags', values: ['a', 'b'], line: 4 },
  ]);
  assert.deepEqual(parseJsonConfig('{"header": {"X-A": "1", "X-B": 2}}', 'x.json'), [{ key: 'header', values: ['X-A: 1', 'X-B: 2'], line: 1 }]);
  assert.throws(() => parseJsonConfig('[1]', 'x.json'), /expected a JSON object/);
  assert.throws(() => parseJsonConfig('{"users": [{"a": 1}]}', 'x.json'), /x\.json:1: users: expected a string/);
});

test('precedence: command line, then environment, then file, then defaults', async () => {
  const { file, done } = await withConfig('users = 3\nspawn-rate = 7\nstop_timeout = 9s\nrequest-timeout = 4s\ntags = a, b\n');
  try {
    const fileOnly = await settingsFor(['--config', file]);
    assert.equal(fileOnly.users, 3);
    assert.equal(fileOnly.spawnRate, 7);
    assert.equal(fileOnly.stopTimeoutMs, 9000);
    assert.deepEqual(fileOnly.tags, ['a', 'b']);
    assert.equal(fileOnly.printIntervalMs, 2000, 'untouched: the default');

    const envOverFile = await settingsFor(['--config', file], { MCPLOAD_USERS: '4', MCPLOAD_TAGS: 'c' });
    assert.equal(envOverFile.users, 4);
    assert.deepEqual(envOverFile.tags, ['c'], 'a list from the environment replaces the file\'s');
    assert.equal(envOverFile.spawnRate, 7);

    const legacyEnv = await settingsFor(['--config', file], { MCP_TEST_USERS: '6' });
    assert.equal(legacyEnv.users, 6, 'the legacy variable is environment too');
    const newerName = await settingsFor(['--config', file], { MCP_TEST_USERS: '6', MCPLOAD_USERS: '8' });
    assert.equal(newerName.users, 8);

    const cliOverAll = await settingsFor(['--config', file, '-u', '5', '--tags', 'd', '--request-timeout', '1s'], { MCPLOAD_USERS: '4' });
    assert.equal(cliOverAll.users, 5);
    assert.deepEqual(cliOverAll.tags, ['d'], 'a list on the command line replaces the file\'s');
    assert.equal(cliOverAll.requestTimeoutMs, 1000);
    assert.equal(cliOverAll.stopTimeoutMs, 9000);
  } finally {
    await done();
  }
});

test('a name the command does not have is an error naming the file and line, with a suggestion', async () => {
  const { file, done } = await withConfig('headless = true\n\nuser = 5\n');
  try {
    await assert.rejects(settingsFor(['--config', file]), (err: Error) => {
      assert.equal(err.message, `${file}:3: "user" is not a setting of mcpload run (Did you mean users?)`);
      return true;
    });
  } finally {
    await done();
  }
  const far = await withConfig('frobnicate = 1\n');
  try {
    await assert.rejects(settingsFor(['--config', far.file]), /:1: "frobnicate" is not a setting of mcpload run$/);
  } finally {
    await far.done();
  }
});

test('bad values in the file are errors with file, line and the parser\'s words', async () => {
  for (const [text, pattern] of [
    ['users = many', /:1: users: "many" is not a whole number >= 0/],
    ['headless = perhaps', /:1: headless: "perhaps" is not true or false/],
    ['users = 1\nusers = 2', /:2: users is set twice \(line 1 and 2\)/],
    ['host = [a, b]', /:1: host: takes one value, got 2/],
    ['config = other.conf', /:1: "config" is not a setting a config file can hold/],
  ] as const) {
    const { file, done } = await withConfig(text);
    try {
      await assert.rejects(settingsFor(['--config', file]), pattern);
    } finally {
      await done();
    }
  }
  await assert.rejects(settingsFor(['--config', '/nonexistent/mcpload.conf']), /--config \/nonexistent\/mcpload\.conf: no such file/);
});

/** A valid value for each option of `run` that takes one: a new option without a sample fails the next test. */
const SAMPLES: Record<string, string> = {
  out: 'json=live.jsonl',
  host: 'http://127.0.0.1:1', stdio: 'node server.js', transport: 'sse', 'protocol-version': '2025-06-18', 'auth-token': 't',
  header: 'X-A: 1', 'request-timeout': '3s', 'connect-timeout': '2s', users: '2', 'spawn-rate': '2', time: '5s', 'run-time': '5s', 'user-stages': '1s:2',
  'arrival-rate': '3', stages: '1s:2', 'max-users': '9', 'stop-timeout': '1s', processes: '2', scenario: 'classic', 'user-class': 'A',
  tags: 'a', 'exclude-tags': 'b', seed: '3', tools: 'x', tasks: 'optional', 'calls-per-session': '2', 'server-pid': '1', threshold: 'p(95)<300',
  'exit-code-on-error': '0', csv: 'out/x', json: 'x.json', html: 'x.html', junit: 'x.xml', sarif: 'x.sarif', 'summary-export': 's.json',
  'print-interval': '1s', loglevel: 'warning', logfile: 'x.log', 'web-host': '127.0.0.2', 'web-port': '9', 'web-login': 'a:b',
  'web-token': '12345678', autoquit: '3', 'prometheus-port': '9', 'security-weight': '2', 'ca-cert': 'ca.pem', 'client-cert': 'c.pem',
  'client-key': 'k.pem', 'oauth-grant': 'client_credentials', 'oauth-client-id': 'c', 'oauth-client-secret': 's', 'oauth-private-key': 'k.pem',
  'oauth-signing-alg': 'RS256', 'oauth-token-auth': 'client_secret_basic', 'oauth-scope': 'mcp', 'oauth-client-metadata-url': 'https://a.example/c.json',
  'oauth-redirect-uri': 'http://127.0.0.1:1/cb', 'oauth-assertion': 'a.b.c', 'oauth-id-token': 'a.b.c', 'oauth-idp-token-endpoint': 'https://idp.example/token',
  'oauth-idp-client-id': 'c', 'oauth-token-file': 'tokens.txt', 'oauth-credentials-file': 'creds.txt',
  'expect-workers': '3', 'master-bind-host': '0.0.0.0', 'master-bind-port': '5558', 'expect-workers-max-wait': '30s', 'on-worker-loss': 'continue',
  'master-host': 'master.example', 'master-port': '5558', 'master-token': 't', 'heartbeat-timeout': '5s', 'master-tls-cert': 'm.pem',
  'master-tls-key': 'm.key', 'master-tls-ca': 'ca.pem',
  replay: 'rec.jsonl', 'replay-speed': '2', 'replay-scale': '3', 'replay-vary': '0.5', 'replay-rate': '5', baseline: 'base.json', 'fail-on': 'p95>+10%',
};

test('every run option can be set in the config file by its long name', () => {
  const run = runCommand(buildProgram());
  const names = run.options.map((o) => o.long!.slice(2)).filter((n) => n !== 'help' && n !== 'config');
  const entries = names.map((key, i) => {
    const option = run.options.find((o) => o.long === `--${key}`)!;
    if (option.isBoolean()) return { key, values: ['true'], line: i + 1 };
    assert.ok(key in SAMPLES, `no sample value for --${key}: add one to SAMPLES`);
    return { key, values: [SAMPLES[key]!], line: i + 1 };
  });
  const applied = applyConfigEntries(run, entries, 'all.conf');
  assert.deepEqual(applied.sort(), [...names].sort());
  for (const name of names) {
    const option = run.options.find((o) => o.long === `--${name}`)!;
    assert.equal(run.getOptionValueSource(option.attributeName()), 'config', name);
  }
  assert.equal(run.getOptionValue('loglevel'), 'WARNING');
  assert.equal(run.getOptionValue('time'), 5000);
  assert.deepEqual(run.getOptionValue('header'), { 'x-a': '1' });
});

test('--replay-rate: a rate of sessions with --replay and -t, never with --replay-scale or --replay-vary', async () => {
  const s = await settingsFor(['--replay', 'rec.jsonl', '--replay-rate', '2.5', '-t', '10s']);
  assert.deepEqual(s.replay, { file: 'rec.jsonl', speed: 1, scale: 1, varyS: 0, rate: 2.5 });
  assert.equal((await settingsFor(['--replay', 'rec.jsonl'])).replay?.rate, undefined);
  await assert.rejects(settingsFor(['--replay-rate', '2', '-t', '10s']), /--replay-rate needs --replay FILE/);
  await assert.rejects(settingsFor(['--replay', 'rec.jsonl', '--replay-rate', '2']), /--replay-rate starts sessions until the run's time is up: give -t\/--run-time/);
  await assert.rejects(settingsFor(['--replay', 'rec.jsonl', '--replay-rate', '2', '-t', '5s', '--replay-scale', '1']), /--replay-rate and --replay-scale are two ways/);
  await assert.rejects(settingsFor(['--replay', 'rec.jsonl', '--replay-rate', '2', '-t', '5s', '--replay-vary', '1']), /--replay-vary spreads copies/);
  await assert.rejects(settingsFor(['--replay', 'rec.jsonl', '--replay-rate', '0', '-t', '5s']), /replay-rate/);
});

test('aliases: -f, -H and --run-time are the scenario, the host and the run time', async () => {
  const s = await settingsFor(['-f', 'discover', '-H', 'http://127.0.0.1:9/', '--run-time', '2m']);
  assert.equal(s.scenario, 'discover');
  assert.equal(s.host, 'http://127.0.0.1:9');
  assert.equal(s.timeMs, 120_000);
  const positional = await settingsFor(['churn', '--time', '3s']);
  assert.equal(positional.scenario, 'churn');
  assert.equal(positional.timeMs, 3000);
  await assert.rejects(settingsFor(['-t', '1s', '--run-time', '2s']), /--time 1s and --run-time 2s say two things; give one/);
  await assert.rejects(settingsFor(['churn', '-f', 'discover']), /the scenario argument churn and --scenario discover say two things/);
  // The command line beats a file's run-time.
  const { file, done } = await withConfig('run-time = 9s\nscenario = discover\n');
  try {
    const mixed = await settingsFor(['--config', file, '-t', '1s', 'churn']);
    assert.equal(mixed.timeMs, 1000);
    assert.equal(mixed.scenario, 'churn');
  } finally {
    await done();
  }
});

test('the Locust and k6 flags reach the run options', async () => {
  const s = await settingsFor([
    '--headless', '--exit-code-on-error', '3', '--reset-stats', '--only-summary', '--summary-export', 'out/s.json', '--user-stages', '1s:2,1s:0',
  ]);
  assert.equal(s.exitCodeOnError, 3);
  assert.equal(s.resetStats, true);
  assert.equal(s.onlySummary, true);
  assert.equal(s.printIntervalMs, 0, '--only-summary: no live table in any mode');
  assert.equal(s.summaryExport, 'out/s.json');
  assert.equal(s.userStages, '1s:2,1s:0');
  const web = await settingsFor(['--autostart', '--autoquit', '5']);
  assert.equal(web.autoquitS, 5);
  assert.equal(web.web?.autostart, true);
  await assert.rejects(settingsFor(['--autoquit', '5']), /--autoquit needs --autostart/);
  await assert.rejects(settingsFor(['--user-stages', '1s:2']), /--user-stages needs --headless/);
  await assert.rejects(settingsFor(['--headless', '-u', '3', '--user-stages', '1s:2']), /leave out -u\/--users/);
});

test('boolean options read true and false from the environment, between the command line and the file', async () => {
  assert.equal((await settingsFor([], { MCPLOAD_HEADLESS: 'true' })).headless, true);
  assert.equal((await settingsFor([], { MCPLOAD_HEADLESS: '' })).headless, true, 'set but empty: on, as before');
  assert.equal((await settingsFor([], { MCPLOAD_HEADLESS: 'false' })).headless, false);
  assert.equal((await settingsFor(['--headless'], { MCPLOAD_HEADLESS: '0' })).headless, true, 'the command line wins');
  const { file, done } = await withConfig('headless = true\nonly-summary = true\n');
  try {
    const s = await settingsFor(['--config', file], { MCPLOAD_HEADLESS: 'no' });
    assert.equal(s.headless, false, 'the environment wins over the file');
    assert.equal(s.onlySummary, true);
  } finally {
    await done();
  }
  await assert.rejects(settingsFor([], { MCPLOAD_HEADLESS: 'maybe' }), /MCPLOAD_HEADLESS: "maybe" is not true or false/);
});

test('--loglevel DEBUG: each setting with where it came from, secrets redacted', async () => {
  const program = buildProgram().exitOverride();
  const run = runCommand(program);
  let described = '';
  run.action((positional: string | undefined, _o, command: Command) => {
    resolveRunSettings(command, positional);
    described = describeSettingSources(command);
  });
  const { file, done } = await withConfig('spawn-rate = 7\nweb-token = secret-token-123\n');
  const saved = process.env.MCPLOAD_USERS;
  process.env.MCPLOAD_USERS = '4';
  try {
    await program.parseAsync(['node', 'mcpload', 'run', '--config', file, '--auth-token', 'sekrit', '--headless']);
  } finally {
    if (saved === undefined) delete process.env.MCPLOAD_USERS;
    else process.env.MCPLOAD_USERS = saved;
    await done();
  }
  assert.match(described, /users=4 \(environment MCPLOAD_USERS\)/);
  assert.match(described, /spawnRate=7 \(config file\)/);
  assert.match(described, /webToken=\[redacted\] \(config file\)/);
  assert.match(described, /authToken=\[redacted\] \(command line\)/);
  assert.match(described, /headless=true \(command line\)/);
  assert.doesNotMatch(described, /sekrit|secret-token/);
});

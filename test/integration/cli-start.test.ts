// What the CLI loads to start: each command loads its work when it runs, so --version, --help and
// a usage error cost a Node start and commander, not the load generator, the servers and the SDK.
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ROOT, runCli, startServeProcess, type CliResult } from './cli-helpers.js';

const PACKAGE_VERSION = (JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const COMMANDS = ['run', 'serve', 'probe', 'client', 'init', 'merge', 'compare'];

/** The CLI's result, and every module it resolved (package names, and paths under dist/). */
async function modulesOf(args: string[]): Promise<CliResult & { packages: Set<string>; dist: string[] }> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'mcpload-modules-')), 'modules.txt');
  const hooks = pathToFileURL(path.join(ROOT, 'test/fixtures/record-modules.mjs')).href;
  const r = await runCli(args, { NODE_OPTIONS: `--import ${hooks}`, RECORD_MODULES_FILE: file });
  const urls = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  const packages = new Set(urls.map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((p) => p !== undefined));
  const distRoot = pathToFileURL(path.join(ROOT, 'dist')).href + '/';
  return { ...r, packages, dist: urls.filter((u) => u.startsWith(distRoot)).map((u) => u.slice(distRoot.length)) };
}

/** The modules that do a command's work: none is loaded to print help or to refuse a command line (the outputs registry is light: it loads each output when a run asks for it). */
const WORK = /^(app\/([a-z-]+-run|[a-z-]+-command|list-scenario|test-run|target|multi-process)|cli\/run-modes\.js|server\/|web\/run-web\.js|transports\/mcp-http\.js|security\/checks\/|reporters\/(?!(?:report-file|outputs)\.js))/;

test('--version and -V print the package version from the bin script, loading no part of the program', async () => {
  for (const flag of ['--version', '-V']) {
    const r = await modulesOf([flag]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${PACKAGE_VERSION}\n`);
    assert.equal(r.stderr, '');
    assert.deepEqual(r.dist, [], `${flag} loaded ${r.dist.join(', ')}`);
    assert.deepEqual([...r.packages], []);
  }
});

test('--help of the program and of every command loads commander and the option parsers only', async () => {
  for (const args of [['--help'], ...COMMANDS.map((c) => [c, '--help'])]) {
    const r = await modulesOf(args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: mcpload/);
    assert.deepEqual([...r.packages], ['commander'], `${args.join(' ')}: packages loaded`);
    // run's help comes from the relaying parent (run-precheck.ts), the others' from main.ts: both build on the shell.
    assert.ok(r.dist.includes('cli/program-shell.js'), `${args.join(' ')}: the recording saw the program (${r.dist.join(', ')})`);
    const work = r.dist.filter((m) => WORK.test(m));
    assert.deepEqual(work, [], `${args.join(' ')} loaded the work of a command`);
  }
});

test('a usage error of run is refused by the relaying parent with commander and the option parsers only', async () => {
  const r = await modulesOf(['run', '--headless', '-t', '10s', '-u', '0']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^error: -u\/--users 0 starts no user/);
  assert.deepEqual([...r.packages], ['commander']);
  assert.ok(r.dist.includes('cli/run-precheck.js'), `the parent checked the command line (${r.dist.join(', ')})`);
  assert.deepEqual(r.dist.filter((m) => WORK.test(m)), []);
});

test('a command loads its work when it runs: merge with a missing file reads it and says so', async () => {
  const r = await modulesOf(['merge', path.join(tmpdir(), 'mcpload-no-such-result.json')]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /mcpload-no-such-result\.json/);
  assert.ok(r.dist.includes('app/merge-command.js'), r.dist.join(', '));
});

test('a headless run of the classic suite loads what it runs: no tsx, no server, nothing its options leave out', async () => {
  const server = await startServeProcess();
  try {
    const r = await modulesOf(['run', '--headless', '-t', '1s', '--host', `${server.url}/mcp`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /scenario classic against/);
    // The build's compiled classic suite, imported as is: no tsx, no resolve hooks.
    assert.ok(r.dist.includes('examples/classic-suite.js'), r.dist.join(', '));
    // The HTTP client, the HDR histograms, commander: not the SDK's server or auth client, zod, ajv, prom-client, OpenTelemetry.
    assert.deepEqual([...r.packages].sort(), ['commander', 'hdr-histogram-js', 'undici']);
    const unused = /^(server\/|transports\/oauth\/|scenarios\/discover|security\/probe-user|reporters\/(prometheus|otel)|web\/run-web)/;
    assert.deepEqual(r.dist.filter((m) => unused.test(m)), []);
  } finally {
    await server.stop();
  }
});

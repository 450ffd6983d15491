import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CLI_REFERENCE_COMMAND, CLI_REFERENCE_FILE, renderCliReference } from '../../src/cli/cli-reference.js';
import { buildProgram, oneLineError } from '../../src/cli/program.js';
import { closestNames, didYouMean } from '../../src/cli/suggest.js';
import { humanDuration } from '../../src/cli/values.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function helpOf(name: string): string {
  const command = buildProgram().commands.find((c: Command) => c.name() === name)!;
  command.configureHelp({ helpWidth: 200 });
  return command.helpInformation();
}

test('run --help is in groups: target, load, scenario, verdict, output, web UI, security', () => {
  const help = helpOf('run');
  const headings = help.split('\n').filter((l) => /^[A-Z][\w /]*:$/.test(l));
  assert.deepEqual(headings, ['Arguments:', 'Target:', 'Load:', 'Scenario:', 'Verdict:', 'Output:', 'Web UI:', 'Security and TLS:', 'Other:']);
  const section = (heading: string) => help.slice(help.indexOf(`\n${heading}\n`), help.indexOf('\n\n', help.indexOf(`\n${heading}\n`) + 1));
  assert.match(section('Target:'), /-H, --host <url>/);
  assert.match(section('Load:'), /-u, --users/);
  assert.match(section('Load:'), /--user-stages/);
  assert.match(section('Scenario:'), /-f, --scenario/);
  assert.match(section('Scenario:'), /-l, --list/);
  assert.match(section('Output:'), /--summary-export/);
  assert.match(section('Web UI:'), /--autoquit/);
  assert.match(section('Security and TLS:'), /--insecure-skip-tls-verify/);
});

test('durations default in human units, and no default is printed twice', () => {
  const help = helpOf('run');
  assert.match(help, /--request-timeout <duration> +per-request timeout \(default: 30s\)/);
  assert.match(help, /--stop-timeout <duration> .*\(default: 5s\)/);
  assert.match(help, /--print-interval <duration> .*\(default: 2s\)/);
  for (const line of help.split('\n').filter((l) => l.includes('<duration>'))) assert.doesNotMatch(line, /default: \d+\)/, line);
  const weight = help.split('\n').find((l) => l.includes('--security-weight'))!;
  assert.equal(weight.match(/default/g)?.length, 1, weight);
  assert.match(helpOf('serve'), /--session-idle <duration> .*\(default: 10m\)/);
  assert.equal(humanDuration(70_000), '1m10s');
  assert.equal(humanDuration(3_600_000), '1h');
  assert.equal(humanDuration(500), '500ms');
  assert.equal(humanDuration(1500), '1.5s');
});

test('run --help ends with examples, the settings rule and exit codes', () => {
  const help = buildProgram().commands.find((c) => c.name() === 'run')!;
  let text = '';
  help.configureOutput({ writeOut: (s) => (text += s) });
  help.outputHelp();
  assert.match(text, /\nExamples:\n {2}mcpload run --headless -u 20 -r 5 -t 30s/);
  assert.match(text, /MCPLOAD_<OPTION>/);
  assert.match(text, /\nExit codes:\n {2}0 [^\n]*\n(?: {5}[^\n]*\n)* {2}1 [^\n]*\n {2}2 /);
});

test('a typo keeps commander\'s suggestion, on one line', () => {
  assert.equal(oneLineError("error: unknown option '--user'\n(Did you mean --users?)\n"), "error: unknown option '--user' (Did you mean --users?)\n");
  assert.deepEqual(closestNames('user', ['users', 'user-class', 'host']), ['users']);
  assert.equal(didYouMean('spwan-rate', ['spawn-rate', 'stages']), ' (Did you mean spawn-rate?)');
  assert.equal(didYouMean('frobnicate', ['users', 'host']), '');
});

test(`${CLI_REFERENCE_FILE} is what the commander definitions give`, async () => {
  const current = await readFile(path.join(ROOT, CLI_REFERENCE_FILE), 'utf8');
  assert.ok(current === renderCliReference(), `${CLI_REFERENCE_FILE} is out of date with src/cli: regenerate it with \`${CLI_REFERENCE_COMMAND}\``);
});

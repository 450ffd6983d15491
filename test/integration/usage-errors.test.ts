/**
 * Usage errors are usage errors: a value that would make the run measure
 * nothing (no user, no time, no time per request) gets one line on stderr
 * and exit 2, before any load and without a stack trace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './cli-helpers.js';

const cases: Array<[string[], RegExp]> = [
  [['run', '--headless', '-u', '0', '-t', '1s'], /^error: -u\/--users 0 starts no user/],
  [['run', '--headless', '-t', '0'], /^error: option '-t, --time <duration>' argument '0' is invalid\. "0" is no time at all/],
  [['run', '--headless', '--run-time', '0s'], /^error: option '--run-time <duration>' argument '0s' is invalid/],
  [['run', '--headless', '-t', '1s', '--request-timeout', '0'], /^error: option '--request-timeout <duration>' argument '0' is invalid\. "0" is no time at all/],
  [['run', '--headless', '-t', '1s', '-r', '0'], /^error: option '-r, --spawn-rate <n>' argument '0' is invalid/],
  [['probe', '--host', 'http://127.0.0.1:9/mcp', '--request-timeout', '0'], /^error: option '--request-timeout <duration>' argument '0' is invalid/],
];

for (const [args, message] of cases) {
  test(`mcpload ${args.join(' ')}: one line, exit 2`, async () => {
    const r = await runCli(args);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, message);
    assert.equal(r.stdout, '', 'nothing ran');
  });
}

test('MCPLOAD_USERS=0 with --headless is refused the same way', async () => {
  const r = await runCli(['run', '--headless', '-t', '1s'], { MCPLOAD_USERS: '0' });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /^error: -u\/--users 0 starts no user/);
});

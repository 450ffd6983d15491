import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitCommandLine } from '../../src/transports/command-line.js';

test('splitCommandLine splits words like a POSIX shell, without expanding anything', () => {
  assert.deepEqual(splitCommandLine('npx -y mcp-server-everything'), ['npx', '-y', 'mcp-server-everything']);
  assert.deepEqual(splitCommandLine(`  node  'my server.js' --name "a \\"b\\" c" x\\ y $HOME `), ['node', 'my server.js', '--name', 'a "b" c', 'x y', '$HOME']);
  assert.deepEqual(splitCommandLine(`cmd '' ""`), ['cmd', '', '']);
  assert.deepEqual(splitCommandLine(`cmd 'it''s'`), ['cmd', 'its']);
});

test('splitCommandLine refuses an empty command and unclosed quotes', () => {
  assert.throws(() => splitCommandLine('   '), /empty/);
  assert.throws(() => splitCommandLine(`node 'server.js`), /unclosed ' quote/);
  assert.throws(() => splitCommandLine('node "x'), /unclosed " quote/);
});

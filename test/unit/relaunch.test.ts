import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wantsRelaunch } from '../../src/cli/relaunch.js';

const argv = (...rest: string[]) => ['/usr/bin/node', '/x/bin/mcpload.js', ...rest];

test('only `run` is relaunched, once, on POSIX, unless the user sized the young generation', () => {
  assert.equal(wantsRelaunch(argv('run', '--headless'), [], {}, 'linux'), true);
  assert.equal(wantsRelaunch(argv('run'), [], {}, 'darwin'), true);
  assert.equal(wantsRelaunch(argv('serve'), [], {}, 'linux'), false);
  assert.equal(wantsRelaunch(argv('probe'), [], {}, 'linux'), false);
  assert.equal(wantsRelaunch(argv(), [], {}, 'linux'), false);
  assert.equal(wantsRelaunch(argv('run'), [], { MCPLOAD_RELAUNCHED: '1' }, 'linux'), false);
  assert.equal(wantsRelaunch(argv('run'), [], {}, 'win32'), false);
  assert.equal(wantsRelaunch(argv('run'), ['--max-semi-space-size=64'], {}, 'linux'), false);
  assert.equal(wantsRelaunch(argv('run'), [], { NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=8' }, 'linux'), false);
  assert.equal(wantsRelaunch(argv('run'), ['--enable-source-maps'], { NODE_OPTIONS: '--max-old-space-size=4096' }, 'linux'), true);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { levelOfLine, Logger, parseLogLevel } from '../../src/cli/logger.js';

test('log levels take Locust\'s names in any case', () => {
  assert.equal(parseLogLevel('debug'), 'DEBUG');
  assert.equal(parseLogLevel('Warning'), 'WARNING');
  assert.equal(parseLogLevel('warn'), 'WARNING');
  assert.throws(() => parseLogLevel('loud'), /"loud" is not a log level \(DEBUG, INFO, WARNING, ERROR, CRITICAL\)/);
});

test('a line\'s level comes from its prefix', () => {
  assert.equal(levelOfLine('note: discover skipped 2 tools'), 'INFO');
  assert.equal(levelOfLine('warning: 1 of 2 workers sent no result'), 'WARNING');
  assert.equal(levelOfLine('[12:00:01] warning: the target is slow'), 'WARNING');
  assert.equal(levelOfLine('error: nope'), 'ERROR');
  assert.equal(levelOfLine('\nSIGINT: stopping users and writing reports'), 'INFO');
});

test('lines under the level are dropped; kept lines go to the file with a timestamp and level', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mcpload-log-'));
  try {
    const file = path.join(dir, 'sub', 'run.log');
    const shown: string[] = [];
    const logger = new Logger({ level: 'WARNING', file, write: (l) => shown.push(l), now: () => new Date('2026-01-02T03:04:05.000Z') });
    logger.line('note: hidden at WARNING');
    logger.line('warning: shown');
    logger.debug('hidden too');
    logger.line('error: two\nlines');
    assert.deepEqual(shown, ['warning: shown', 'error: two\nlines']);
    assert.equal(await readFile(file, 'utf8'),
      '2026-01-02T03:04:05.000Z WARNING warning: shown\n2026-01-02T03:04:05.000Z ERROR error: two\n2026-01-02T03:04:05.000Z ERROR lines\n');
    const debug = new Logger({ level: 'DEBUG', write: (l) => shown.push(l) });
    debug.debug('config file mcpload.conf: users');
    assert.equal(shown.at(-1), 'debug: config file mcpload.conf: users');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

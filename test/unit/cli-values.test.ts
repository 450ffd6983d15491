import { parseTransport } from '../../src/cli/transport-values.js';
import { TRANSPORT_CHOICES } from '../../src/transports/http-transports.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { collect, formatDuration, parseDurationMs, parseHeader, parseHttpUrl, parseNonNegativeInt, parsePort, parsePositiveNumber } from '../../src/cli/values.js';
import { resolveEndpoints } from '../../src/app/target.js';

test('durations in every accepted form', () => {
  assert.equal(parseDurationMs('30s'), 30_000);
  assert.equal(parseDurationMs('2m'), 120_000);
  assert.equal(parseDurationMs('1h30m'), 5_400_000);
  assert.equal(parseDurationMs('500ms'), 500);
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('90'), 90_000);
  assert.equal(parseDurationMs('1.5s'), 1500);
});

test('bad durations are one-line argument errors', () => {
  for (const bad of ['nonsense', '', '10x', 's', '5 s', '-3s', '1h-2m']) {
    assert.throws(() => parseDurationMs(bad), (err: unknown) => err instanceof InvalidArgumentError && !err.message.includes('\n'), bad);
  }
});

test('numbers and ports', () => {
  assert.equal(parseNonNegativeInt('20'), 20);
  assert.equal(parseNonNegativeInt('0'), 0);
  assert.throws(() => parseNonNegativeInt('-1'), InvalidArgumentError);
  assert.throws(() => parseNonNegativeInt('1.5'), InvalidArgumentError);
  assert.throws(() => parseNonNegativeInt('abc'), InvalidArgumentError);
  assert.equal(parsePositiveNumber('0.5'), 0.5);
  assert.throws(() => parsePositiveNumber('0'), InvalidArgumentError);
  assert.throws(() => parsePositiveNumber('x'), InvalidArgumentError);
  assert.equal(parsePort('8000'), 8000);
  assert.throws(() => parsePort('70000'), InvalidArgumentError);
});

test('URLs: http(s) only, no credentials, trailing slash dropped', () => {
  assert.equal(parseHttpUrl('http://127.0.0.1:8000/'), 'http://127.0.0.1:8000');
  assert.equal(parseHttpUrl('https://example.test/mcp'), 'https://example.test/mcp');
  assert.throws(() => parseHttpUrl('not a url'), InvalidArgumentError);
  assert.throws(() => parseHttpUrl('ftp://127.0.0.1'), InvalidArgumentError);
  assert.throws(() => parseHttpUrl('http://user:secret@127.0.0.1'), (err: Error) => !err.message.includes('secret'));
});

test('headers and lists', () => {
  assert.deepEqual(parseHeader('X-Team: load', { a: 'b' }), { a: 'b', 'x-team': 'load' });
  assert.throws(() => parseHeader('no colon'), InvalidArgumentError);
  assert.deepEqual(collect('a,b', ['x']), ['x', 'a', 'b']);
});

test('endpoints: a base URL gets /mcp, an MCP URL is kept', () => {
  assert.deepEqual(resolveEndpoints('http://127.0.0.1:8000'), { mcpUrl: 'http://127.0.0.1:8000/mcp', restBaseUrl: 'http://127.0.0.1:8000' });
  assert.deepEqual(resolveEndpoints('http://127.0.0.1:8000/v2/mcp'), { mcpUrl: 'http://127.0.0.1:8000/v2/mcp', restBaseUrl: 'http://127.0.0.1:8000' });
});

test('durations format for humans', () => {
  assert.equal(formatDuration(15_000), '15s');
  assert.equal(formatDuration(125_000), '2m05s');
  assert.equal(formatDuration(3_660_000), '1h01m');
});

test('--transport takes each declared transport and names them all when refused', () => {
  for (const choice of TRANSPORT_CHOICES) assert.equal(parseTransport(choice), choice);
  assert.throws(() => parseTransport('websocket'), /^InvalidArgumentError: "websocket" is not a transport \(auto, streamable-http or sse\)$/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MirroredHeaders, mirroredParams, statelessMeta, nextRoundParams, routingHeaders, withMeta,
} from '../../src/transports/rev-2026-07-28-http.js';
import { decodeHeaderValue, encodeHeaderValue } from '../../src/protocol/rev-2026-07-28.js';

test('header values: plain when header-safe, else the Base64 sentinel (the spec\'s examples)', () => {
  const cases: Array<[string, string]> = [
    ['us-west1', 'us-west1'],
    ['Hello, 世界', '=?base64?SGVsbG8sIOS4lueVjA==?='],
    [' padded ', '=?base64?IHBhZGRlZCA=?='],
    ['line1\nline2', '=?base64?bGluZTEKbGluZTI=?='],
    ['=?base64?literal?=', '=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?='],
  ];
  for (const [value, encoded] of cases) {
    assert.equal(encodeHeaderValue(value), encoded, value);
    assert.equal(decodeHeaderValue(encoded), value, encoded);
  }
});

test('_meta is merged into params, keeping the caller\'s own keys', () => {
  const meta = statelessMeta('2026-07-28', { name: 'c', version: '1' }, {});
  assert.deepEqual(withMeta(undefined, meta), { _meta: meta });
  assert.deepEqual(withMeta({ name: 'add', _meta: { progressToken: 'p1' } }, meta), {
    name: 'add', _meta: { ...meta, progressToken: 'p1' },
  });
});

test('routing headers: Mcp-Method always, Mcp-Name for calls, reads and prompts, encoded when needed', () => {
  const base = { 'mcp-protocol-version': '2026-07-28' };
  assert.deepEqual(routingHeaders(base, 'tools/list', undefined, undefined), { ...base, 'mcp-method': 'tools/list' });
  assert.deepEqual(routingHeaders(base, 'tools/call', { name: 'add', arguments: {} }, undefined)['mcp-name'], 'add');
  assert.equal(routingHeaders(base, 'resources/read', { uri: 'file:///café' }, undefined)['mcp-name'], `=?base64?${Buffer.from('file:///café').toString('base64')}?=`);
  assert.equal(routingHeaders(base, 'prompts/get', { name: 'greet' }, undefined)['mcp-name'], 'greet');
});

test('x-mcp-header: mirrored from the arguments, absent or null values left out, bad annotations drop the tool', () => {
  const good = {
    type: 'object',
    properties: {
      region: { type: 'string', 'x-mcp-header': 'Region' },
      opts: { type: 'object', properties: { tenant: { type: 'integer', 'x-mcp-header': 'Tenant' } } },
      query: { type: 'string' },
    },
  };
  assert.deepEqual(mirroredParams(good), [
    { path: ['region'], header: 'mcp-param-region' }, { path: ['opts', 'tenant'], header: 'mcp-param-tenant' },
  ]);
  assert.match(String(mirroredParams({ type: 'object', properties: { n: { type: 'number', 'x-mcp-header': 'N' } } })), /number parameter/);
  assert.match(String(mirroredParams({ type: 'object', properties: { a: { type: 'array', items: { type: 'string', 'x-mcp-header': 'A' } } } })), /outside a properties chain/);
  assert.match(String(mirroredParams({ type: 'object', properties: { a: { type: 'string', 'x-mcp-header': 'X' }, b: { type: 'string', 'x-mcp-header': 'x' } } })), /used twice/);
  assert.match(String(mirroredParams({ type: 'object', properties: { a: { type: 'string', 'x-mcp-header': 'bad name' } } })), /not a header token/);

  const mirrored = new MirroredHeaders();
  const result = { tools: [{ name: 'sql', inputSchema: good }, { name: 'bad', inputSchema: { type: 'object', properties: { n: { type: 'number', 'x-mcp-header': 'N' } } } }] };
  assert.deepEqual(mirrored.learn(result), ['bad (x-mcp-header N is on a number parameter)']);
  assert.deepEqual(result.tools.map((t) => t.name), ['sql']);
  const headers = routingHeaders({}, 'tools/call', { name: 'sql', arguments: { region: 'Zürich', opts: { tenant: 42 }, query: 'x' } }, mirrored);
  assert.equal(headers['mcp-param-region'], encodeHeaderValue('Zürich'));
  assert.equal(headers['mcp-param-tenant'], '42');
  const without = routingHeaders({}, 'tools/call', { name: 'sql', arguments: { region: null, query: 'x' } }, mirrored);
  assert.equal(without['mcp-param-region'], undefined);
  assert.equal(without['mcp-param-tenant'], undefined);
});

test('the next MRTR round answers every input request as configured, and says which one it cannot', () => {
  const result = {
    resultType: 'input_required',
    requestState: 'opaque',
    inputRequests: {
      'elicitation/create#0': { method: 'elicitation/create', params: { message: 'name?', requestedSchema: {} } },
      'sampling/createMessage#1': { method: 'sampling/createMessage', params: { messages: [] } },
    },
  };
  const replies = {
    elicitation: () => ({ action: 'accept', content: { name: 'x' } }),
    sampling: () => ({ role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'm' }),
  };
  assert.deepEqual(nextRoundParams({ name: 'tool', arguments: {} }, result, replies), {
    name: 'tool', arguments: {}, requestState: 'opaque',
    inputResponses: {
      'elicitation/create#0': { action: 'accept', content: { name: 'x' } },
      'sampling/createMessage#1': { role: 'assistant', content: { type: 'text', text: 'hi' }, model: 'm' },
    },
  });
  assert.equal(nextRoundParams({ name: 'tool' }, result, { elicitation: replies.elicitation }), 'no answer configured for sampling/createMessage (input_required)');
});

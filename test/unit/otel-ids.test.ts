import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTraceparent, PresetIdGenerator } from '../../src/reporters/otel-ids.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

test('newTraceparent: a W3C traceparent, version 00, sampled, new ids each time', () => {
  const ids = new PresetIdGenerator();
  const a = ids.newTraceparent();
  const b = ids.newTraceparent();
  assert.match(a, TRACEPARENT);
  assert.match(b, TRACEPARENT);
  assert.notEqual(a, b);
});

test('preset: the next span gets the traceparent\'s ids, once; then random ones again', () => {
  const ids = new PresetIdGenerator();
  const header = formatTraceparent('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331');
  ids.preset(header);
  // The SDK's tracer asks for the span id first, then (for a root span) the trace id.
  assert.equal(ids.generateSpanId(), 'b7ad6b7169203331');
  assert.equal(ids.generateTraceId(), '0af7651916cd43dd8448eb211c80319c');
  assert.notEqual(ids.generateSpanId(), 'b7ad6b7169203331');
  assert.notEqual(ids.generateTraceId(), '0af7651916cd43dd8448eb211c80319c');
  assert.match(ids.generateTraceId(), /^[0-9a-f]{32}$/);
});

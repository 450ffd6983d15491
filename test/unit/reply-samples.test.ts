import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Recorder } from '../../src/metrics/sample.js';
import { fixedError } from '../../src/transports/errors.js';
import { ReplySamples } from '../../src/transports/reply-samples.js';

function collector(): Recorder & { rows: unknown[][] } {
  const rows: unknown[][] = [];
  return { rows, record: (...args: unknown[]) => void rows.push(args), exception: () => undefined };
}

describe('ReplySamples', () => {
  it('records the sample from the latency origin, the service time from the send and the first byte', () => {
    const main = collector();
    const service = collector();
    const firstByte = collector();
    const error = fixedError('http', 'HTTP 503');
    new ReplySamples(main, { intendedStartUs: 0, service }, firstByte).record('tools/call', 'add', 100, 400, 1000, 700, 12, error);
    assert.deepEqual(main.rows, [['tools/call', 'add', 900, 12, error]]);
    assert.deepEqual(service.rows, [['tools/call', 'add', 600, 12, error]]);
    assert.deepEqual(firstByte.rows, [['tools/call', 'add', 300, 0]]);
  });

  it('records no first byte when no reply head came, and needs neither optional recorder', () => {
    const main = collector();
    const firstByte = collector();
    new ReplySamples(main, undefined, firstByte).record('ping', '/mcp', 0, 0, 50, 0, 0);
    new ReplySamples(main, undefined, undefined).record('ping', '/mcp', 0, 0, 60, 10, 0);
    assert.deepEqual(main.rows, [['ping', '/mcp', 50, 0, undefined], ['ping', '/mcp', 60, 0, undefined]]);
    assert.equal(firstByte.rows.length, 0);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  admitWorker, decodeFrame, encodeFrame, looksLikeUpdate, newNonce, proofHolds, proofOf, WIRE_VERSION, type AdmissionRules, type Hello,
} from '../../src/app/worker-wire.js';

const NONCE = 'c0ffee';
const RULES: AdmissionRules = { version: '1.2.3', scenarioHash: 'abc', token: 'secret', nonce: NONCE, count: 3, taken: new Set() };

function hello(extra: Partial<Hello> = {}): Hello {
  return {
    type: 'hello', protocol: WIRE_VERSION, version: '1.2.3', scenarioHash: 'abc', proof: proofOf('secret', NONCE), nonce: newNonce(),
    host: 'h', clockMs: 0, ...extra,
  };
}

describe('the worker handshake', () => {
  it('admits a worker with the token, the version and the scenario; the index from JOB_COMPLETION_INDEX or the first free one', () => {
    assert.deepEqual(admitWorker(hello({ index: 2 }), RULES), { index: 2 });
    assert.deepEqual(admitWorker(hello(), { ...RULES, taken: new Set([0]) }), { index: 1 });
    assert.deepEqual(admitWorker(hello({ proof: undefined }), { ...RULES, token: undefined }), { index: 0 });
  });

  it('refuses with one line: wrong or missing token, another version, another scenario, a bad or taken index, a full master', () => {
    const refused = (h: Partial<Hello>, rules: AdmissionRules = RULES) => {
      const verdict = admitWorker(h, rules);
      assert.ok('refused' in verdict, JSON.stringify(verdict));
      assert.doesNotMatch(verdict.refused, /\n/);
      return verdict.refused;
    };
    assert.equal(refused(hello({ proof: proofOf('guess', NONCE) })), 'wrong master token');
    assert.equal(refused(hello({ proof: proofOf('secret', 'another nonce') })), 'wrong master token', 'a proof for another challenge is replayed');
    assert.match(refused(hello({ proof: undefined })), /wants a token and the worker has none/);
    assert.match(refused(hello(), { ...RULES, token: undefined }), /the worker has a master token and the master has none/);
    assert.match(refused(hello({ version: '1.2.4' })), /the worker runs mcpload 1\.2\.4, the master 1\.2\.3/);
    assert.match(refused(hello({ scenarioHash: 'xyz' })), /another scenario/);
    assert.match(refused(hello({ protocol: WIRE_VERSION + 1 })), new RegExp(`worker protocol ${WIRE_VERSION + 1}, the master ${WIRE_VERSION}`));
    assert.match(refused(hello({ index: 3 })), /index 3 is outside 0\.\.2/);
    assert.match(refused(hello({ index: 1 }), { ...RULES, taken: new Set([1]) }), /index 1 is taken/);
    assert.match(refused(hello(), { ...RULES, taken: new Set([0, 1, 2]) }), /has all its 3 workers/);
    // The token is checked first: a worker without it learns nothing about the master's version.
    assert.equal(refused(hello({ proof: 'x', version: '0.0.1' })), 'wrong master token');
  });

  it('proofs compare in constant time and never hold for anything but the HMAC of the nonce', () => {
    const proof = proofOf('secret', NONCE);
    assert.equal(proofHolds('secret', NONCE, proof), true);
    assert.equal(proofHolds('secret', NONCE, proof.slice(1)), false);
    assert.equal(proofHolds('secret', NONCE, undefined), false);
    assert.equal(proofHolds('secret', NONCE, 42), false);
    assert.ok(!proof.includes('secret'));
  });

  it('frames carry the protocol version; another version or a bad frame is named, not guessed at', () => {
    const text = encodeFrame({ type: 'stop', reason: 'time limit' });
    assert.deepEqual(JSON.parse(text), { v: WIRE_VERSION, type: 'stop', reason: 'time limit' });
    assert.deepEqual(decodeFrame(text), { message: { type: 'stop', reason: 'time limit' } });
    assert.deepEqual(decodeFrame(JSON.stringify({ v: 99, type: 'stop' })), { problem: `worker protocol 99 (this side speaks ${WIRE_VERSION})` });
    assert.deepEqual(decodeFrame('{'), { problem: 'a frame that is not JSON' });
    assert.deepEqual(decodeFrame('[1]'), { problem: 'a frame without a type' });
  });
});

describe('update frames the master may read later', () => {
  it('knows an update frame by its first bytes, and nothing else for one', () => {
    const update = { generation: 0, startedAt: 1, takenAt: 2, entries: [], errors: [], exceptions: [], history: [] };
    const frame = encodeFrame({ type: 'update', update, users: 3, state: 'running' });
    assert.equal(looksLikeUpdate(Buffer.from(frame)), true);
    assert.deepEqual(decodeFrame(frame), { message: { type: 'update', update, users: 3, state: 'running' } });
    for (const other of [encodeFrame({ type: 'ready' }), encodeFrame({ type: 'finished', reason: 'update' }), encodeFrame(hello()),
      JSON.stringify({ type: 'update', v: WIRE_VERSION }), JSON.stringify({ v: WIRE_VERSION + 1, type: 'update', update }), `{"v":${WIRE_VERSION},"type":"update",`]) {
      assert.equal(looksLikeUpdate(Buffer.from(other)), false, other);
    }
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  badProtocolVersion, batchRejected, deepJson, invalidParams, invalidRequest, largeBody, parseError, stillAlive, unknownMethod, wrongAccept, wrongContentType,
} from '../../src/security/checks/protocol.js';
import { assertOutcome, runAgainst, TOKEN_A } from '../helpers/fake-probe.js';

describe('protocol checks', () => {
  it('want the JSON-RPC error code for each malformed request; a result instead is a conformance finding', async () => {
    for (const [check, code] of [[parseError, -32700], [invalidRequest, -32600], [unknownMethod, -32601], [invalidParams, -32602]] as const) {
      assertOutcome(check, await runAgainst(check), 'pass', new RegExp(`with JSON-RPC error ${code}`));
      assertOutcome(check, await runAgainst(check, { flaws: ['lax-json-rpc'] }), 'fail', new RegExp(`answered 200, expected JSON-RPC error ${code}`), 'conformance');
    }
  });

  it('want the HTTP status for each bent header; serving it anyway is a conformance finding', async () => {
    for (const [check, status] of [[badProtocolVersion, 400], [wrongAccept, 406], [wrongContentType, 415]] as const) {
      assertOutcome(check, await runAgainst(check), 'pass', new RegExp(`answered ${status}`));
      assertOutcome(check, await runAgainst(check, { flaws: ['lax-headers'] }), 'fail', new RegExp(`answered 200, expected ${status}`), 'conformance');
    }
  });

  it('protocol.batch-rejected: passes when a batch is refused; a batch served is an info-level conformance finding', async () => {
    assertOutcome(batchRejected, await runAgainst(batchRejected), 'pass', /batch refused: 400 with JSON-RPC error -32600/);
    const served = await runAgainst(batchRejected, { flaws: ['batch'] });
    assertOutcome(batchRejected, served, 'fail', /a batch was served .* on protocol 2025-11-25/, 'conformance');
    assert.equal(served.severity, 'info');
  });

  it('protocol.large-body: passes on 413, fails when 10 MB is taken', async () => {
    assertOutcome(largeBody, await runAgainst(largeBody), 'pass', /10 MB body: refused with 413/);
    assertOutcome(largeBody, await runAgainst(largeBody, { flaws: ['no-body-limit'] }), 'fail', /10 MB body: accepted \(200\)/, 'security');
  });

  it('protocol.deep-json: passes when the parser copes and answers, fails when the server goes down', async () => {
    assertOutcome(deepJson, await runAgainst(deepJson), 'pass', /answered correctly \(200\) and still answers/);
    assertOutcome(deepJson, await runAgainst(deepJson, { flaws: ['crashes-on-deep-json'] }), 'fail', /the server stopped answering afterwards/, 'security');
  });

  it('protocol.still-alive: passes on ping and a healthy health route, fails when health is down', async () => {
    assertOutcome(stillAlive, await runAgainst(stillAlive, { token: TOKEN_A }), 'pass', /ping answered and \/api\/v1\/health is 200/);
    assertOutcome(stillAlive, await runAgainst(stillAlive, { flaws: ['health-down'] }), 'fail', /\/api\/v1\/health answered 503/, 'security');
  });
});

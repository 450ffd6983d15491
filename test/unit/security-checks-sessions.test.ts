import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  forgedSessionId, missingSessionId, reusedSessionId, SESSION_CHECKS, SESSION_SAMPLE_SIZE, sessionIdEntropy, sessionIdUnpredictable, sessionTokenBinding,
} from '../../src/security/checks/sessions.js';
import { assertOutcome, probeAgainst, runAgainst, TOKEN_A, TOKEN_B } from '../helpers/fake-probe.js';

describe('session checks', () => {
  it('session.missing-id: passes on 400; a request served outside the session is a conformance finding', async () => {
    assertOutcome(missingSessionId, await runAgainst(missingSessionId), 'pass', /400 without the session id/);
    assertOutcome(missingSessionId, await runAgainst(missingSessionId, { flaws: ['no-session-check'] }), 'fail', /was served outside the session, expected 400/, 'conformance');
  });

  it('session.forged-id: passes on 404, fails when an id never issued is served', async () => {
    assertOutcome(forgedSessionId, await runAgainst(forgedSessionId), 'pass', /random session id got 404/);
    assertOutcome(forgedSessionId, await runAgainst(forgedSessionId, { flaws: ['no-session-check'] }), 'fail', /never issued was served \(200\)/, 'security');
  });

  it('session.reuse-after-delete: passes when the ended id gets 404, fails when it is still served', async () => {
    assertOutcome(reusedSessionId, await runAgainst(reusedSessionId), 'pass', /ended session id got 404/);
    assertOutcome(reusedSessionId, await runAgainst(reusedSessionId, { flaws: ['keeps-ended-sessions'] }), 'fail', /ended session id was still served \(200\)/, 'security');
  });

  it('session.token-binding: passes when token B is refused on token A\'s session, fails when it is served', async () => {
    const tokens = { token: TOKEN_A, tokenB: TOKEN_B };
    assertOutcome(sessionTokenBinding, await runAgainst(sessionTokenBinding, tokens), 'pass', /token B on token A's session got 403/);
    assertOutcome(sessionTokenBinding, await runAgainst(sessionTokenBinding, { ...tokens, flaws: ['unbound-sessions'] }), 'fail', /token B was served on token A's session \(200\)/, 'security');
    assertOutcome(sessionTokenBinding, await runAgainst(sessionTokenBinding, { token: TOKEN_A }), 'skipped', /needs two valid tokens/);
  });

  it('session.id-unpredictable and session.id-entropy: pass on UUIDs, fail on a counter, from one shared sample', async () => {
    const good = probeAgainst();
    assertOutcome(sessionIdUnpredictable, await sessionIdUnpredictable.run(good), 'pass', new RegExp(`${SESSION_SAMPLE_SIZE} ids: visible ASCII`));
    const initializes = () => good.server.requests.filter((r) => String(r.body).includes('"initialize"')).length;
    const sampled = initializes();
    assert.equal(sampled, SESSION_SAMPLE_SIZE + 1, 'the sample, and the token-less initialize that asks whether a token is required');
    assertOutcome(sessionIdEntropy, await sessionIdEntropy.run(good), 'pass', /about \d+ random bits per id/);
    assert.equal(initializes(), sampled, 'the second check reads the first one\'s sample');
    assert.equal(good.server.sessions.size, 0, 'every sampled session was closed');

    const bad = probeAgainst({ flaws: ['counter-ids'] });
    assertOutcome(sessionIdUnpredictable, await sessionIdUnpredictable.run(bad), 'fail', /counter/, 'security');
    assertOutcome(sessionIdEntropy, await sessionIdEntropy.run(bad), 'fail', /fewer than 64/, 'security');
  });

  it('are skipped against a stateless server, and without the token a server requires', async () => {
    for (const check of SESSION_CHECKS) {
      assertOutcome(check, await runAgainst(check, { stateless: true, token: TOKEN_A, tokenB: TOKEN_B }), 'skipped', /stateless/);
      assertOutcome(check, await runAgainst(check, { token: TOKEN_A }, { authToken: undefined }), 'skipped', /requires a token|needs two valid tokens/);
    }
  });
});

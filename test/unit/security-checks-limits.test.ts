import { describe, it } from 'node:test';
import { idleExpiry, sessionCap } from '../../src/security/checks/limits.js';
import { assertOutcome, runAgainst } from '../helpers/fake-probe.js';

describe('limit checks', () => {
  it('limits.session-cap: passes on 503 at the cap, fails when the probe reaches its own limit', async () => {
    assertOutcome(sessionCap, await runAgainst(sessionCap, { sessionCap: 12 }, { maxProbeSessions: 40 }), 'pass', /refused session 13 with 503/);
    assertOutcome(sessionCap, await runAgainst(sessionCap, { sessionCap: 12, flaws: ['no-session-cap'] }, { maxProbeSessions: 40 }), 'fail', /accepted 40 sessions without refusing one/, 'security');
    assertOutcome(sessionCap, await runAgainst(sessionCap, { stateless: true }, { maxProbeSessions: 40 }), 'skipped', /stateless/);
  });

  it('limits.idle-expiry: passes when an idle session is gone, fails when it is still served', async () => {
    // The fake expires a session idle for 1 ms; the check waits 30 ms, so no clock race decides the outcome.
    assertOutcome(idleExpiry, await runAgainst(idleExpiry, { idleExpiryMs: 1 }, { idleWaitMs: 30 }), 'pass', /had expired/);
    assertOutcome(idleExpiry, await runAgainst(idleExpiry, { idleExpiryMs: 1, flaws: ['no-idle-expiry'] }, { idleWaitMs: 30 }), 'fail', /still served .* idle \(200\)/, 'security');
  });
});

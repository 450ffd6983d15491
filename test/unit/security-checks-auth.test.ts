import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authBeforeTools, authMetadata, authNoToken, authQueryToken, authWrongToken, AUTH_CHECKS } from '../../src/security/checks/auth.js';
import { assertOutcome, probeAgainst, runAgainst, TOKEN_A, TOKEN_B, type FakeServerOptions } from '../helpers/fake-probe.js';

const GUARDED: FakeServerOptions = { token: TOKEN_A, tokenB: TOKEN_B };

describe('auth checks', () => {
  it('are skipped against a server that asks for no token, when none was given', async () => {
    for (const check of AUTH_CHECKS) assertOutcome(check, await runAgainst(check), 'skipped', /serves requests without a token/);
  });

  it('auth.no-token: passes on 401 with a Bearer challenge naming resource_metadata', async () => {
    assertOutcome(authNoToken, await runAgainst(authNoToken, GUARDED), 'pass', /Bearer challenge naming resource_metadata/);
  });

  it('auth.no-token: fails when initialize without a token is served', async () => {
    assertOutcome(authNoToken, await runAgainst(authNoToken, { ...GUARDED, flaws: ['serves-without-token'] }), 'fail', /without a token was served \(200\)/, 'security');
  });

  it('auth.no-token: a 401 without a Bearer challenge is a conformance finding', async () => {
    assertOutcome(authNoToken, await runAgainst(authNoToken, { ...GUARDED, flaws: ['no-challenge'] }), 'fail', /401 without a Bearer WWW-Authenticate/, 'conformance');
  });

  it('auth.protected-resource-metadata: passes when the well-known document is served, deviates when none is', async () => {
    assertOutcome(authMetadata, await runAgainst(authMetadata, GUARDED), 'pass', /oauth-protected-resource\/mcp/);
    assertOutcome(authMetadata, await runAgainst(authMetadata, { ...GUARDED, flaws: ['no-challenge'] }), 'fail', /no protected-resource metadata/, 'conformance');
  });

  it('auth.wrong-token: passes on 401, fails when a made-up token is served', async () => {
    assertOutcome(authWrongToken, await runAgainst(authWrongToken, GUARDED), 'pass', /made-up token got 401/);
    assertOutcome(authWrongToken, await runAgainst(authWrongToken, { ...GUARDED, flaws: ['accepts-any-token'] }), 'fail', /made-up token answered 200/, 'security');
  });

  it('auth.token-in-query: passes when the URL token is refused, fails when it is taken', async () => {
    assertOutcome(authQueryToken, await runAgainst(authQueryToken, GUARDED), 'pass', /token in the URL got 401/);
    assertOutcome(authQueryToken, await runAgainst(authQueryToken, { ...GUARDED, flaws: ['query-token'] }), 'fail', /query string was accepted \(200\)/, 'security');
  });

  it('auth.token-in-query: needs a valid token to tell a refusal from a plain 401', async () => {
    const ctx = probeAgainst(GUARDED, { authToken: undefined });
    assertOutcome(authQueryToken, await authQueryToken.run(ctx), 'skipped', /needs a valid token/);
  });

  it('auth.before-tools: passes when /mcp and the REST face both refuse, fails when REST serves a call without a token', async () => {
    assertOutcome(authBeforeTools, await runAgainst(authBeforeTools, GUARDED), 'pass', /refused: \/mcp 401, REST 401/);
    assertOutcome(authBeforeTools, await runAgainst(authBeforeTools, { ...GUARDED, flaws: ['rest-open'] }), 'fail', /POST \/api\/v1\/tools\/call without a token answered 200/, 'security');
  });

  it('keeps every token out of the outcome, evidence included', async () => {
    for (const check of AUTH_CHECKS) {
      const outcome = await runAgainst(check, { ...GUARDED, flaws: ['query-token', 'accepts-any-token'] });
      const text = JSON.stringify(outcome);
      assert.ok(!text.includes(TOKEN_A) && !text.includes(TOKEN_B), `${check.id}: ${text}`);
    }
  });
});

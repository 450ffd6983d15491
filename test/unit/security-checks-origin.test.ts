import { describe, it } from 'node:test';
import { foreignOrigin, rebindingHost } from '../../src/security/checks/origin.js';
import { assertOutcome, NETWORK_URL, runAgainst, TOKEN_A } from '../helpers/fake-probe.js';

describe('origin checks', () => {
  it('origin.foreign: passes on 403, fails when a foreign Origin is served', async () => {
    assertOutcome(foreignOrigin, await runAgainst(foreignOrigin), 'pass', /evil\.example got 403/);
    assertOutcome(foreignOrigin, await runAgainst(foreignOrigin, { flaws: ['accepts-foreign-origin'] }), 'fail', /answered 200, expected 403/, 'security');
  });

  it('origin.foreign: is skipped when the server wants a token the probe lacks', async () => {
    assertOutcome(foreignOrigin, await runAgainst(foreignOrigin, { token: TOKEN_A }, { authToken: undefined }), 'skipped', /requires a token/);
  });

  it('origin.rebinding-host: passes when a local server refuses a foreign Host, fails when it serves it', async () => {
    assertOutcome(rebindingHost, await runAgainst(rebindingHost), 'pass', /rebind\.evil\.example got 421/);
    assertOutcome(rebindingHost, await runAgainst(rebindingHost, { flaws: ['accepts-foreign-host'] }), 'fail', /a rebound DNS name reaches this local server/, 'security');
  });

  it('origin.rebinding-host: does not apply to a target on the network or over HTTPS', async () => {
    assertOutcome(rebindingHost, await runAgainst(rebindingHost, {}, { mcpUrl: NETWORK_URL }), 'skipped', /not a loopback address/);
    assertOutcome(rebindingHost, await runAgainst(rebindingHost, {}, { mcpUrl: 'https://127.0.0.1:8443/mcp' }), 'skipped', /HTTPS target/);
  });
});

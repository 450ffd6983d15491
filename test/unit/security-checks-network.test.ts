import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeOpenAccess, openOnNetwork } from '../../src/security/checks/network.js';
import { assertOutcome, LOCAL_URL, NETWORK_URL, probeAgainst, runAgainst, TOKEN_A } from '../helpers/fake-probe.js';

describe('auth.open-on-network', () => {
  it('does not apply to a loopback target, and sends nothing', async () => {
    const ctx = probeAgainst({}, { mcpUrl: LOCAL_URL });
    assertOutcome(openOnNetwork, await openOnNetwork.run(ctx), 'skipped', /127\.0\.0\.1 is a loopback address/);
    assert.equal(ctx.server.requests.length, 0);
  });

  it('passes when a server on the network asks for credentials', async () => {
    assertOutcome(openOnNetwork, await runAgainst(openOnNetwork, { token: TOKEN_A }, { mcpUrl: NETWORK_URL }), 'pass', /reachable from the network and asks for credentials \(401\)/);
  });

  it('fails when a server on the network serves initialize with no credential, and closes the session it got', async () => {
    const ctx = probeAgainst({}, { mcpUrl: NETWORK_URL });
    assertOutcome(openOnNetwork, await openOnNetwork.run(ctx), 'fail', /served initialize without any credential \(200\)/, 'security');
    assert.equal(ctx.server.sessions.size, 0, 'the session opened by the probe was deleted');
  });

  it('sends no credential even when the probe has one', async () => {
    const ctx = probeAgainst({ token: TOKEN_A }, { mcpUrl: NETWORK_URL, headers: { 'x-api-key': 'key-1234' } });
    await openOnNetwork.run(ctx);
    const sent = ctx.server.requests[0]?.headers ?? {};
    assert.deepEqual(Object.keys(sent).sort(), ['accept', 'content-type']);
  });

  it('is skipped when the connection carries a client certificate', async () => {
    assertOutcome(openOnNetwork, await runAgainst(openOnNetwork, {}, { mcpUrl: NETWORK_URL, clientCertificate: true }), 'skipped', /client certificate/);
  });

  it('judgeOpenAccess: no reply and a reply that neither serves nor refuses give no verdict; 404 skips', () => {
    assert.equal(judgeOpenAccess('h', 'network', { status: 0, served: false }).status, 'error');
    assert.equal(judgeOpenAccess('h', 'network', { status: 500, served: false }).status, 'error');
    assert.equal(judgeOpenAccess('h', 'network', { status: 404, served: false }).status, 'skipped');
    assert.equal(judgeOpenAccess('h', 'network', { status: 403, served: false }).status, 'pass');
  });
});

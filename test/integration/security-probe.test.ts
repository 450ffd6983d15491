/**
 * Every security check against the reference server in-process: the secure
 * server passes each one (with and without auth), the insecure demo fails
 * each one, so no check is one that cannot fail. `protocol.still-alive`
 * needs a server that broke, which the demo does not do: a tiny broken
 * server stands in for it.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { startReferenceServer, type ReferenceServerOptions } from '../../src/server/reference-server.js';
import type { CheckReport } from '../../src/security/check.js';
import { ProbeContext, type ProbeOptions } from '../../src/security/probe-context.js';
import { ALL_CHECKS, findCheck, selectChecks } from '../../src/security/registry.js';
import { runChecks } from '../../src/security/runner.js';
import { createDispatcher } from '../../src/transports/http-pool.js';

const dispatcher = createDispatcher();
after(() => dispatcher.close());

const TOKEN_A = 'probe-test-token-a-123';
const TOKEN_B = 'probe-test-token-b-456';

type Reports = Map<string, CheckReport>;

async function probe(server: ReferenceServerOptions, opts: Partial<ProbeOptions> = {}, aggressive = false): Promise<Reports> {
  const running = await startReferenceServer({ port: 0, quiet: true, ...server });
  try {
    const ctx = new ProbeContext({ mcpUrl: `${running.url}/mcp`, restBaseUrl: running.url, dispatcher, timeoutMs: 10_000, ...opts });
    const reports = await runChecks(selectChecks({ aggressive }), ctx);
    return new Map(reports.map((r) => [r.id, r]));
  } finally {
    await running.close();
  }
}

function statuses(reports: Reports): Record<string, string> {
  return Object.fromEntries([...reports.values()].map((r) => [r.id, `${r.status}: ${r.reason}`]));
}

const seenPass = new Set<string>();
const seenFail = new Set<string>();
function remember(reports: Reports): void {
  for (const r of reports.values()) {
    if (r.status === 'pass') seenPass.add(r.id);
    if (r.status === 'fail') seenFail.add(r.id);
  }
}

test('secure server without auth: every check passes or is skipped for a stated reason', async () => {
  const reports = await probe({}, { blockedTools: ['debug_*', 'exec*'] });
  remember(reports);
  const notPassed = [...reports.values()].filter((r) => r.status !== 'pass');
  assert.ok(notPassed.every((r) => r.status === 'skipped' && r.reason.length > 10), JSON.stringify(statuses(reports), null, 1));
  assert.deepEqual(notPassed.map((r) => r.id).sort(), [
    'auth.before-tools', 'auth.no-token', 'auth.protected-resource-metadata', 'auth.token-in-query', 'auth.wrong-token', 'session.token-binding',
  ]);
});

test('secure server with two tokens: every check passes, sessions are bound to their token', async () => {
  const reports = await probe({ authToken: TOKEN_A, authTokenB: TOKEN_B }, { authToken: TOKEN_A, authTokenB: TOKEN_B, blockedTools: ['debug_*'] });
  remember(reports);
  const notPassed = [...reports.values()].filter((r) => r.status !== 'pass');
  assert.deepEqual(notPassed.map((r) => `${r.id} ${r.status}: ${r.reason}`), []);
  // No token reaches a report.
  const text = JSON.stringify([...reports.values()]);
  assert.equal(text.includes(TOKEN_A) || text.includes(TOKEN_B), false);
});

test('insecure demo without auth: each check fails, with evidence', async () => {
  const reports = await probe({ insecureDemo: true }, { blockedTools: ['debug_*'] });
  remember(reports);
  for (const r of reports.values()) {
    if (r.id.startsWith('auth.') || r.id === 'session.token-binding') assert.equal(r.status, 'skipped', r.id);
    else if (r.id === 'protocol.still-alive') assert.equal(r.status, 'pass', 'the demo is flawed, not broken');
    else {
      assert.equal(r.status, 'fail', `${r.id}: ${r.status} ${r.reason}`);
      assert.ok(r.evidence.length > 0, `${r.id} shows its evidence`);
    }
  }
  assert.match(reports.get('exposure.hidden-tools')!.reason, /debug_exec/);
  assert.match(reports.get('session.id-unpredictable')!.reason, /counter/);
});

test('insecure demo with tokens: every auth check and the session binding fail', async () => {
  const reports = await probe(
    { insecureDemo: true, authToken: TOKEN_A, authTokenB: TOKEN_B },
    { authToken: TOKEN_A, authTokenB: TOKEN_B },
  );
  remember(reports);
  for (const id of ['auth.no-token', 'auth.protected-resource-metadata', 'auth.wrong-token', 'auth.token-in-query', 'auth.before-tools', 'session.token-binding']) {
    assert.equal(reports.get(id)!.status, 'fail', `${id}: ${reports.get(id)!.reason}`);
  }
  const text = JSON.stringify([...reports.values()]);
  assert.equal(text.includes(TOKEN_A), false, 'the token in the query string is redacted from evidence');
});

test('aggressive: the session cap and idle expiry hold on the secure server and fail on the demo', async () => {
  const limits = { maxProbeSessions: 60, idleWaitMs: 900 };
  const secure = await probe({ maxSessions: 20, sessionIdleMs: 200 }, limits, true);
  const insecure = await probe({ insecureDemo: true }, limits, true);
  remember(secure);
  remember(insecure);
  for (const id of ['limits.session-cap', 'limits.idle-expiry']) {
    assert.equal(secure.get(id)!.status, 'pass', `${id}: ${secure.get(id)!.reason}`);
    assert.equal(insecure.get(id)!.status, 'fail', `${id}: ${insecure.get(id)!.reason}`);
  }
});

test('a stateless server: the session checks say why they do not apply', async () => {
  const reports = await probe({ stateless: true });
  for (const id of ['session.missing-id', 'session.forged-id', 'session.reuse-after-delete', 'session.id-unpredictable']) {
    assert.equal(reports.get(id)!.status, 'skipped', id);
    assert.match(reports.get(id)!.reason, /stateless/);
  }
});

test('protocol.still-alive fails on a server that stopped answering ping and health', async () => {
  // Initialize works; everything after it is broken, as after a crash of the worker behind a proxy.
  const broken = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && body.includes('"initialize"')) {
        const id = (JSON.parse(body) as { id: number }).id;
        res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'x' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id, result: { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 'b', version: '1' } } }));
        return;
      }
      res.writeHead(req.method === 'GET' ? 503 : 502, { 'content-type': 'text/plain' });
      res.end('upstream gone');
    });
  });
  await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
    const ctx = new ProbeContext({ mcpUrl: `${url}/mcp`, restBaseUrl: url, dispatcher, timeoutMs: 5000 });
    const [report] = await runChecks([findCheck('protocol.still-alive')!], ctx);
    assert.equal(report!.status, 'fail', report!.reason);
    seenFail.add('protocol.still-alive');
  } finally {
    broken.closeAllConnections();
    await new Promise((resolve) => broken.close(resolve));
  }
});

test('every check passed somewhere and failed somewhere (none of them cannot fail)', () => {
  for (const check of ALL_CHECKS) {
    assert.ok(seenPass.has(check.id), `${check.id} never passed`);
    assert.ok(seenFail.has(check.id), `${check.id} never failed`);
  }
});

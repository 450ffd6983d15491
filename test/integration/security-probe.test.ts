/**
 * Every security check against the reference server in-process: the secure
 * server passes each one (with and without auth), the insecure demo fails
 * each one, so no check is one that cannot fail. `protocol.still-alive`
 * and `protocol.deep-json` need a server that breaks, which the demo does
 * not do: tiny broken servers stand in for them. `auth.open-on-network`
 * needs a target address that is not loopback: the dispatcher sends its
 * requests to the loopback server (all traffic stays on this machine).
 */
import assert from 'node:assert/strict';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { startReferenceServer, type ReferenceServerOptions } from '../../src/server/reference-server.js';
import type { Dispatcher } from 'undici';
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

/** A dispatcher that sends every request to `origin` (a loopback server), whatever address the URL names. */
function sendingTo(origin: string): Dispatcher {
  return dispatcher.compose((dispatch) => (options, handler) => dispatch({ ...options, origin }, handler));
}

/** `as`: the base URL the probe is told (the server is still reached on loopback). */
async function probe(server: ReferenceServerOptions, opts: Partial<ProbeOptions> = {}, aggressive = false, as?: string): Promise<Reports> {
  const running = await startReferenceServer({ port: 0, quiet: true, ...server });
  try {
    const base = as ?? running.url;
    const target = as === undefined ? dispatcher : sendingTo(running.url);
    const ctx = new ProbeContext({ mcpUrl: `${base}/mcp`, restBaseUrl: base, dispatcher: target, timeoutMs: 10_000, ...opts });
    const reports = await runChecks(selectChecks({ aggressive }), ctx);
    return new Map(reports.map((r) => [r.id, r]));
  } finally {
    await running.close();
  }
}

/** Runs one check against a tiny stand-in server (loopback) made of `handler`. */
async function checkAgainst(handler: RequestListener, id: string): Promise<CheckReport> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ctx = new ProbeContext({ mcpUrl: `${url}/mcp`, restBaseUrl: url, dispatcher, timeoutMs: 5000 });
    const [report] = await runChecks([findCheck(id)!], ctx);
    return report!;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
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
    'auth.before-tools', 'auth.no-token', 'auth.open-on-network', 'auth.protected-resource-metadata', 'auth.token-in-query', 'auth.wrong-token',
    'session.token-binding',
  ]);
  // On loopback, serving without credentials is no finding: only this machine reaches the server.
  assert.match(reports.get('auth.open-on-network')!.reason, /127\.0\.0\.1 is a loopback address/);
});

test('secure server with two tokens: every check passes, sessions are bound to their token', async () => {
  const reports = await probe({ authToken: TOKEN_A, authTokenB: TOKEN_B }, { authToken: TOKEN_A, authTokenB: TOKEN_B, blockedTools: ['debug_*'] });
  remember(reports);
  const notPassed = [...reports.values()].filter((r) => r.status !== 'pass' && r.id !== 'auth.open-on-network');
  assert.deepEqual(notPassed.map((r) => `${r.id} ${r.status}: ${r.reason}`), []);
  assert.equal(reports.get('auth.open-on-network')!.status, 'skipped');
  // No token reaches a report.
  const text = JSON.stringify([...reports.values()]);
  assert.equal(text.includes(TOKEN_A) || text.includes(TOKEN_B), false);
});

test('insecure demo without auth: each check fails, with evidence', async () => {
  const reports = await probe({ insecureDemo: true }, { blockedTools: ['debug_*'] });
  remember(reports);
  for (const r of reports.values()) {
    if (r.id.startsWith('auth.') || r.id === 'session.token-binding') assert.equal(r.status, 'skipped', r.id);
    // The demo is flawed, not broken: it stays up, and its parser answers a 10,000-deep ping correctly.
    else if (r.id === 'protocol.still-alive' || r.id === 'protocol.deep-json') assert.equal(r.status, 'pass', `${r.id}: ${r.reason}`);
    else {
      assert.equal(r.status, 'fail', `${r.id}: ${r.status} ${r.reason}`);
      assert.ok(r.evidence.length > 0, `${r.id} shows its evidence`);
    }
  }
  assert.match(reports.get('exposure.hidden-tools')!.reason, /debug_exec/);
  assert.match(reports.get('session.id-unpredictable')!.reason, /counter/);
  // What was let through is a security finding; a wrong code or a served batch is conformance, at info or low with the spec's words.
  for (const id of ['origin.foreign', 'session.forged-id', 'session.reuse-after-delete', 'session.id-entropy', 'protocol.large-body']) {
    assert.equal(reports.get(id)!.kind, 'security', id);
  }
  for (const id of ['protocol.batch-rejected', 'protocol.parse-error', 'session.missing-id', 'exposure.unknown-tool']) {
    const r = reports.get(id)!;
    assert.equal(r.kind, 'conformance', id);
    assert.ok(r.severity === 'info' || r.severity === 'low', `${id}: ${r.severity}`);
    assert.ok((r.quote ?? '').length > 20, `${id} quotes the spec`);
  }
});

test('auth.open-on-network: a non-loopback target served without credentials fails; one that asks for a token passes', async () => {
  // 192.0.2.10 is TEST-NET-1 (RFC 5737): the probe judges that address, the dispatcher reaches the loopback server.
  const open = await probe({}, {}, false, 'http://192.0.2.10:8000');
  remember(open);
  const finding = open.get('auth.open-on-network')!;
  assert.equal(finding.status, 'fail', finding.reason);
  assert.equal(finding.kind, 'security');
  assert.match(finding.reason, /192\.0\.2\.10 is reachable from the network and served initialize without any credential/);
  const closed = await probe({ authToken: TOKEN_A }, { authToken: TOKEN_A }, false, 'http://192.0.2.10:8000');
  remember(closed);
  assert.equal(closed.get('auth.open-on-network')!.status, 'pass', closed.get('auth.open-on-network')!.reason);
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
  const report = await checkAgainst((req, res) => {
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
  }, 'protocol.still-alive');
  assert.equal(report.status, 'fail', report.reason);
  seenFail.add('protocol.still-alive');
});

test('protocol.deep-json fails on a server that a deep request takes down', async () => {
  // Answers initialize and ping until a body nested deeper than 1,000 arrives; from then on it cuts every connection.
  let down = false;
  const report = await checkAgainst((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (down || body.includes('[['.repeat(500))) {
        down = true;
        req.socket.destroy();
        return;
      }
      const msg = body ? (JSON.parse(body) as { id?: number; method?: string }) : {};
      if (req.method !== 'POST' || msg.id === undefined) { res.writeHead(202).end(); return; }
      const result = msg.method === 'initialize' ? { protocolVersion: '2025-11-25', capabilities: {}, serverInfo: { name: 'f', version: '1' } } : {};
      res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': `s${msg.id}` });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
    });
  }, 'protocol.deep-json');
  assert.equal(report.status, 'fail', report.reason);
  assert.equal(report.kind, 'security');
  assert.match(report.reason, /stopped answering/);
  seenFail.add('protocol.deep-json');
});

test('every check passed somewhere and failed somewhere (none of them cannot fail)', () => {
  for (const check of ALL_CHECKS) {
    assert.ok(seenPass.has(check.id), `${check.id} never passed`);
    assert.ok(seenFail.has(check.id), `${check.id} never failed`);
  }
});

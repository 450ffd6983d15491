/**
 * What counts as "refused": 401/403/404 for every probe, and 405 Method Not
 * Allowed too for DELETE, PUT and PATCH (FastAPI's answer to a wrong method
 * on a real route). Checked in each place that judges it: the REST client's
 * security probes (the classic suite's SECURITY rows) and the probe's
 * exposure checks. Plus the preflight's one line for each kind of failure.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { destructiveMethods, sensitiveRoutes } from '../../src/security/checks/exposure.js';
import { ProbeContext } from '../../src/security/probe-context.js';
import { refusedStatusesFor } from '../../src/protocol/sensitive-routes.js';
import { createDispatcher } from '../../src/transports/http-pool.js';
import { describeUnreachable } from '../../src/transports/preflight.js';
import { RestClient } from '../../src/transports/rest.js';
import type { SampleError } from '../../src/metrics/sample.js';

/** Answers every request with `status(method)`. */
async function startServer(status: (method: string) => number): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(status(req.method ?? 'GET'), { 'content-type': 'application/json' }).end('{"detail":"Method Not Allowed"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('405 on a destructive method is a refusal', () => {
  const dispatcher = createDispatcher();
  let all405: { url: string; server: Server };

  before(async () => {
    all405 = await startServer(() => 405);
  });

  after(async () => {
    all405.server.closeAllConnections();
    await new Promise((r) => all405.server.close(r));
    await dispatcher.close();
  });

  it('refusedStatusesFor: 405 only for DELETE, PUT and PATCH', () => {
    assert.deepEqual(refusedStatusesFor('delete'), [401, 403, 404, 405]);
    assert.deepEqual(refusedStatusesFor('PUT'), [401, 403, 404, 405]);
    assert.deepEqual(refusedStatusesFor('PATCH'), [401, 403, 404, 405]);
    assert.deepEqual(refusedStatusesFor('GET'), [401, 403, 404]);
    assert.deepEqual(refusedStatusesFor('POST'), [401, 403, 404]);
  });

  it('the REST client: a DELETE probe answered 405 holds, a GET probe answered 405 does not', async () => {
    const samples: Array<[string, string, SampleError | undefined]> = [];
    const rest = new RestClient({ baseUrl: all405.url, dispatcher, recorder: { record: (t, n, _l, _b, e) => samples.push([t, n, e]), exception() {} } });
    const del = await rest.request('DELETE', '/api/v1/tools/call', { securityProbe: true });
    const put = await rest.request('PUT', '/api/v1/tools/call', { body: {}, securityProbe: true });
    const get = await rest.request('GET', '/admin', { securityProbe: true });
    assert.deepEqual([del.ok, put.ok, get.ok], [true, true, false]);
    assert.deepEqual(samples, [
      ['SECURITY', 'DELETE /api/v1/tools/call', undefined],
      ['SECURITY', 'PUT /api/v1/tools/call', undefined],
      ['SECURITY', 'GET /admin', { kind: 'security', detail: 'GET /admin answered 405, expected 401/403/404' }],
    ]);
  });

  it('the exposure checks: destructive methods answered 405 pass; read routes answered 405 fail', async () => {
    const ctx = new ProbeContext({ mcpUrl: `${all405.url}/mcp`, restBaseUrl: all405.url, dispatcher, timeoutMs: 5000 });
    const destructive = await destructiveMethods.run(ctx);
    assert.equal(destructive.status, 'pass', destructive.reason);
    assert.match(destructive.reason, /refused with 401\/403\/404\/405/);
    const sensitive = await sensitiveRoutes.run(ctx);
    assert.equal(sensitive.status, 'fail', sensitive.reason);
    assert.match(sensitive.reason, /answered other than 401\/403\/404: .*GET \/admin → 405/);
  });

  it('a destructive method let through (200) still fails', async () => {
    const open = await startServer((m) => (m === 'DELETE' ? 200 : 404));
    try {
      const ctx = new ProbeContext({ mcpUrl: `${open.url}/mcp`, restBaseUrl: open.url, dispatcher, timeoutMs: 5000 });
      const outcome = await destructiveMethods.run(ctx);
      assert.equal(outcome.status, 'fail', outcome.reason);
      assert.match(outcome.reason, /DELETE \/api\/v1\/tools\/call → 200/);
    } finally {
      open.server.closeAllConnections();
      await new Promise((r) => open.server.close(r));
    }
  });
});

describe('the preflight line for each cause', () => {
  const url = new URL('https://staging.example:8443/mcp');
  const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });

  it('names the TLS cause and the flags that fix it, wherever undici put the code', () => {
    const selfSigned = describeUnreachable(withCode('DEPTH_ZERO_SELF_SIGNED_CERT'), url)!;
    assert.match(selfSigned, /^staging\.example:8443 failed the TLS check: self-signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\); .*--ca-cert FILE .*NODE_EXTRA_CA_CERTS.*--insecure-skip-tls-verify/);
    const wrapped = Object.assign(new Error('fetch failed'), { cause: withCode('CERT_HAS_EXPIRED') });
    assert.match(describeUnreachable(wrapped, url)!, /certificate expired/);
    assert.match(describeUnreachable(withCode('ERR_TLS_CERT_ALTNAME_INVALID'), url)!, /does not name this host/);
    assert.match(describeUnreachable(withCode('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), url)!, /unknown CA/);
    assert.match(describeUnreachable(withCode('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), url)!, /--client-cert FILE and --client-key FILE/);
  });

  it('refused, unknown host and unresolvable names; happy-eyeballs AggregateErrors too', () => {
    const refused = new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed');
    assert.match(describeUnreachable(refused, new URL('http://127.0.0.1:9/'))!, /^127\.0\.0\.1:9 refused the connection \(ECONNREFUSED\)/);
    assert.match(describeUnreachable(withCode('ENOTFOUND'), url)!, /^staging\.example is an unknown host \(ENOTFOUND\)/);
    assert.match(describeUnreachable(withCode('EAI_AGAIN'), url)!, /could not be resolved \(EAI_AGAIN\)/);
  });

  it('anything else is left to the run (a reset, a slow reply): no line', () => {
    assert.equal(describeUnreachable(withCode('ECONNRESET'), url), undefined);
    assert.equal(describeUnreachable(withCode('UND_ERR_HEADERS_TIMEOUT'), url), undefined);
    assert.equal(describeUnreachable(new Error('weird'), url), undefined);
  });
});

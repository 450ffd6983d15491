// node-matrix: TLS through node:tls and undici: certificate checks, client certificates, OpenSSL's error codes
/**
 * HTTPS targets: --insecure-skip-tls-verify, --ca-cert, --client-cert and
 * --client-key, and the preflight line for a certificate the generator does
 * not trust. The target is the reference server (`mcpload serve`, plain
 * HTTP) behind a small HTTPS proxy on 127.0.0.1, with certificates made by
 * openssl at test time: a test CA, a server certificate it signed, a
 * self-signed one, and a client certificate for mutual TLS.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, startServeProcess, type CliResult } from './cli-helpers.js';
import { hasOpenssl } from '../helpers/openssl.js';

const SKIP = hasOpenssl() ? false : 'openssl is not installed: the test needs it to make certificates';

interface Pki {
  dir: string;
  caCert: string;
  server: { key: string; cert: string };
  selfSigned: { key: string; cert: string };
  client: { key: string; cert: string };
  /** Signed by the CA, but for another name. */
  otherName: { key: string; cert: string };
}

/** A test CA, a server and a client certificate signed by it, and a self-signed server certificate (EC keys: fast). */
function makePki(): Pki {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-tls-'));
  const f = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=mcpload test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const signed = (name: string, cn: string, ext: string) => {
    ssl('req', ...ec, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${cn}`);
    writeFileSync(f(`${name}.ext`), ext);
    ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-set_serial', String(Date.now()),
      '-out', f(`${name}.crt`), '-days', '2', '-extfile', f(`${name}.ext`));
    return { key: f(`${name}.key`), cert: f(`${name}.crt`) };
  };
  const server = signed('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  const client = signed('client', 'mcpload test client', 'extendedKeyUsage=clientAuth\n');
  const otherName = signed('other', 'other.example', 'subjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth\n');
  ssl('req', '-x509', ...ec, '-keyout', f('self.key'), '-out', f('self.crt'), '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1');
  return { dir, caCert: f('ca.crt'), server, selfSigned: { key: f('self.key'), cert: f('self.crt') }, client, otherName };
}

interface Proxy {
  url: string;
  /** Requests that got through the TLS handshake. */
  requests: number;
  close(): Promise<void>;
}

/** An HTTPS front for a plain-HTTP upstream; every request is passed on as is. */
async function startHttpsProxy(upstream: string, tls: https.ServerOptions): Promise<Proxy> {
  const target = new URL(upstream);
  const proxy: Proxy = { url: '', requests: 0, close: async () => undefined };
  const server = https.createServer(tls, (req, res) => {
    proxy.requests++;
    const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return proxy;
}

const RUN = ['run', '--headless', '-u', '2', '-r', '2', '-t', '2s', '--print-interval', '0'];

/** A run that reached the server: it is not a setup error, nothing in it failed for TLS, and the server counted requests. */
function assertReached(r: CliResult, proxy: Proxy, before: number): void {
  const all = r.stdout + r.stderr;
  assert.notEqual(r.code, 2, all);
  assert.doesNotMatch(all, /TLS|certificate|ECONNRESET/i, all);
  assert.ok(proxy.requests - before >= 5, `only ${proxy.requests - before} requests reached the server`);
  assert.match(r.stdout, /error_rate = 0% .*\(0 failed\)/, all);
}

// The cases run three at a time. Each has HTTPS fronts of its own (the upstream server is shared), so
// the requests a front counts are that case's alone, "none got through" included.
describe('HTTPS targets: trust, skip-verify and mutual TLS', { skip: SKIP, concurrency: 3 }, () => {
  let pki: Pki;
  let upstream: { url: string; stop: () => Promise<void> };
  const opened: Proxy[] = [];

  before(async () => {
    pki = makePki();
    upstream = await startServeProcess();
  });

  after(async () => {
    await Promise.all(opened.map((proxy) => proxy.close()));
    await upstream?.stop();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  /** A front of its own for one case: a self-signed certificate, one the CA signed, one for another name, or mutual TLS. */
  async function front(kind: 'selfSigned' | 'caSigned' | 'otherName' | 'mutual'): Promise<Proxy> {
    const read = (file: string) => readFileSync(file);
    const tls: https.ServerOptions = {
      selfSigned: { key: read(pki.selfSigned.key), cert: read(pki.selfSigned.cert) },
      caSigned: { key: read(pki.server.key), cert: read(pki.server.cert) },
      otherName: { key: read(pki.otherName.key), cert: read(pki.otherName.cert) },
      mutual: { key: read(pki.server.key), cert: read(pki.server.cert), ca: read(pki.caCert), requestCert: true, rejectUnauthorized: true },
    }[kind];
    const proxy = await startHttpsProxy(upstream.url, tls);
    opened.push(proxy);
    return proxy;
  }

  it('an untrusted self-signed certificate: one line naming the cause and the flags, exit 2, no load', async () => {
    const selfSigned = await front('selfSigned');
    const r = await runCli([...RUN, '--host', selfSigned.url], { NODE_EXTRA_CA_CERTS: '' });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /self-signed certificate/);
    assert.match(lines[0]!, /--ca-cert/);
    assert.match(lines[0]!, /--insecure-skip-tls-verify/);
    assert.match(lines[0]!, /NODE_EXTRA_CA_CERTS/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(selfSigned.requests, 0);
    assert.equal(r.stdout, '', 'no run started');
  });

  it('a certificate from an unknown CA: the same kind of line, for probe too', async () => {
    const caSigned = await front('caSigned');
    const r = await runCli(['probe', '--host', caSigned.url]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /unknown CA/);
    assert.match(r.stderr, /--ca-cert/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  it('--insecure-skip-tls-verify reaches a self-signed server', async () => {
    const selfSigned = await front('selfSigned');
    const before = selfSigned.requests;
    const r = await runCli([...RUN, '--host', selfSigned.url, '--insecure-skip-tls-verify']);
    assertReached(r, selfSigned, before);
  });

  it('--ca-cert trusts a server signed by that CA (and still checks the name)', async () => {
    const caSigned = await front('caSigned');
    const otherName = await front('otherName');
    const before = caSigned.requests;
    const r = await runCli([...RUN, '--host', caSigned.url, '--ca-cert', pki.caCert]);
    assertReached(r, caSigned, before);
    // NODE_EXTRA_CA_CERTS still works, without any flag.
    const viaEnv = caSigned.requests;
    assertReached(await runCli([...RUN, '--host', caSigned.url], { NODE_EXTRA_CA_CERTS: pki.caCert }), caSigned, viaEnv);
    // Trusting the CA does not trust a certificate for another name.
    const wrongName = await runCli([...RUN, '--host', otherName.url, '--ca-cert', pki.caCert]);
    assert.equal(wrongName.code, 2, wrongName.stdout + wrongName.stderr);
    assert.match(wrongName.stderr, /does not name this host/);
    assert.equal(otherName.requests, 0);
  });

  it('mutual TLS: with --client-cert/--client-key the run gets through; without them the server refuses and the line says so', async () => {
    const mutual = await front('mutual');
    const before = mutual.requests;
    const ok = await runCli([...RUN, '--host', mutual.url, '--ca-cert', pki.caCert, '--client-cert', pki.client.cert, '--client-key', pki.client.key]);
    assertReached(ok, mutual, before);

    const count = mutual.requests;
    const refused = await runCli([...RUN, '--host', mutual.url, '--ca-cert', pki.caCert]);
    assert.equal(refused.code, 2, refused.stdout + refused.stderr);
    assert.match(refused.stderr, /--client-cert/);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
    assert.equal(mutual.requests, count, 'no request got through without a client certificate');
  });

  it('--bench-mode (its own raw sockets) speaks TLS with the same options', async () => {
    const mutual = await front('mutual');
    const before = mutual.requests;
    const r = await runCli(['run', '--headless', '--bench-mode', '--host', mutual.url, '-u', '2', '-r', '2', '-t', '2s', '--print-interval', '0',
      '--ca-cert', pki.caCert, '--client-cert', pki.client.cert, '--client-key', pki.client.key]);
    const all = r.stdout + r.stderr;
    assert.notEqual(r.code, 2, all);
    assert.match(r.stdout, /^tools\/call +add +\d+ +0\(0\.00%\)/m, all);
    assert.doesNotMatch(all, /Exceptions|ERR_TLS|ERR_SSL|socket closed by peer/, all);
    assert.ok(mutual.requests - before >= 10, `only ${mutual.requests - before} requests reached the server`);
  });

  it('probe honours --ca-cert and the client certificate too', async () => {
    const mutual = await front('mutual');
    const before = mutual.requests;
    const r = await runCli(['probe', '--host', mutual.url, '--ca-cert', pki.caCert, '--client-cert', pki.client.cert, '--client-key', pki.client.key]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /ERR_TLS|ERR_SSL|SELF_SIGNED|socket closed by peer/i);
    assert.ok(mutual.requests - before >= 10, `only ${mutual.requests - before} probe requests reached the server`);
  });

  it('client: the same flags; an untrusted certificate or a missing client certificate is one line and exit 2', async () => {
    const selfSigned = await front('selfSigned');
    const mutual = await front('mutual');
    const untrusted = await runCli(['client', `${selfSigned.url}/mcp`, '--request-timeout', '5s']);
    assert.equal(untrusted.code, 2, untrusted.stdout + untrusted.stderr);
    assert.match(untrusted.stderr, /self-signed certificate.*--insecure-skip-tls-verify/);
    const noClientCert = await runCli(['client', `${mutual.url}/mcp`, '--ca-cert', pki.caCert, '--request-timeout', '5s']);
    assert.equal(noClientCert.code, 2, noClientCert.stdout + noClientCert.stderr);
    assert.match(noClientCert.stderr, /--client-cert/);
    const before = mutual.requests;
    const ok = await runCli(['client', `${mutual.url}/mcp`, '--ca-cert', pki.caCert, '--client-cert', pki.client.cert, '--client-key', pki.client.key, '--request-timeout', '5s']);
    assert.notEqual(ok.code, 2, ok.stdout + ok.stderr);
    // A session id, or none against the dual-era reference server (the default negotiates 2026-07-28).
    assert.match(ok.stdout, /^session .+, protocol /m, ok.stdout + ok.stderr);
    assert.ok(mutual.requests - before >= 3);
  });

  it('bad TLS flags: a missing file or a certificate without its key is one line naming the flag, exit 2', async () => {
    const caSigned = await front('caSigned');
    const mutual = await front('mutual');
    const missing = await runCli(['probe', '--host', caSigned.url, '--ca-cert', path.join(pki.dir, 'nope.pem')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^error: --ca-cert .*nope\.pem: no readable file there\n$/);
    const noKey = await runCli([...RUN, '--host', mutual.url, '--client-cert', pki.client.cert]);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /--client-cert needs --client-key/);
    assert.doesNotMatch(noKey.stderr, /BEGIN|PRIVATE KEY/, 'key contents are never printed');
    // A key that does not belong to the certificate, and a CA file that holds no certificate (a key, here).
    const mismatch = await runCli(['probe', '--host', mutual.url, '--client-cert', pki.client.cert, '--client-key', pki.server.key]);
    assert.equal(mismatch.code, 2, mismatch.stdout + mismatch.stderr);
    assert.match(mismatch.stderr, /^error: --client-cert .* \/ --client-key .*: not a usable PEM certificate and matching private key \(.+\)\n$/);
    assert.doesNotMatch(mismatch.stderr, /BEGIN|PRIVATE KEY|MII/, 'key contents are never printed');
    const notCa = await runCli(['probe', '--host', caSigned.url, '--ca-cert', pki.client.key]);
    assert.equal(notCa.code, 2, notCa.stdout + notCa.stderr);
    assert.match(notCa.stderr, /^error: --ca-cert .*client\.key: no PEM certificate in it\n$/);
    assert.doesNotMatch(notCa.stderr, /BEGIN|PRIVATE KEY|MII/);
  });
});

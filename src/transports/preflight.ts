/**
 * One request before the load: does the target answer at all? A refused
 * connection, an unknown host or a failed TLS handshake would otherwise
 * become a whole run of identical failures; here it becomes one line that
 * names the cause (and, for TLS, the flags that fix it). Any HTTP status,
 * even 404 or 500, means the target answers.
 */
import { buildConnector, type Dispatcher } from 'undici';
import type { StartupDeadline } from './startup-deadline.js';
import type { TlsConnectOptions } from './tls-options.js';

const TLS_TRUST_HINT = 'trust its CA with --ca-cert FILE (or NODE_EXTRA_CA_CERTS=FILE), or skip the check on a test server with --insecure-skip-tls-verify';
const TLS_CLIENT_HINT = 'the server wants a client certificate: give --client-cert FILE and --client-key FILE';

/** Node's and OpenSSL's codes for a server certificate the client did not accept. */
const TLS_TRUST: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate signed by an unknown CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate signed by an unknown CA',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate signed by an unknown CA',
  CERT_UNTRUSTED: 'certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not name this host',
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  CERT_REVOKED: 'certificate revoked',
  CERT_SIGNATURE_FAILURE: 'certificate signature invalid',
};

/** Codes of a handshake the server broke off because the client sent no (or a refused) certificate. */
const TLS_CLIENT_CERT = /CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|HANDSHAKE_FAILURE|CERTIFICATE_UNKNOWN/i;

function codesOf(err: unknown, out: string[] = [], depth = 0): string[] {
  if (typeof err !== 'object' || err === null || depth > 4) return out;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') out.push(code);
  const parts = (err as { errors?: unknown }).errors;
  if (Array.isArray(parts)) for (const p of parts) codesOf(p, out, depth + 1);
  const cause = (err as { cause?: unknown }).cause;
  if (cause !== err) codesOf(cause, out, depth + 1);
  return out;
}

/** The one line for a failed first request; undefined when the failure is no reason to stop (the run will show it). */
export function describeUnreachable(err: unknown, url: URL): string | undefined {
  const where = url.host;
  const codes = codesOf(err);
  for (const code of codes) {
    const trust = TLS_TRUST[code];
    if (trust !== undefined) return `${where} failed the TLS check: ${trust} (${code}); ${TLS_TRUST_HINT}`;
  }
  const tlsAlert = codes.find((c) => TLS_CLIENT_CERT.test(c));
  if (tlsAlert !== undefined) return `${where} broke off the TLS handshake (${tlsAlert}); ${TLS_CLIENT_HINT}`;
  const tlsOther = codes.find((c) => c.startsWith('ERR_SSL_') || c.startsWith('ERR_TLS_') || c === 'EPROTO');
  if (tlsOther !== undefined) {
    const plain = tlsOther === 'ERR_SSL_WRONG_VERSION_NUMBER' ? ': does it speak plain http:// there?' : '';
    return `${where}: TLS handshake failed (${tlsOther})${plain}`;
  }
  if (codes.includes('ECONNREFUSED')) return `${where} refused the connection (ECONNREFUSED): is the server running on that port?`;
  if (codes.includes('ENOTFOUND')) return `${url.hostname} is an unknown host (ENOTFOUND): check the name in --host`;
  if (codes.includes('EAI_AGAIN')) return `${url.hostname} could not be resolved (EAI_AGAIN): DNS did not answer; check the name and the network`;
  if (codes.includes('EHOSTUNREACH') || codes.includes('ENETUNREACH')) return `${where} is unreachable (${codes.includes('EHOSTUNREACH') ? 'EHOSTUNREACH' : 'ENETUNREACH'})`;
  if (codes.includes('UND_ERR_CONNECT_TIMEOUT')) return `${where} did not accept a connection in time (connect timeout)`;
  return undefined;
}

/**
 * GETs `url` once and throws away the reply. Resolves with a one-line reason
 * when the target cannot be reached, undefined when it answered (any status)
 * or failed in a way the run itself should show (a reset). A target that
 * says nothing before start-up's deadline is no reason to stop either: the
 * deadline is then expired, and the caller says so.
 */
export async function preflight(url: string, dispatcher: Dispatcher, deadline: StartupDeadline, tls?: TlsConnectOptions): Promise<string | undefined> {
  const target = new URL(url);
  if (deadline.expired) return undefined;
  try {
    const res = await dispatcher.request({
      origin: target.origin, path: target.pathname + target.search, method: 'GET', headers: { accept: '*/*' }, signal: deadline.signal,
    });
    deadline.answered();
    // The body is not wanted; an event stream would never end, so it is cut, never read.
    res.body.on('error', () => undefined);
    res.body.destroy();
    return undefined;
  } catch (err) {
    if (deadline.expired) return undefined; // there, but silent: the run will tell
    // HTTPS closed without a reply: a TLS 1.3 server that wants a client certificate says so only in an alert,
    // which undici reports as "other side closed". A bare TLS connection hears the alert.
    if (target.protocol === 'https:' && codesOf(err).includes('UND_ERR_SOCKET')) return connectCheck(target, tls, deadline.ms, CLOSE_SETTLE_MS);
    return describeUnreachable(err, target);
  }
}

/** How long a fresh TLS connection is watched for the server's alert (one round trip after the handshake). */
const CLOSE_SETTLE_MS = 1000;

/**
 * The same question without an HTTP request: a TCP (and TLS) connection is
 * opened and closed. For the one-session client, whose target (a conformance
 * harness, say) may count every request it gets. A TLS 1.3 server that wants
 * a client certificate refuses only after the handshake, so that case shows
 * on the first real request instead.
 */
export function preflightConnect(url: string, tls: TlsConnectOptions | undefined, timeoutMs: number): Promise<string | undefined> {
  return connectCheck(new URL(url), tls, timeoutMs, 300);
}

/** Opens a TCP (TLS) connection, watches a TLS one for `settleMs` for an alert, and closes it. */
function connectCheck(target: URL, tls: TlsConnectOptions | undefined, timeoutMs: number, settleMs: number): Promise<string | undefined> {
  const https = target.protocol === 'https:';
  const connector = buildConnector({ ...tls, timeout: timeoutMs });
  return new Promise((resolve) => {
    connector({
      // No servername: undici derives it from the host (and leaves it out for an IP address).
      hostname: target.hostname, host: target.host, protocol: target.protocol, port: target.port || (https ? '443' : '80'),
    } as buildConnector.Options, (err, socket) => {
      if (err !== null) {
        resolve(describeUnreachable(err, target));
        return;
      }
      if (!https) {
        socket.destroy();
        resolve(undefined);
        return;
      }
      const done = (problem: string | undefined) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(problem);
      };
      const timer = setTimeout(() => done(undefined), settleMs);
      socket.on('error', (e) => done(describeUnreachable(e, target)));
      socket.on('close', () => done(undefined));
      socket.resume();
    });
  });
}

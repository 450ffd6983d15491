/**
 * Who may use the web UI: an optional login (HTTP basic) or token, and the
 * checks that keep other web pages out of a UI bound to loopback (DNS
 * rebinding through the Host header, cross-site commands through Origin and
 * Sec-Fetch-Site). A UI that can start a load test against any host must not
 * be drivable by whatever page the user happens to have open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export interface WebCredentials {
  login?: { user: string; password: string };
  token?: string;
}

export const TOKEN_COOKIE = 'mcpload_token';

/** Constant-time string comparison (hashing first makes the lengths equal). */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export type AccessVerdict = { ok: true; setTokenCookie?: boolean } | { ok: false; status: 401; challenge: boolean };

/** Whether the request carries the login or token (always true when neither is configured). */
export function checkCredentials(req: IncomingMessage, url: URL, creds: WebCredentials): AccessVerdict {
  if (!creds.login && !creds.token) return { ok: true };
  const auth = req.headers.authorization ?? '';
  if (creds.login && /^basic\s+/i.test(auth)) {
    const decoded = Buffer.from(auth.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
    if (sameSecret(decoded, `${creds.login.user}:${creds.login.password}`)) return { ok: true };
  }
  if (creds.token) {
    if (/^bearer\s+/i.test(auth) && sameSecret(auth.replace(/^bearer\s+/i, ''), creds.token)) return { ok: true };
    const fromCookie = cookie(req, TOKEN_COOKIE);
    if (fromCookie !== undefined && sameSecret(fromCookie, creds.token)) return { ok: true };
    const fromQuery = url.searchParams.get('token');
    if (fromQuery !== null && sameSecret(fromQuery, creds.token)) return { ok: true, setTokenCookie: true };
  }
  return { ok: false, status: 401, challenge: creds.login !== undefined };
}

/** The warning printed when the UI listens beyond this machine without a login; undefined when none is due. */
export function exposureWarning(host: string, creds: WebCredentials): string | undefined {
  if (isLoopbackHost(host) || creds.login || creds.token) return undefined;
  return `warning: the web UI listens on ${host} without a login: anyone who can reach it can start load tests. Use --web-login user:password or --web-token.`;
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || bare.startsWith('127.') || bare === '::ffff:127.0.0.1';
}

/** The hostname part of a Host header ("127.0.0.1:8089", "[::1]:8089", "localhost"). */
function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const colon = hostHeader.lastIndexOf(':');
  return colon >= 0 ? hostHeader.slice(0, colon) : hostHeader;
}

/**
 * A UI bound to loopback answers only requests addressed to a loopback name or
 * IP: a foreign DNS name pointing at 127.0.0.1 (DNS rebinding) is refused.
 */
export function hostAllowed(req: IncomingMessage, boundHost: string): boolean {
  if (!isLoopbackHost(boundHost)) return true;
  const host = req.headers.host;
  if (!host) return true; // HTTP/1.0 clients on the same machine
  const name = hostnameOf(host);
  return isLoopbackHost(name) || isIP(name.replace(/^\[|\]$/g, '')) !== 0;
}

/** Commands (swarm, stop, reset) are refused when a browser says another site sent them. */
export function sameOriginCommand(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return false;
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return origin === undefined;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

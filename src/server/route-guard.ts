/**
 * The checks every request passes before routing: the Host header (against
 * DNS rebinding), the Origin header (against cross-site use from a browser),
 * and the deny rules of src/protocol/sensitive-routes.ts (sensitive paths and
 * destructive methods).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { DEFAULT_DENY_RULES, matchDenyRule, type DenyRule } from '../protocol/sensitive-routes.js';

export interface GuardOptions {
  /** The address the server listens on; a loopback bind turns on the Host check. */
  bind: string;
  /** Browser origins allowed besides loopback ones, e.g. `https://app.example.com`. */
  allowedOrigins?: readonly string[];
  extraDenyRules?: readonly DenyRule[];
  /** false answers 200 where a rule would deny: a deliberately broken server for tests. */
  enforceDenyRules: boolean;
  /** false lets any Origin and any Host through (`serve --insecure-demo` only); default true. */
  checkOriginAndHost?: boolean;
}

/** What the guard decided for a request it stops; undefined from `check` means "go on". */
export interface GuardVerdict {
  status: number;
  body: unknown;
  /** Why, for the log (never echoed from request headers other than Host/Origin). */
  reason: string;
}

const LOOPBACK_NAMES = new Set(['localhost', '[::1]', '::1']);
const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase();
  return LOOPBACK_NAMES.has(name) || IPV4_LOOPBACK.test(name);
}

/** `localhost:8000` → `localhost`, `[::1]:8000` → `[::1]`. */
export function hostnameOfHostHeader(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

function normaliseOrigin(origin: string): string | undefined {
  try {
    return new URL(origin).origin;
  } catch {
    return undefined;
  }
}

export const VULNERABLE_BODY = { ok: true, vulnerable: true } as const;

export class RouteGuard {
  private readonly checkHost: boolean;
  private readonly allowedOrigins: ReadonlySet<string>;
  private readonly rules: readonly DenyRule[];
  private readonly enforceDenyRules: boolean;
  private readonly checkOrigin: boolean;

  constructor(opts: GuardOptions) {
    this.checkOrigin = opts.checkOriginAndHost ?? true;
    this.checkHost = this.checkOrigin && (isLoopbackHostname(opts.bind) || opts.bind === '::1');
    this.allowedOrigins = new Set(
      (opts.allowedOrigins ?? []).map((origin) => {
        const normalised = normaliseOrigin(origin);
        if (!normalised || normalised === 'null') throw new Error(`allowed origin ${JSON.stringify(origin)} is not a valid origin (e.g. https://app.example.com)`);
        return normalised;
      }),
    );
    this.rules = [...DEFAULT_DENY_RULES, ...(opts.extraDenyRules ?? [])];
    this.enforceDenyRules = opts.enforceDenyRules;
  }

  check(headers: IncomingHttpHeaders, method: string, path: string): GuardVerdict | undefined {
    if (this.checkHost) {
      const host = headers.host;
      if (!host || !isLoopbackHostname(hostnameOfHostHeader(host))) {
        return { status: 403, body: { error: 'forbidden', message: 'Host header is not a loopback name' }, reason: `Host ${JSON.stringify(host ?? '')} refused (DNS rebinding guard)` };
      }
    }
    const origin = headers.origin;
    if (origin !== undefined && this.checkOrigin && !this.originAllowed(origin)) {
      return { status: 403, body: { error: 'forbidden', message: 'Origin not allowed' }, reason: `Origin ${JSON.stringify(origin)} refused` };
    }
    const rule = matchDenyRule(this.rules, method, path);
    if (!rule) return undefined;
    if (!this.enforceDenyRules) return { status: 200, body: VULNERABLE_BODY, reason: `${rule.reason} (guard off: answered 200)` };
    // A rule scoped to methods is about what is done (403); a path rule hides the route (404).
    return rule.methods
      ? { status: 403, body: { error: 'forbidden', message: rule.reason }, reason: rule.reason }
      : { status: 404, body: { error: 'not found' }, reason: rule.reason };
  }

  private originAllowed(origin: string): boolean {
    const normalised = normaliseOrigin(origin);
    if (!normalised || normalised === 'null') return false;
    if (this.allowedOrigins.has(normalised)) return true;
    return isLoopbackHostname(new URL(normalised).hostname);
  }
}

/**
 * Optional bearer-token protection (MCP authorization, RFC 6750 + RFC 9728):
 * every route but health needs `Authorization: Bearer <token>`; a refusal
 * points the client to the protected-resource metadata. The token never
 * appears in a reply or a log line.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource';
/** RFC 9728 §3.1: the metadata of resource `/mcp` may also be asked for at the path-suffixed URL. */
export const PROTECTED_RESOURCE_MCP_PATH = `${PROTECTED_RESOURCE_PATH}/mcp`;

export interface AuthRefusal {
  status: 401;
  body: { error: string; error_description: string };
  headers: { 'www-authenticate': string };
}

/** Hashing both sides gives equal-length buffers, so timingSafeEqual also hides the token's length. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

const HOST_SYNTAX = /^[A-Za-z0-9.\-[\]:]{1,255}$/;

export class BearerAuth {
  /** One digest per accepted token; each token is its own principal (sessions are bound to it). */
  private readonly expected: Buffer[];

  /** `fallbackOrigin` names the server when a request's Host header is unusable. */
  constructor(tokens: string | readonly string[], private readonly fallbackOrigin: () => string) {
    const list = typeof tokens === 'string' ? [tokens] : tokens;
    if (list.length === 0 || list.some((t) => t.length === 0)) throw new Error('the auth token must not be empty');
    this.expected = list.map(digest);
  }

  /**
   * Which accepted token the request carries (`token-1`, `token-2`), or
   * undefined. Every digest is compared, so the time taken does not say which.
   */
  principal(headers: IncomingHttpHeaders): string | undefined {
    const match = /^Bearer +(\S+) *$/i.exec(headers.authorization ?? '');
    if (!match) return undefined;
    const given = digest(match[1]!);
    let found: string | undefined;
    this.expected.forEach((expected, i) => {
      if (timingSafeEqual(given, expected)) found = `token-${i + 1}`;
    });
    return found;
  }

  /**
   * undefined when the request may go on; otherwise the 401 to send. A token
   * in the query string is refused on every route; the header is checked only
   * where `requireHeader` (all routes but health and the metadata).
   */
  check(headers: IncomingHttpHeaders, query: string, requireHeader: boolean): AuthRefusal | undefined {
    // Tokens in URLs end up in logs and histories (OAuth 2.1 forbids them for MCP).
    if (query.length > 0 && new URLSearchParams(query).has('access_token')) {
      return this.refusal(headers, 'invalid_request', 'tokens in the query string are not accepted; use the Authorization header');
    }
    if (!requireHeader) return undefined;
    const header = headers.authorization;
    if (header === undefined) return this.refusal(headers, undefined, 'a bearer token is required');
    if (this.principal(headers) === undefined) {
      return this.refusal(headers, 'invalid_token', 'the bearer token is missing or wrong');
    }
    return undefined;
  }

  /** RFC 9728 protected-resource metadata for this server. */
  metadata(headers: IncomingHttpHeaders): unknown {
    return {
      resource: `${this.originOf(headers)}/mcp`,
      authorization_servers: [],
      bearer_methods_supported: ['header'],
      resource_name: 'mcpload reference MCP server',
    };
  }

  protected refusal(headers: IncomingHttpHeaders, error: string | undefined, description: string): AuthRefusal {
    const metadataUrl = `${this.originOf(headers)}${PROTECTED_RESOURCE_PATH}`;
    const challenge = error
      ? `Bearer error="${error}", error_description="${description}", resource_metadata="${metadataUrl}"`
      : `Bearer resource_metadata="${metadataUrl}"`;
    return {
      status: 401,
      body: { error: error ?? 'unauthorized', error_description: description },
      headers: { 'www-authenticate': challenge },
    };
  }

  /** The origin clients used to reach us; a Host header that does not look like one is not echoed. */
  protected originOf(headers: IncomingHttpHeaders): string {
    const host = headers.host;
    return host !== undefined && HOST_SYNTAX.test(host) ? `http://${host}` : this.fallbackOrigin();
  }
}

/**
 * `serve --oauth`: the reference server as its own OAuth 2.1 authorization
 * server, so that the authorization path can be load-tested on a fresh
 * clone (client credentials, RFC 6749 §4.4; client_secret_basic or
 * client_secret_post). It publishes RFC 8414 metadata, issues random bearer
 * tokens that expire after --oauth-token-ttl, and protects /mcp with them
 * (RFC 9728 metadata and WWW-Authenticate as BearerAuth does).
 *
 * The principal of a session is the client id, not the token: a user whose
 * token is renewed mid-session keeps its session. Secrets and tokens are
 * compared by digest and never logged.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { BearerAuth } from './bearer-auth.js';
import { readBody, sendJson } from './http-util.js';

export const AS_METADATA_PATH = '/.well-known/oauth-authorization-server';
export const TOKEN_PATH = '/oauth/token';
/** Listed because RFC 8414 clients require it; only client credentials are granted, so it refuses every request. */
export const AUTHORIZE_PATH = '/oauth/authorize';
const MAX_FORM_BYTES = 16 * 1024;
/** Tokens held at once; beyond it the expired ones are dropped, then the oldest. */
const MAX_TOKENS = 200_000;

export interface OAuthIssuerOptions {
  clientId: string;
  clientSecret: string;
  tokenTtlMs: number;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export class OAuthIssuer extends BearerAuth {
  private readonly secretDigest: Buffer;
  /** access token → client id and expiry. */
  private readonly tokens = new Map<string, { client: string; expiresAt: number }>();
  /** Tokens issued so far (served by /metrics-minded tests through `issued`). */
  issued = 0;

  constructor(private readonly opts: OAuthIssuerOptions, fallbackOrigin: () => string) {
    // BearerAuth's static-token list is not used (principal() is replaced); an unguessable one fills it.
    super(randomBytes(32).toString('hex'), fallbackOrigin);
    if (opts.clientId === '' || opts.clientSecret === '') throw new Error('--oauth needs a client id and a non-empty client secret');
    this.secretDigest = digest(opts.clientSecret);
  }

  /** True for the authorization server's own routes (answered by `handle`). */
  handles(path: string): boolean {
    return path === AS_METADATA_PATH || path === TOKEN_PATH || path === AUTHORIZE_PATH;
  }

  async handle(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
    if (path === AS_METADATA_PATH) {
      if (method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET' });
      const issuer = this.originOf(req.headers);
      return sendJson(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}${AUTHORIZE_PATH}`,
        token_endpoint: `${issuer}${TOKEN_PATH}`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        response_types_supported: ['code'],
        scopes_supported: ['mcp'],
      });
    }
    if (path === AUTHORIZE_PATH) return sendJson(res, 400, { error: 'unsupported_response_type', error_description: 'this server grants client credentials only' });
    if (method !== 'POST') return sendJson(res, 405, { error: 'method not allowed' }, { allow: 'POST' });
    const body = await readBody(req, MAX_FORM_BYTES);
    if (body.kind !== 'ok') return sendJson(res, 400, { error: 'invalid_request', error_description: 'body too large or cut' });
    const form = new URLSearchParams(body.body.toString('utf8'));
    const client = this.authenticate(req.headers, form);
    const noStore = { 'cache-control': 'no-store' };
    if (client === undefined) return sendJson(res, 401, { error: 'invalid_client' }, { ...noStore, 'www-authenticate': 'Basic realm="mcpload"' });
    if (form.get('grant_type') !== 'client_credentials') return sendJson(res, 400, { error: 'unsupported_grant_type' }, noStore);
    const token = randomBytes(32).toString('base64url');
    this.remember(token, client);
    return sendJson(res, 200, {
      access_token: token, token_type: 'Bearer', expires_in: Math.max(1, Math.round(this.opts.tokenTtlMs / 1000)), scope: form.get('scope') ?? 'mcp',
    }, noStore);
  }

  /** The client id of a live token, or undefined. */
  override principal(headers: IncomingHttpHeaders): string | undefined {
    const match = /^Bearer +(\S+) *$/i.exec(headers.authorization ?? '');
    if (!match) return undefined;
    const held = this.tokens.get(match[1]!);
    if (held === undefined) return undefined;
    if (held.expiresAt <= Date.now()) {
      this.tokens.delete(match[1]!);
      return undefined;
    }
    return held.client;
  }

  override metadata(headers: IncomingHttpHeaders): unknown {
    return { ...(super.metadata(headers) as object), authorization_servers: [this.originOf(headers)], scopes_supported: ['mcp'] };
  }

  /** client_secret_basic (RFC 6749 §2.3.1: form-encoded, then base64) or client_secret_post. */
  private authenticate(headers: IncomingHttpHeaders, form: URLSearchParams): string | undefined {
    let id: string | null = form.get('client_id');
    let secret: string | null = form.get('client_secret');
    const basic = /^Basic +(\S+) *$/i.exec(headers.authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return undefined;
      try {
        id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
        secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
      } catch {
        return undefined;
      }
    }
    if (id === null || secret === null) return undefined;
    // Both compared, by digest: the time taken says nothing about which was wrong.
    const idOk = timingSafeEqual(digest(id), digest(this.opts.clientId));
    const secretOk = timingSafeEqual(digest(secret), this.secretDigest);
    return idOk && secretOk ? id : undefined;
  }

  private remember(token: string, client: string): void {
    const now = Date.now();
    if (this.tokens.size >= MAX_TOKENS) {
      for (const [t, held] of this.tokens) if (held.expiresAt <= now) this.tokens.delete(t);
      // Still full: drop the oldest (Map keeps insertion order).
      for (const t of this.tokens.keys()) {
        if (this.tokens.size < MAX_TOKENS) break;
        this.tokens.delete(t);
      }
    }
    this.tokens.set(token, { client, expiresAt: now + this.opts.tokenTtlMs });
    this.issued++;
  }
}

/**
 * One virtual user's credentials (RequestAuthorizer): OAuth 2.1 through the
 * SDK's `auth()`, or a fixed token from a token file.
 *
 * - First request of the run: sent without a token; the 401's
 *   WWW-Authenticate names the resource metadata and the scope, and the SDK
 *   discovers the rest (RFC 9728, RFC 8414 / OpenID, registration or client
 *   ID metadata document, PKCE). The discovery is shared, so later users
 *   authorize before their first request.
 * - Scope: the challenge's, else the resource metadata's `scopes_supported`
 *   (the SDK's order); on 403 `insufficient_scope`, the union of what was
 *   asked before and what is challenged (step-up). A challenge for scopes
 *   already asked for is not retried: it would never succeed.
 * - Renewal: a token with `expires_in` is renewed before it runs out
 *   (refresh token, or a new client-credentials token).
 * - Failures become one `OAUTH authorization` row with a short reason;
 *   tokens and secrets are cut out of every text (Redactor).
 */
import { auth, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Recorder } from '../../metrics/sample.js';
import { fixedError, shortText } from '../errors.js';
import type { RequestAuthorizer } from '../request-auth.js';
import type { LoadOAuthProvider, SharedOAuthState } from './provider.js';
import { OAUTH_TYPE } from './recording-fetch.js';

/** A token refused within this time of its issue is replaced once, not again (a server refusing every token). */
const RECENT_MS = 1000;
/** Renew this long before expiry at most, and at most a fifth of the lifetime. */
const RENEW_MARGIN_MS = 30_000;

/** Cuts every known secret (client secret, tokens) out of a text before it is recorded or printed. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    if (secret !== undefined && secret.length >= 4) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    return out;
  }
}

export interface OAuthAuthorizerOptions {
  /** The MCP endpoint (the protected resource). */
  serverUrl: string;
  provider: LoadOAuthProvider;
  shared: SharedOAuthState & { scope?: string };
  fetchFn: FetchLike;
  recorder: Recorder;
  redactor: Redactor;
}

function scopeSet(scope: string | undefined): Set<string> {
  return new Set((scope ?? '').split(' ').filter((s) => s.length > 0));
}

function union(a: string | undefined, b: string | undefined): string | undefined {
  const all = new Set([...scopeSet(a), ...scopeSet(b)]);
  return all.size === 0 ? undefined : [...all].join(' ');
}

export class OAuthAuthorizer implements RequestAuthorizer {
  private pending: Promise<boolean> | undefined;
  /** The scope asked for last (undefined: none named). */
  private askedScope: string | undefined;
  private resourceMetadataUrl: URL | undefined;
  private authorizedAtMs = 0;
  private quickRetried = false;
  /** Set after a failed authorization until a challenge asks again: no retry before every request. */
  private failed = false;

  constructor(private readonly opts: OAuthAuthorizerOptions) {}

  async authorization(): Promise<string | undefined> {
    if (this.pending !== undefined) await this.pending;
    const held = this.opts.provider.heldToken;
    if (held === undefined) {
      // A later user: discovery is known, so authorize before the first request instead of collecting a 401.
      if (!this.failed && this.opts.shared.discovery !== undefined) await this.authorize(this.opts.shared.scope);
    } else {
      const lifetimeMs = (held.tokens.expires_in ?? 0) * 1000;
      if (lifetimeMs > 0 && Date.now() >= held.obtainedAtMs + lifetimeMs - Math.min(RENEW_MARGIN_MS, lifetimeMs / 5)) {
        await this.authorize(this.askedScope, true);
      }
    }
    const token = this.opts.provider.tokens()?.access_token;
    return token === undefined ? undefined : `Bearer ${token}`;
  }

  async challenged(status: number, wwwAuthenticate: string | undefined): Promise<boolean> {
    if (this.pending !== undefined) return this.pending;
    const challenge = extractWWWAuthenticateParams(new Response(null, { headers: wwwAuthenticate === undefined ? {} : { 'www-authenticate': wwwAuthenticate } }));
    const hadToken = this.opts.provider.heldToken !== undefined;
    if (challenge.resourceMetadataUrl !== undefined) this.resourceMetadataUrl = challenge.resourceMetadataUrl;
    let scope: string | undefined;
    if (status === 403) {
      // Only a scope problem can be fixed by authorizing again (MCP authorization, "Scope challenge handling").
      if (challenge.error !== 'insufficient_scope') return false;
      const asked = scopeSet(this.askedScope ?? this.opts.provider.tokens()?.scope);
      const wanted = [...scopeSet(challenge.scope)];
      if (wanted.length === 0 || wanted.every((s) => asked.has(s))) return false; // asked for all of it already: it will never come
      scope = union(this.askedScope ?? this.opts.provider.tokens()?.scope, challenge.scope);
    } else {
      // A token refused as soon as issued: one more try (the resource may have moved to another
      // authorization server), not a loop against a server that refuses every token.
      const fresh = hadToken && Date.now() - this.authorizedAtMs < RECENT_MS;
      if (fresh && this.quickRetried) return false;
      this.quickRetried = fresh;
      scope = hadToken ? union(this.askedScope, challenge.scope) : challenge.scope ?? this.opts.shared.scope;
    }
    this.opts.provider.dropTokens();
    // A refused token may mean the resource moved to another authorization server (SEP-2352): discover again.
    if (hadToken && status === 401) this.opts.provider.invalidateCredentials('discovery');
    return this.authorize(scope);
  }

  /** One authorization at a time per user; concurrent requests wait for it. */
  private authorize(scope: string | undefined, renewal = false): Promise<boolean> {
    this.pending ??= this.run(scope, renewal).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async run(scope: string | undefined, renewal: boolean): Promise<boolean> {
    const { provider, serverUrl, fetchFn } = this.opts;
    const base = { serverUrl, scope, fetchFn, ...(this.resourceMetadataUrl !== undefined ? { resourceMetadataUrl: this.resourceMetadataUrl } : {}) };
    try {
      let result = await auth(provider, base);
      if (result === 'REDIRECT') {
        const code = provider.takeAuthorizationCode();
        if (code === undefined) throw new Error('the authorization gave no code');
        result = await auth(provider, { ...base, authorizationCode: code });
      }
      if (result !== 'AUTHORIZED') throw new Error(`authorization ended in ${String(result)}`);
      const tokens = provider.tokens();
      this.opts.redactor.add(tokens?.access_token);
      this.opts.redactor.add(tokens?.refresh_token);
      this.askedScope = scope;
      this.opts.shared.scope = scope;
      this.authorizedAtMs = Date.now();
      this.failed = false;
      return true;
    } catch (err) {
      this.failed = true;
      if (renewal) provider.dropTokens(); // an expiring token that could not be renewed is not sent on
      const reason = shortText(this.opts.redactor.redact(err instanceof Error ? err.message : String(err)), 300);
      this.opts.recorder.record(OAUTH_TYPE, 'authorization', 0, 0, fixedError('check', reason || 'failed'));
      return false;
    }
  }
}

/** A token from a token file: sent as it is, never renewed. */
export class StaticTokenAuthorizer implements RequestAuthorizer {
  private readonly value: string;

  constructor(token: string) {
    this.value = `Bearer ${token}`;
  }

  authorization(): Promise<string | undefined> {
    return Promise.resolve(this.value);
  }

  challenged(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

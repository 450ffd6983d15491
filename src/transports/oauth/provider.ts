/**
 * mcpload's OAuthClientProvider for the SDK's `auth()`: one per virtual user
 * (its own tokens, PKCE verifier and authorization code), with what users
 * may share (discovery results, a dynamically registered client) kept in one
 * `SharedOAuthState` per run, so that a hundred users make a hundred token
 * requests but one registration.
 *
 * No browser: the authorization redirect is followed by an HTTP request and
 * the code taken from the Location header (redirect.ts), which is what a
 * test authorization server that approves at once expects.
 */
import type { OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import { createPrivateKeyJwtAuth } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { followAuthorization } from './redirect.js';
import type { IdentityProvider, OAuthGrant, TokenEndpointAuth } from './options.js';
import { exchangeIdToken, JWT_BEARER_GRANT } from './id-jag.js';

/** What users of one run share. */
export class SharedOAuthState {
  discovery: OAuthDiscoveryState | undefined;
  /** A client registered dynamically (or by URL) by the first user; the others use it too. */
  registered: OAuthClientInformationMixed | undefined;
}

export interface ProviderConfig {
  grant: OAuthGrant;
  clientName: string;
  redirectUri: string;
  clientId?: string;
  clientSecret?: string;
  /** PEM (PKCS#8) for private_key_jwt. */
  privateKeyPem?: string;
  signingAlg?: string;
  tokenAuth?: TokenEndpointAuth;
  scope?: string;
  clientMetadataUrl?: string;
  assertion?: string;
  idp?: IdentityProvider;
}

/** A token and when it was obtained (for refresh before expiry). */
export interface HeldToken {
  tokens: OAuthTokens;
  obtainedAtMs: number;
}

export class LoadOAuthProvider implements OAuthClientProvider {
  private held: HeldToken | undefined;
  private verifier: string | undefined;
  private code: string | undefined;
  private own: OAuthClientInformationMixed | undefined;
  /** Decided once the authorization server's metadata is known (grant `auto`). */
  private clientCredentials: boolean;
  /** RFC 7523 grant instead of client credentials (both non-interactive). */
  private readonly jwtBearer: boolean;
  readonly addClientAuthentication: OAuthClientProvider['addClientAuthentication'];

  constructor(
    private readonly config: ProviderConfig,
    private readonly shared: SharedOAuthState,
    /** The fetch the redirect handler uses (recorded as `OAUTH authorize`). */
    private readonly authorizeFetch: FetchLike,
    /** The fetch of the identity provider's token exchange (recorded as `OAUTH idp token exchange`). */
    private readonly idpFetch?: FetchLike,
  ) {
    this.jwtBearer = config.grant === 'jwt_bearer' || (config.grant === 'auto' && (config.assertion !== undefined || config.idp !== undefined));
    this.clientCredentials = config.grant === 'client_credentials' || this.jwtBearer;
    if (config.clientId !== undefined) {
      this.own = { client_id: config.clientId, ...(config.clientSecret !== undefined ? { client_secret: config.clientSecret } : {}) };
      const method = config.tokenAuth ?? (config.privateKeyPem !== undefined ? 'private_key_jwt' : undefined);
      if (method !== undefined) (this.own as { token_endpoint_auth_method?: string }).token_endpoint_auth_method = method;
    }
    if (config.privateKeyPem !== undefined && config.clientId !== undefined) {
      this.addClientAuthentication = createPrivateKeyJwtAuth({
        issuer: config.clientId, subject: config.clientId, privateKey: config.privateKeyPem, alg: config.signingAlg ?? 'RS256',
      });
    }
  }

  /** Undefined selects the SDK's non-interactive path (client credentials). */
  get redirectUrl(): string | undefined {
    return this.clientCredentials ? undefined : this.config.redirectUri;
  }

  get clientMetadataUrl(): string | undefined {
    return this.config.clientMetadataUrl;
  }

  get clientMetadata(): OAuthClientMetadata & { application_type: 'native' } {
    const auth = this.config.tokenAuth ?? (this.config.privateKeyPem !== undefined ? 'private_key_jwt' : undefined);
    return {
      client_name: this.config.clientName,
      // SEP-837: a command-line tool is a native application (the SDK passes unknown fields through to registration).
      application_type: 'native',
      redirect_uris: this.clientCredentials ? [] : [this.config.redirectUri],
      grant_types: this.jwtBearer ? [JWT_BEARER_GRANT] : this.clientCredentials ? ['client_credentials'] : ['authorization_code', 'refresh_token'],
      response_types: this.clientCredentials ? [] : ['code'],
      ...(auth !== undefined ? { token_endpoint_auth_method: auth } : {}),
      ...(this.config.scope !== undefined ? { scope: this.config.scope } : {}),
    };
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.own ?? this.shared.registered;
  }

  saveClientInformation(info: OAuthClientInformationMixed): void {
    if (this.config.clientId !== undefined) this.own = info; // our own credentials, now bound to their issuer
    else this.shared.registered = info;
  }

  tokens(): OAuthTokens | undefined {
    return this.held?.tokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.held = { tokens, obtainedAtMs: Date.now() };
  }

  /** The token held and when it came, for the authorizer's refresh clock. */
  get heldToken(): HeldToken | undefined {
    return this.held;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.code = await followAuthorization(authorizationUrl, this.shared.discovery, this.authorizeFetch);
  }

  /** The code the last redirect gave; taken once. */
  takeAuthorizationCode(): string | undefined {
    const code = this.code;
    this.code = undefined;
    return code;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (this.verifier === undefined) throw new Error('no PKCE code verifier saved');
    return this.verifier;
  }

  async prepareTokenRequest(scope?: string): Promise<URLSearchParams | undefined> {
    if (!this.clientCredentials) return undefined; // the SDK's authorization_code / refresh_token requests
    if (this.jwtBearer) {
      const params = new URLSearchParams({ grant_type: JWT_BEARER_GRANT });
      const idp = this.config.idp;
      const assertion = idp === undefined ? this.config.assertion : await exchangeIdToken(idp, this.shared.discovery, this.idpFetch!);
      if (assertion !== undefined) params.set('assertion', assertion);
      if (scope) params.set('scope', scope);
      return params;
    }
    const params = new URLSearchParams({ grant_type: 'client_credentials' });
    if (scope) params.set('scope', scope);
    return params;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    const state = this.shared.discovery;
    if (state !== undefined) this.settleGrant(state);
    return state;
  }

  /** Grant `auto`: client credentials when the server offers that grant and not the code grant. */
  private settleGrant(state: OAuthDiscoveryState): void {
    const grants = state.authorizationServerMetadata?.grant_types_supported;
    if (this.config.grant === 'auto' && !this.jwtBearer && Array.isArray(grants)) {
      this.clientCredentials = grants.includes('client_credentials') && !grants.includes('authorization_code');
    }
  }

  /** Checks the authorization server's metadata (RFC 8414 §3.3) and settles the grant of `auto`. */
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    const metadata = state.authorizationServerMetadata;
    if (metadata !== undefined && state.resourceMetadata !== undefined && stripSlash(metadata.issuer) !== stripSlash(state.authorizationServerUrl)) {
      throw new Error(`the authorization server metadata names issuer ${metadata.issuer}, not ${state.authorizationServerUrl} where it was found (RFC 8414 §3.3)`);
    }
    this.settleGrant(state);
    this.shared.discovery = state;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'tokens') this.held = undefined;
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    if (scope === 'all' || scope === 'client') this.shared.registered = undefined;
    if (scope === 'all' || scope === 'discovery') this.shared.discovery = undefined;
  }

  /** Forgets the token (it was refused, or is replaced by a wider one). */
  dropTokens(): void {
    this.held = undefined;
  }
}

function stripSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/**
 * What the user asked of OAuth 2.1 (the --oauth-* flags, see
 * src/cli/oauth-options.ts): plain data, so that it travels to worker
 * processes as it is. Files are named, not read: setup.ts reads them once.
 */

/** How the client authenticates at the token endpoint (RFC 6749 §2.3, RFC 7523). */
export type TokenEndpointAuth = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';

/**
 * `authorization_code`: PKCE, with the authorization redirect followed by an
 * HTTP request (no browser). `client_credentials`: machine to machine.
 * `jwt_bearer`: RFC 7523 with an assertion given or obtained from an
 * identity provider. `auto`: the JWT bearer grant when an assertion or an
 * identity provider is given, else client credentials when the
 * authorization server offers that grant and not the code grant, else the
 * code grant.
 */
export type OAuthGrant = 'auto' | 'authorization_code' | 'client_credentials' | 'jwt_bearer';

/** SEP-990 (enterprise-managed authorization): an IdP's ID token exchanged there for an ID-JAG, the JWT-bearer assertion. */
export interface IdentityProvider {
  tokenEndpoint: string;
  clientId: string;
  idToken: string;
}

export interface OAuthOptions {
  grant: OAuthGrant;
  /** A pre-registered client (no dynamic registration). */
  clientId?: string;
  clientSecret?: string;
  /** PEM private key (PKCS#8) for private_key_jwt. */
  privateKeyFile?: string;
  /** The same key given in memory (the conformance suite's context); the file wins. */
  privateKeyPem?: string;
  /** JWS algorithm of the client assertion; default from the key (RS256, ES256...). */
  signingAlg?: string;
  /** Forces the token endpoint authentication; default: what the server supports. */
  tokenAuth?: TokenEndpointAuth;
  /** Scope to ask for when neither the challenge nor the resource metadata names one. */
  scope?: string;
  /** An https URL serving this client's metadata document (client ID metadata documents, SEP-991). */
  clientMetadataUrl?: string;
  /** redirect_uri of the code grant; never listened on (the code is read from the Location header). */
  redirectUri?: string;
  /** JWT bearer grant (RFC 7523 §2.1, workload identity): the assertion, sent as it is. */
  assertion?: string;
  /** JWT bearer grant with an assertion obtained from this identity provider (RFC 8693 token exchange). */
  idp?: IdentityProvider;
  /** One access token per line; user N sends line N (round robin). No other OAuth then. */
  tokenFile?: string;
  /** One `client_id client_secret` pair per line; user N authorizes as line N (client credentials). */
  credentialsFile?: string;
}

export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:33418/callback';

/**
 * The OAuth 2.1 flags shared by every command that talks to a server (run,
 * probe, client): one definition, so the names and help never drift between
 * them. The work is in src/transports/oauth/.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { RunSetupError } from '../app/run-setup-error.js';
import type { OAuthGrant, OAuthOptions, TokenEndpointAuth } from '../transports/oauth/options.js';
import { hideSecretArguments } from './secret-arguments.js';
import { readableFile } from './tls-options.js';

const GRANTS: readonly OAuthGrant[] = ['auto', 'authorization_code', 'client_credentials', 'jwt_bearer'];
const TOKEN_AUTHS: readonly TokenEndpointAuth[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];

function oneOfList<T extends string>(list: readonly T[]): (text: string) => T {
  return (text) => {
    if (!(list as readonly string[]).includes(text)) throw new InvalidArgumentError(`"${text}" is not one of ${list.join(', ')}`);
    return text as T;
  };
}

/** Client ID metadata documents must be https with a path (SEP-991). */
function parseMetadataUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(`"${text}" is not a URL`);
  }
  if (url.protocol !== 'https:' || url.pathname === '/') throw new InvalidArgumentError(`"${text}" must be an https:// URL with a path (client ID metadata documents)`);
  return url.href;
}

function parseUrl(text: string): string {
  try {
    return new URL(text).href;
  } catch {
    throw new InvalidArgumentError(`"${text}" is not a URL`);
  }
}

/**
 * Adds the --oauth-* flags. `onByDefault` (the `client` command): OAuth
 * answers a 401 unless --no-oauth; otherwise --oauth (or any other
 * --oauth-* flag) turns it on.
 */
export function addOAuthOptions(command: Command, onByDefault = false): Command {
  if (onByDefault) command.option('--no-oauth', 'never authorize with OAuth 2.1, even when the server answers 401');
  else command.option('--oauth', 'authorize with OAuth 2.1 when the server answers 401 (discovery, registration, PKCE: docs/auth.md)', false);
  return command
    .option('--oauth-grant <grant>', `OAuth grant: ${GRANTS.join(', ')} (auto: client credentials when the authorization server offers only that)`, oneOfList(GRANTS), 'auto')
    .option('--oauth-client-id <id>', 'OAuth: a pre-registered client (else dynamic registration or a client ID metadata document)')
    .option('--oauth-client-secret <secret>', 'OAuth: the secret of --oauth-client-id (prefer MCPLOAD_OAUTH_CLIENT_SECRET); never printed')
    .option('--oauth-private-key <file>', 'OAuth: PEM (PKCS#8) key of --oauth-client-id for private_key_jwt client authentication')
    .option('--oauth-signing-alg <alg>', 'OAuth: JWS algorithm of the private_key_jwt assertion (default from the key: RS256, ES256...)')
    .option('--oauth-token-auth <method>', `OAuth: token endpoint authentication, ${TOKEN_AUTHS.join(', ')} (default: what the server supports)`, oneOfList(TOKEN_AUTHS))
    .option('--oauth-scope <scopes>', 'OAuth: scope to ask for when neither the 401 nor the resource metadata names one')
    .option('--oauth-client-metadata-url <url>', 'OAuth: https URL of this client\'s metadata document, used as client_id where the server supports it', parseMetadataUrl)
    .option('--oauth-redirect-uri <url>', 'OAuth: redirect_uri of the code grant; never listened on (the code is read from the redirect)', parseUrl)
    .option('--oauth-assertion <jwt>', 'OAuth: a JWT assertion for the JWT bearer grant (RFC 7523, workload identity; prefer MCPLOAD_OAUTH_ASSERTION); never printed')
    .option('--oauth-id-token <jwt>', 'OAuth: an identity provider\'s ID token, exchanged there for an ID-JAG (SEP-990; prefer MCPLOAD_OAUTH_ID_TOKEN); never printed')
    .option('--oauth-idp-token-endpoint <url>', 'OAuth: the token endpoint of the identity provider of --oauth-id-token', parseUrl)
    .option('--oauth-idp-client-id <id>', 'OAuth: this client\'s id at that identity provider')
    .option('--oauth-token-file <file>', 'a file of access tokens, one a line: each user sends its own (round robin), no OAuth flow')
    .option('--oauth-credentials-file <file>', 'OAuth: a file of "client_id client_secret" lines: each user authorizes as its own client (client credentials)');
}

/** Some --oauth-* flag with a value was given (not only the defaults). */
function anyValueFlag(o: Record<string, unknown>): boolean {
  return ['oauthClientId', 'oauthClientSecret', 'oauthPrivateKey', 'oauthSigningAlg', 'oauthTokenAuth', 'oauthScope', 'oauthClientMetadataUrl',
    'oauthRedirectUri', 'oauthTokenFile', 'oauthCredentialsFile', 'oauthAssertion', 'oauthIdToken', 'oauthIdpTokenEndpoint', 'oauthIdpClientId'].some((k) => o[k] !== undefined) || (o.oauthGrant !== undefined && o.oauthGrant !== 'auto');
}

/**
 * The commander values of addOAuthOptions as OAuthOptions (undefined: no
 * OAuth). Throws RunSetupError (exit 2, one line) for flags that cannot go
 * together or a missing file.
 */
export function oauthOptionsFrom(o: Record<string, unknown>, onByDefault = false): OAuthOptions | undefined {
  const someFlag = anyValueFlag(o);
  if (o.oauth === false && onByDefault) {
    if (someFlag) throw new RunSetupError('--no-oauth and --oauth-* flags say two things; give one');
    return undefined;
  }
  if (o.authToken !== undefined) {
    if (someFlag || (o.oauth === true && !onByDefault)) throw new RunSetupError('--auth-token and OAuth (--oauth...) are two ways to authorize; give one');
    return undefined; // a static token: `client` does not authorize on top of it
  }
  if (!(o.oauth === true || someFlag)) return undefined;
  hideSecretArguments();
  const tokenFile = readableFile('--oauth-token-file', o.oauthTokenFile);
  const credentialsFile = readableFile('--oauth-credentials-file', o.oauthCredentialsFile);
  const privateKeyFile = readableFile('--oauth-private-key', o.oauthPrivateKey);
  const clientId = o.oauthClientId as string | undefined;
  const clientSecret = o.oauthClientSecret as string | undefined;
  const grant = (o.oauthGrant as OAuthGrant | undefined) ?? 'auto';
  if (tokenFile !== undefined && (someFlagBesides(o, 'oauthTokenFile'))) throw new RunSetupError('--oauth-token-file sends the tokens as they are: leave out the other --oauth-* flags');
  if (credentialsFile !== undefined && (clientId !== undefined || clientSecret !== undefined || privateKeyFile !== undefined)) {
    throw new RunSetupError('--oauth-credentials-file gives each user its client: leave out --oauth-client-id, --oauth-client-secret and --oauth-private-key');
  }
  if ((clientSecret !== undefined || privateKeyFile !== undefined) && clientId === undefined) throw new RunSetupError('--oauth-client-secret and --oauth-private-key need --oauth-client-id (the client they belong to)');
  if (clientSecret !== undefined && privateKeyFile !== undefined) throw new RunSetupError('--oauth-client-secret and --oauth-private-key are two ways for one client to authenticate; give one');
  if (grant === 'client_credentials' && clientId === undefined && credentialsFile === undefined) {
    throw new RunSetupError('--oauth-grant client_credentials needs a client: --oauth-client-id with --oauth-client-secret or --oauth-private-key, or --oauth-credentials-file');
  }
  if (o.oauthTokenAuth === 'private_key_jwt' && privateKeyFile === undefined) throw new RunSetupError('--oauth-token-auth private_key_jwt needs --oauth-private-key');
  const out: OAuthOptions = { grant };
  if (tokenFile !== undefined) out.tokenFile = tokenFile;
  if (credentialsFile !== undefined) out.credentialsFile = credentialsFile;
  if (privateKeyFile !== undefined) out.privateKeyFile = privateKeyFile;
  if (clientId !== undefined) out.clientId = clientId;
  if (clientSecret !== undefined) out.clientSecret = clientSecret;
  if (o.oauthSigningAlg !== undefined) out.signingAlg = String(o.oauthSigningAlg);
  if (o.oauthTokenAuth !== undefined) out.tokenAuth = o.oauthTokenAuth as TokenEndpointAuth;
  if (o.oauthScope !== undefined) out.scope = String(o.oauthScope);
  if (o.oauthClientMetadataUrl !== undefined) out.clientMetadataUrl = String(o.oauthClientMetadataUrl);
  if (o.oauthRedirectUri !== undefined) out.redirectUri = String(o.oauthRedirectUri);
  if (o.oauthAssertion !== undefined) out.assertion = String(o.oauthAssertion);
  const idp = [o.oauthIdToken, o.oauthIdpTokenEndpoint, o.oauthIdpClientId];
  if (idp.some((v) => v !== undefined)) {
    if (idp.some((v) => v === undefined)) throw new RunSetupError('--oauth-id-token, --oauth-idp-token-endpoint and --oauth-idp-client-id go together');
    out.idp = { idToken: String(o.oauthIdToken), tokenEndpoint: String(o.oauthIdpTokenEndpoint), clientId: String(o.oauthIdpClientId) };
  }
  return out;
}

function someFlagBesides(o: Record<string, unknown>, key: string): boolean {
  return anyValueFlag({ ...o, [key]: undefined });
}

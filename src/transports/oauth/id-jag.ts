/**
 * Enterprise-managed authorization (SEP-990, the "cross-app access" of the
 * conformance suite): the user's ID token from the enterprise identity
 * provider is exchanged there (RFC 8693) for an ID-JAG, an assertion for the
 * MCP server's authorization server, which then grants the access token by
 * the JWT bearer grant (RFC 7523). The SDK runs that second step through
 * the provider's prepareTokenRequest; this is the first.
 */
import type { OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { IdentityProvider } from './options.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Returns the ID-JAG; throws one line (status and OAuth error code, never a body) when the IdP refuses. */
export async function exchangeIdToken(idp: IdentityProvider, discovery: OAuthDiscoveryState | undefined, fetchFn: FetchLike): Promise<string> {
  const issuer = discovery?.authorizationServerMetadata?.issuer ?? discovery?.authorizationServerUrl;
  const resource = discovery?.resourceMetadata?.resource;
  if (issuer === undefined) throw new Error('the ID-JAG exchange needs the authorization server, which discovery did not find');
  const body = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    requested_token_type: 'urn:ietf:params:oauth:token-type:id-jag',
    audience: issuer,
    subject_token: idp.idToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    client_id: idp.clientId,
  });
  if (resource !== undefined) body.set('resource', resource);
  const res = await fetchFn(idp.tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const json = (await res.json().catch(() => undefined)) as { access_token?: unknown; error?: unknown } | undefined;
  if (!res.ok || typeof json?.access_token !== 'string') {
    const code = typeof json?.error === 'string' ? ` ${json.error.slice(0, 60)}` : '';
    throw new Error(`the identity provider refused the ID token exchange: HTTP ${res.status}${code}`);
  }
  return json.access_token;
}

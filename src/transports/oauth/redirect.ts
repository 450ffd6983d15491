/**
 * The non-interactive authorization step of the code grant: instead of a
 * browser, one HTTP GET of the authorization URL without following
 * redirects; the authorization server answers 302 to the redirect_uri, and
 * the code is taken from that Location. Test authorization servers (and the
 * conformance suite's) approve at once this way; one that shows a login
 * page cannot be driven without a browser, and says so here.
 *
 * The redirect is checked as a client must (RFC 9207): an `iss` is required
 * when the server advertises `authorization_response_iss_parameter_supported`
 * and must then equal the metadata's issuer, compared as strings.
 */
import type { OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

/** Returns the authorization code; throws one line saying why there is none. */
export async function followAuthorization(authorizationUrl: URL, discovery: OAuthDiscoveryState | undefined, fetchFn: FetchLike): Promise<string> {
  const res = await fetchFn(authorizationUrl, { method: 'GET', redirect: 'manual' });
  const location = res.headers.get('location');
  if (location === null || res.status < 300 || res.status > 399) {
    throw new Error(`the authorization endpoint answered HTTP ${res.status} without a redirect: it wants a person at a browser, which mcpload cannot be (use client credentials or a token file)`);
  }
  const redirect = new URL(location, authorizationUrl);
  const error = redirect.searchParams.get('error');
  if (error !== null) throw new Error(`the authorization server refused the authorization: ${error.slice(0, 60)}`);
  const sentState = authorizationUrl.searchParams.get('state');
  if (sentState !== null && redirect.searchParams.get('state') !== sentState) throw new Error('the authorization redirect carries another state than the one sent');
  checkIssuer(redirect.searchParams.get('iss'), discovery);
  const code = redirect.searchParams.get('code');
  if (code === null || code === '') throw new Error('the authorization redirect carries no code');
  return code;
}

function checkIssuer(iss: string | null, discovery: OAuthDiscoveryState | undefined): void {
  const metadata = discovery?.authorizationServerMetadata as (Record<string, unknown> & { issuer?: string }) | undefined;
  const expected = metadata?.issuer;
  if (metadata?.authorization_response_iss_parameter_supported === true && iss === null) {
    throw new Error('the authorization redirect has no iss although the server advertises it (RFC 9207): refused');
  }
  if (iss !== null && expected !== undefined && iss !== expected) {
    throw new Error(`the authorization redirect names issuer ${iss.slice(0, 200)}, not ${expected} (RFC 9207): refused`);
  }
}

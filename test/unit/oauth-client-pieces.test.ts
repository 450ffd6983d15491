/**
 * The small, pure parts of the OAuth client: the non-interactive redirect's
 * checks (RFC 9207 iss, state, error), the redactor, and how the
 * conformance suite's context becomes OAuth options. The flows themselves
 * are tested against real authorization servers (conformance-auth,
 * oauth-load).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { followAuthorization } from '../../src/transports/oauth/redirect.js';
import { Redactor } from '../../src/transports/oauth/authorizer.js';
import { conformanceOAuth } from '../../src/cli/conformance-context.js';

const ISSUER = 'https://as.example.com';

function discovery(issParameterSupported: boolean | undefined): OAuthDiscoveryState {
  return {
    authorizationServerUrl: ISSUER,
    authorizationServerMetadata: {
      issuer: ISSUER, authorization_endpoint: `${ISSUER}/authorize`, token_endpoint: `${ISSUER}/token`, response_types_supported: ['code'],
      ...(issParameterSupported === undefined ? {} : { authorization_response_iss_parameter_supported: issParameterSupported }),
    },
  } as OAuthDiscoveryState;
}

/** An authorization endpoint that redirects to `location` (what the function under test reads). */
function redirectingTo(location: string | null, status = 302): FetchLike {
  return (() => Promise.resolve(new Response(null, { status, headers: location === null ? {} : { location } }))) as unknown as FetchLike;
}

const AUTHORIZE = new URL(`${ISSUER}/authorize?state=s1&client_id=c`);

test('the code comes from the Location header, with state and iss checked', async () => {
  assert.equal(await followAuthorization(AUTHORIZE, discovery(true), redirectingTo(`http://127.0.0.1/cb?code=abc&state=s1&iss=${encodeURIComponent(ISSUER)}`)), 'abc');
  assert.equal(await followAuthorization(AUTHORIZE, discovery(undefined), redirectingTo('http://127.0.0.1/cb?code=abc&state=s1')), 'abc');
});

test('a redirect without the advertised iss, with another iss, or with another state is refused', async () => {
  await assert.rejects(followAuthorization(AUTHORIZE, discovery(true), redirectingTo('http://127.0.0.1/cb?code=abc&state=s1')), /no iss/);
  await assert.rejects(followAuthorization(AUTHORIZE, discovery(undefined), redirectingTo('http://127.0.0.1/cb?code=abc&state=s1&iss=https://evil.example')), /names issuer/);
  // Compared as strings (RFC 9207 §2.4): a trailing slash is another issuer.
  await assert.rejects(followAuthorization(AUTHORIZE, discovery(true), redirectingTo(`http://127.0.0.1/cb?code=abc&state=s1&iss=${ISSUER}/`)), /names issuer/);
  await assert.rejects(followAuthorization(AUTHORIZE, discovery(undefined), redirectingTo('http://127.0.0.1/cb?code=abc&state=other')), /another state/);
});

test('a refusal, a login page or a missing code are one line each', async () => {
  await assert.rejects(followAuthorization(AUTHORIZE, discovery(undefined), redirectingTo('http://127.0.0.1/cb?error=access_denied&state=s1')), /refused the authorization: access_denied/);
  await assert.rejects(followAuthorization(AUTHORIZE, discovery(undefined), redirectingTo(null, 200)), /wants a person at a browser/);
  await assert.rejects(followAuthorization(AUTHORIZE, discovery(undefined), redirectingTo('http://127.0.0.1/cb?state=s1')), /no code/);
});

test('the redactor cuts every secret it was given out of a text', () => {
  const r = new Redactor();
  r.add('s3cr3t-value');
  r.add('tok'); // too short to be told apart from ordinary text: ignored
  assert.equal(r.redact('invalid_client for s3cr3t-value (s3cr3t-value) tok'), 'invalid_client for [redacted] ([redacted]) tok');
});

test('the conformance context fills in the client, its key, the identity provider and a workload JWT; flags win', () => {
  const ctx = JSON.stringify({ client_id: 'c1', client_secret: 'x', idp_client_id: 'i', idp_id_token: 't', idp_token_endpoint: 'http://idp/token', valid_jwt: 'j' });
  assert.deepEqual(conformanceOAuth({ grant: 'auto' }, ctx), {
    grant: 'auto', clientId: 'c1', clientSecret: 'x', assertion: 'j', idp: { idToken: 't', tokenEndpoint: 'http://idp/token', clientId: 'i' },
  });
  assert.deepEqual(conformanceOAuth({ grant: 'auto', clientId: 'mine' }, ctx), { grant: 'auto', clientId: 'mine' });
  assert.equal(conformanceOAuth(undefined, ctx), undefined);
  assert.deepEqual(conformanceOAuth({ grant: 'auto' }, 'not json'), { grant: 'auto' });
});

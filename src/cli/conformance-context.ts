/**
 * The official conformance suite hands a client scenario's credentials over
 * in MCP_CONFORMANCE_CONTEXT (JSON: client_id, client_secret,
 * private_key_pem, signing_algorithm, the identity provider's idp_* and a
 * workload's valid_jwt). `mcpload client` takes them as if they had been
 * given as --oauth-* flags; flags given win.
 */
import type { OAuthOptions } from '../transports/oauth/options.js';

interface ConformanceContext {
  client_id?: unknown;
  client_secret?: unknown;
  private_key_pem?: unknown;
  signing_algorithm?: unknown;
  idp_client_id?: unknown;
  idp_id_token?: unknown;
  idp_token_endpoint?: unknown;
  /** Workload identity: a valid JWT assertion. */
  valid_jwt?: unknown;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function conformanceOAuth(oauth: OAuthOptions | undefined, raw: string | undefined): OAuthOptions | undefined {
  if (oauth === undefined || raw === undefined || raw === '' || oauth.clientId !== undefined || oauth.tokenFile !== undefined || oauth.credentialsFile !== undefined) return oauth;
  let ctx: ConformanceContext;
  try {
    ctx = JSON.parse(raw) as ConformanceContext;
  } catch {
    return oauth;
  }
  const clientId = text(ctx?.client_id);
  if (clientId === undefined) return oauth;
  const out: OAuthOptions = { ...oauth, clientId };
  const secret = text(ctx.client_secret);
  const pem = text(ctx.private_key_pem);
  if (secret !== undefined) out.clientSecret = secret;
  if (pem !== undefined) out.privateKeyPem = pem;
  const alg = text(ctx.signing_algorithm);
  if (alg !== undefined && out.signingAlg === undefined) out.signingAlg = alg;
  const assertion = text(ctx.valid_jwt);
  if (assertion !== undefined) out.assertion = assertion;
  const idToken = text(ctx.idp_id_token);
  const tokenEndpoint = text(ctx.idp_token_endpoint);
  const idpClient = text(ctx.idp_client_id);
  if (idToken !== undefined && tokenEndpoint !== undefined && idpClient !== undefined) out.idp = { idToken, tokenEndpoint, clientId: idpClient };
  return out;
}

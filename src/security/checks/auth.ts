/**
 * Authorization checks (MCP 2025-11-25 basic/authorization; RFC 6750 bearer
 * tokens; RFC 9728 protected-resource metadata). They run when the server
 * asks for a token or --auth-token was given; otherwise they are skipped.
 */
import { randomBytes } from 'node:crypto';
import { deviates, fail, inconclusive, pass, skip, type CheckOutcome, type Evidence, type SecurityCheck } from '../check.js';
import type { ProbeContext } from '../probe-context.js';
import { jsonRpcResult } from '../probe-http.js';

const SPEC_AUTH = 'MCP 2025-11-25 basic/authorization; RFC 6750 §3';
export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource';
const QUOTE_METADATA_DISCOVERY = 'MCP servers MUST implement one of the following discovery mechanisms to provide authorization server location information to MCP clients: WWW-Authenticate Header [resource_metadata, on 401 Unauthorized] ... Well-Known URI.';
const QUOTE_BEARER_401 = 'MCP servers MUST use the WWW-Authenticate header when returning a 401 Unauthorized (RFC 9728 §5.1; RFC 6750 §3: the Bearer challenge).';
const QUOTE_INVALID_TOKEN = 'Invalid or expired tokens MUST receive a HTTP 401 response.';

/** RFC 9728 §3.1: the path-suffixed well-known URL first, then the bare one; only the target's origin is asked. */
async function wellKnownMetadata(ctx: ProbeContext): Promise<{ foundAt?: string; resource?: string; evidence: Evidence[] }> {
  const origin = new URL(ctx.opts.mcpUrl).origin;
  const mcpPath = new URL(ctx.opts.mcpUrl).pathname.replace(/\/$/, '');
  const evidence: Evidence[] = [];
  for (const url of [`${origin}${PROTECTED_RESOURCE_PATH}${mcpPath}`, `${origin}${PROTECTED_RESOURCE_PATH}`]) {
    const ex = await ctx.send({ method: 'GET', url, headers: ctx.headersWith(undefined, { accept: 'application/json' }) });
    evidence.push(ex.evidence);
    if (ex.res.status !== 200) continue;
    try {
      const doc = JSON.parse(ex.res.text) as { resource?: unknown };
      if (typeof doc.resource === 'string' && doc.resource.length > 0) return { foundAt: new URL(url).pathname, resource: doc.resource, evidence: [ex.evidence] };
    } catch {
      // not JSON: keep looking
    }
  }
  return { evidence };
}

async function needsAuth(ctx: ProbeContext): Promise<CheckOutcome | undefined> {
  const { required, status } = await ctx.authRequired();
  if (required) return undefined;
  if (status === 404) return skip(`no MCP endpoint at ${new URL(ctx.opts.mcpUrl).pathname} (404): no token check to try there`);
  return skip('the server serves requests without a token and no --auth-token was given');
}

function noReply(ev: Evidence): CheckOutcome {
  return inconclusive(`no reply: ${ev.body}`, [ev]);
}

export const authNoToken: SecurityCheck = {
  id: 'auth.no-token',
  title: 'A request without a token gets 401 naming resource_metadata',
  category: 'auth',
  severity: 'high',
  spec: `${SPEC_AUTH}; RFC 9728 §5.1`,
  cheap: true,
  async run(ctx) {
    const skipped = await needsAuth(ctx);
    if (skipped) return skipped;
    const ex = await ctx.send({ method: 'POST', url: ctx.opts.mcpUrl, headers: ctx.mcpHeaders(undefined, undefined), body: ctx.initializeBody() });
    const { res } = ex;
    if (res.status === 0) return noReply(ex.evidence);
    if (res.status >= 200 && res.status < 300) return fail(`initialize without a token was served (${res.status})`, [ex.evidence]);
    if (res.status !== 401) return deviates(`initialize without a token was refused with ${res.status}, not 401`, QUOTE_BEARER_401, [ex.evidence]);
    const challenge = res.headers['www-authenticate'] ?? '';
    if (!/^\s*bearer\b/i.test(challenge)) return deviates('401 without a Bearer WWW-Authenticate challenge', QUOTE_BEARER_401, [ex.evidence]);
    if (/resource_metadata\s*=/i.test(challenge)) return pass('401 with a Bearer challenge naming resource_metadata', [ex.evidence]);
    // The spec accepts either way of pointing at the metadata.
    const doc = await wellKnownMetadata(ctx);
    if (doc.foundAt) return pass(`401 with a Bearer challenge; the resource metadata is at ${doc.foundAt}`, [ex.evidence]);
    return deviates('401 with a Bearer challenge that names no resource_metadata, and no well-known metadata document', QUOTE_METADATA_DISCOVERY, [ex.evidence, ...doc.evidence]);
  },
};

export const authMetadata: SecurityCheck = {
  id: 'auth.protected-resource-metadata',
  title: 'Protected-resource metadata is served',
  category: 'auth',
  severity: 'low',
  kind: 'conformance',
  spec: 'RFC 9728 §3; MCP 2025-11-25 basic/authorization §Protected Resource Metadata Discovery Requirements',
  cheap: true,
  async run(ctx) {
    const skipped = await needsAuth(ctx);
    if (skipped) return skipped;
    const doc = await wellKnownMetadata(ctx);
    if (doc.foundAt) return pass(`served at ${doc.foundAt} with resource ${JSON.stringify(doc.resource)}`, doc.evidence);
    // Or the 401 challenge points at it (possibly on another origin, which the probe does not ask).
    const first = (await ctx.authRequired()).evidence;
    const named = /resource_metadata\s*=\s*"?([^",\s]+)/i.exec(first.headers?.['www-authenticate'] ?? '');
    if (named) return pass(`the 401 challenge names resource_metadata ${named[1]}`, [first]);
    return deviates('no protected-resource metadata document with a "resource" field', QUOTE_METADATA_DISCOVERY, doc.evidence);
  },
};

export const authWrongToken: SecurityCheck = {
  id: 'auth.wrong-token',
  title: 'A wrong token gets 401',
  category: 'auth',
  severity: 'critical',
  spec: `${SPEC_AUTH} (invalid_token)`,
  cheap: true,
  async run(ctx) {
    const skipped = await needsAuth(ctx);
    if (skipped) return skipped;
    const wrong = `mcpload-wrong-${randomBytes(12).toString('hex')}`;
    const ex = await ctx.send({ method: 'POST', url: ctx.opts.mcpUrl, headers: ctx.mcpHeaders(undefined, wrong), body: ctx.initializeBody() });
    if (ex.res.status === 0) return noReply(ex.evidence);
    if (ex.res.status === 401) return pass('a made-up token got 401', [ex.evidence]);
    if (ex.res.status >= 400 && ex.res.status < 500) return deviates(`a made-up token was refused with ${ex.res.status}, not 401`, QUOTE_INVALID_TOKEN, [ex.evidence]);
    const sid = ex.res.headers['mcp-session-id'];
    if (sid !== undefined) await ctx.send({ method: 'DELETE', url: ctx.opts.mcpUrl, headers: ctx.headersWith(wrong, { 'mcp-session-id': sid }) });
    return fail(`a made-up token answered ${ex.res.status}, expected 401`, [ex.evidence]);
  },
};

export const authQueryToken: SecurityCheck = {
  id: 'auth.token-in-query',
  title: 'A token in the query string is refused',
  category: 'auth',
  severity: 'medium',
  spec: 'MCP 2025-11-25 basic/authorization §Token Requirements; OAuth 2.1 §5.2 (no tokens in URIs)',
  cheap: true,
  async run(ctx) {
    const skipped = await needsAuth(ctx);
    if (skipped) return skipped;
    const token = ctx.token;
    if (token === undefined) return skip('needs a valid token (--auth-token) to tell a refusal from a plain 401');
    const url = new URL(ctx.opts.mcpUrl);
    url.searchParams.set('access_token', token);
    const ex = await ctx.send({ method: 'POST', url: url.href, headers: ctx.mcpHeaders(undefined, undefined), body: ctx.initializeBody() });
    if (ex.res.status === 0) return noReply(ex.evidence);
    if (ex.res.status >= 400 && ex.res.status < 500) return pass(`a token in the URL got ${ex.res.status}`, [ex.evidence]);
    const sid = ex.res.headers['mcp-session-id'];
    if (sid !== undefined) await ctx.send({ method: 'DELETE', url: ctx.opts.mcpUrl, headers: ctx.headersWith(token, { 'mcp-session-id': sid }) });
    return fail(`a token in the query string was accepted (${ex.res.status})`, [ex.evidence]);
  },
};

export const authBeforeTools: SecurityCheck = {
  id: 'auth.before-tools',
  title: 'An unauthenticated tool call is refused before the tool runs',
  category: 'auth',
  severity: 'critical',
  spec: `${SPEC_AUTH}; MCP 2025-11-25 basic/security_best_practices`,
  cheap: true,
  async run(ctx) {
    const skipped = await needsAuth(ctx);
    if (skipped) return skipped;
    const evidence: Evidence[] = [];
    const call = { jsonrpc: '2.0', id: ctx.id(), method: 'tools/call', params: { name: 'echo', arguments: { text: 'mcpload probe' } } };
    const mcp = await ctx.send({ method: 'POST', url: ctx.opts.mcpUrl, headers: ctx.mcpHeaders(undefined, undefined), body: JSON.stringify(call) });
    evidence.push(mcp.evidence);
    if (mcp.res.status === 0) return noReply(mcp.evidence);
    if (jsonRpcResult(mcp.res) !== undefined || mcp.res.status < 400) return fail(`tools/call without a token answered ${mcp.res.status} with a result`, evidence);
    // The REST face, when there is one, must be closed the same way (a classic gap: auth on /mcp only).
    const rest = await ctx.send({
      method: 'POST', url: ctx.restUrl('/api/v1/tools/call'), headers: ctx.headersWith(undefined, { 'content-type': 'application/json', accept: 'application/json' }),
      body: JSON.stringify({ name: 'echo', arguments: { text: 'mcpload probe' } }),
    });
    evidence.push(rest.evidence);
    if (rest.res.status >= 200 && rest.res.status < 300) return fail(`POST /api/v1/tools/call without a token answered ${rest.res.status}`, evidence);
    return pass(`refused: /mcp ${mcp.res.status}, REST ${rest.res.status}`, evidence);
  },
};

export const AUTH_CHECKS: readonly SecurityCheck[] = [authNoToken, authMetadata, authWrongToken, authQueryToken, authBeforeTools];

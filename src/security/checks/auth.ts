/**
 * Authorization checks (MCP 2025-11-25 basic/authorization; RFC 6750 bearer
 * tokens; RFC 9728 protected-resource metadata). They run when the server
 * asks for a token or --auth-token was given; otherwise they are skipped.
 */
import { randomBytes } from 'node:crypto';
import { fail, inconclusive, pass, skip, type CheckOutcome, type Evidence, type SecurityCheck } from '../check.js';
import type { ProbeContext } from '../probe-context.js';
import { jsonRpcResult } from '../probe-http.js';

const SPEC_AUTH = 'MCP 2025-11-25 basic/authorization; RFC 6750 §3';
export const PROTECTED_RESOURCE_PATH = '/.well-known/oauth-protected-resource';

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
    if (res.status !== 401) return fail(`initialize without a token answered ${res.status}, expected 401`, [ex.evidence]);
    const challenge = res.headers['www-authenticate'] ?? '';
    if (!/^\s*bearer\b/i.test(challenge)) return fail('401 without a Bearer WWW-Authenticate challenge', [ex.evidence]);
    if (!/resource_metadata\s*=/i.test(challenge)) return fail('the WWW-Authenticate challenge does not name resource_metadata', [ex.evidence]);
    return pass('401 with a Bearer challenge naming resource_metadata', [ex.evidence]);
  },
};

export const authMetadata: SecurityCheck = {
  id: 'auth.protected-resource-metadata',
  title: 'Protected-resource metadata is served',
  category: 'auth',
  severity: 'medium',
  spec: 'RFC 9728 §3; MCP 2025-11-25 basic/authorization §Authorization Server Discovery',
  cheap: true,
  async run(ctx) {
    const skipped = await needsAuth(ctx);
    if (skipped) return skipped;
    const origin = new URL(ctx.opts.mcpUrl).origin;
    const mcpPath = new URL(ctx.opts.mcpUrl).pathname.replace(/\/$/, '');
    // RFC 9728 §3.1: the path-suffixed form first, then the bare well-known URL. Only the target's origin is asked.
    const urls = [`${origin}${PROTECTED_RESOURCE_PATH}${mcpPath}`, `${origin}${PROTECTED_RESOURCE_PATH}`];
    const evidence: Evidence[] = [];
    for (const url of urls) {
      const ex = await ctx.send({ method: 'GET', url, headers: ctx.headersWith(undefined, { accept: 'application/json' }) });
      evidence.push(ex.evidence);
      if (ex.res.status !== 200) continue;
      try {
        const doc = JSON.parse(ex.res.text) as { resource?: unknown };
        if (typeof doc.resource === 'string' && doc.resource.length > 0) return pass(`served at ${new URL(url).pathname} with resource ${JSON.stringify(doc.resource)}`, [ex.evidence]);
      } catch {
        // not JSON: keep looking
      }
    }
    return fail('no protected-resource metadata document with a "resource" field', evidence);
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

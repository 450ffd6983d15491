/**
 * Browser-facing protections of the HTTP transport: a foreign Origin is
 * refused (MCP 2025-11-25 transports §Security Warning: 403), and a local
 * server refuses a Host header that is not its own (DNS rebinding).
 */
import { deviates, fail, inconclusive, pass, skip, type SecurityCheck } from '../check.js';
import type { ProbeContext } from '../probe-context.js';

const SPEC_TRANSPORT = 'MCP 2025-11-25 basic/transports §Security Warning';
const FOREIGN_ORIGIN = 'http://evil.example';
const FOREIGN_HOST = 'rebind.evil.example';
const QUOTE_ORIGIN = 'Servers MUST validate the Origin header on all incoming connections to prevent DNS rebinding attacks. If the Origin header is present and invalid, servers MUST respond with HTTP 403 Forbidden.';

/** Closes a session that a request which should have been refused opened anyway. */
async function closeLeaked(ctx: ProbeContext, sid: string | undefined): Promise<void> {
  if (sid !== undefined) await ctx.send({ method: 'DELETE', url: ctx.opts.mcpUrl, headers: ctx.headersWith(ctx.token, { 'mcp-session-id': sid }) });
}

export const foreignOrigin: SecurityCheck = {
  id: 'origin.foreign',
  title: 'A foreign Origin gets 403',
  category: 'origin',
  severity: 'high',
  spec: `${SPEC_TRANSPORT} (validate Origin, 403)`,
  cheap: true,
  async run(ctx) {
    const { required, status } = await ctx.authRequired();
    if (required && ctx.token === undefined) return skip('the server requires a token: pass --auth-token so that a 401 is not mistaken for the Origin check');
    const ex = await ctx.send({ method: 'POST', url: ctx.opts.mcpUrl, headers: ctx.mcpHeaders(undefined, ctx.token, { origin: FOREIGN_ORIGIN }), body: ctx.initializeBody() });
    if (ex.res.status === 0) return inconclusive(`no reply: ${ex.evidence.body}`, [ex.evidence]);
    if (ex.res.status === 403) return pass(`Origin ${FOREIGN_ORIGIN} got 403`, [ex.evidence]);
    // 404 with and without the foreign Origin: there is no MCP endpoint to protect (a REST-only server).
    if (ex.res.status === 404 && status === 404) return skip(`no MCP endpoint at ${new URL(ctx.opts.mcpUrl).pathname} (404)`, [ex.evidence]);
    // Refused, with another code: nothing was let through.
    if (ex.res.status >= 400 && ex.res.status < 500) return deviates(`Origin ${FOREIGN_ORIGIN} was refused with ${ex.res.status}, not 403`, QUOTE_ORIGIN, [ex.evidence]);
    await closeLeaked(ctx, ex.res.headers['mcp-session-id']);
    return fail(`Origin ${FOREIGN_ORIGIN} answered ${ex.res.status}, expected 403`, [ex.evidence]);
  },
};

export const rebindingHost: SecurityCheck = {
  id: 'origin.rebinding-host',
  title: 'A local server refuses a foreign Host header (DNS rebinding)',
  category: 'origin',
  severity: 'high',
  spec: `${SPEC_TRANSPORT} (bind to localhost, DNS rebinding)`,
  cheap: true,
  async run(ctx) {
    if (!ctx.isLocalTarget) return skip('the target is not a loopback address; DNS rebinding concerns local servers');
    // A rebound name reaches an HTTPS server only with a certificate for that name, which the browser would refuse;
    // and undici would check the server's certificate against the forged Host (no reply, no verdict).
    if (new URL(ctx.opts.mcpUrl).protocol === 'https:') return skip('HTTPS target: a rebound DNS name fails the certificate check before any Host check matters');
    const { required } = await ctx.authRequired();
    if (required && ctx.token === undefined) return skip('the server requires a token: pass --auth-token');
    const ex = await ctx.send({ method: 'POST', url: ctx.opts.mcpUrl, headers: ctx.mcpHeaders(undefined, ctx.token, { host: FOREIGN_HOST }), body: ctx.initializeBody() });
    if (ex.res.status === 0) return inconclusive(`no reply: ${ex.evidence.body}`, [ex.evidence]);
    if (ex.res.status === 404 && (await ctx.authRequired()).status === 404) return skip(`no MCP endpoint at ${new URL(ctx.opts.mcpUrl).pathname} (404)`, [ex.evidence]);
    if (ex.res.status >= 400 && ex.res.status < 500) return pass(`Host ${FOREIGN_HOST} got ${ex.res.status}`, [ex.evidence]);
    await closeLeaked(ctx, ex.res.headers['mcp-session-id']);
    return fail(`Host ${FOREIGN_HOST} answered ${ex.res.status}; a rebound DNS name reaches this local server`, [ex.evidence]);
  },
};

export const ORIGIN_CHECKS: readonly SecurityCheck[] = [foreignOrigin, rebindingHost];

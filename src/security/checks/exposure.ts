/**
 * What must stay closed: sensitive REST routes and destructive methods (the
 * shared list in sensitive-routes.ts), tools the user blocked, tools a REST
 * discovery face shows but tools/list hides, and tools that do not exist.
 */
import { randomBytes } from 'node:crypto';
import { DESTRUCTIVE_METHODS, refusedStatusesFor, SECURITY_PROBES, type SecurityProbeRequest } from '../../protocol/sensitive-routes.js';
import { deviates, fail, inconclusive, pass, skip, type CheckOutcome, type Evidence, type SecurityCheck } from '../check.js';
import { matchesPattern } from '../metadata-analysis.js';
import type { Exchange, ProbeContext, ProbeSession } from '../probe-context.js';
import { jsonRpcMessages } from '../probe-http.js';

const SPEC_SECURITY = 'MCP 2025-11-25 basic/security_best_practices';
const SPEC_TOOLS = 'MCP 2025-11-25 server/tools §Error Handling';
const DISCOVERY_PATH = '/api/v1/mcp/discovery';
/** Text of a tool error that says "no such tool" rather than "the tool ran and failed". */
const NOT_FOUND_TEXT = /not found|unknown tool|no such tool|does not exist|not exist|disabled|not allowed|forbidden|denied|unauthori[sz]ed|invalid tool/i;

async function probeRoutes(ctx: ProbeContext, probes: readonly SecurityProbeRequest[]): Promise<CheckOutcome> {
  const evidence: Evidence[] = [];
  const open: string[] = [];
  let noReply = 0;
  for (const probe of probes) {
    const body = probe.body === undefined ? undefined : JSON.stringify(probe.body);
    const headers = ctx.headersWith(ctx.token, body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' });
    const ex = await ctx.send({ method: probe.method, url: ctx.restUrl(probe.path), headers, ...(body === undefined ? {} : { body }) });
    if (ex.res.status === 0) noReply++;
    else if (!refusedStatusesFor(probe.method).includes(ex.res.status)) {
      open.push(`${probe.method} ${probe.path} → ${ex.res.status}`);
      evidence.push(ex.evidence);
    }
  }
  const statuses = [...new Set(probes.flatMap((p) => refusedStatusesFor(p.method)))].sort().join('/');
  if (open.length > 0) return fail(`${open.length} of ${probes.length} answered other than ${statuses}: ${open.join(', ')}`, evidence);
  if (noReply === probes.length) return inconclusive('no route answered at all');
  return pass(`all ${probes.length} refused with ${statuses}`);
}

const isDestructive = (p: SecurityProbeRequest) => DESTRUCTIVE_METHODS.includes(p.method.toUpperCase());

export const sensitiveRoutes: SecurityCheck = {
  id: 'exposure.sensitive-routes',
  title: 'Login, user, admin and debug routes are refused',
  category: 'exposure',
  severity: 'high',
  spec: `${SPEC_SECURITY}; OWASP API Security Top 10 API5 (broken function level authorization)`,
  cheap: true,
  run(ctx) {
    const extra = (ctx.opts.blockedRoutes ?? []).map((path) => ({ method: 'GET', path }));
    return probeRoutes(ctx, [...SECURITY_PROBES.filter((p) => !isDestructive(p)), ...extra]);
  },
};

export const destructiveMethods: SecurityCheck = {
  id: 'exposure.destructive-methods',
  title: 'DELETE, PUT and PATCH on API routes are refused',
  category: 'exposure',
  severity: 'high',
  spec: 'RFC 9110 §9.3 (unsafe methods); OWASP API Security Top 10 API5',
  cheap: true,
  run: (ctx) => probeRoutes(ctx, SECURITY_PROBES.filter(isDestructive)),
};

/** Calls a tool and tells whether the server refused it as absent or forbidden. */
async function tryCall(ctx: ProbeContext, session: ProbeSession, name: string): Promise<{ refused: boolean; ex: Exchange; why: string }> {
  const ex = await ctx.rpc(session, 'tools/call', { name, arguments: {} });
  if (ex.res.status >= 400) return { refused: true, ex, why: `HTTP ${ex.res.status}` };
  const reply = jsonRpcMessages(ex.res).find((m) => 'result' in m || 'error' in m);
  if (!reply) return { refused: true, ex, why: ex.res.status === 0 ? 'no reply' : 'no JSON-RPC answer' };
  if (reply.error !== undefined) return { refused: true, ex, why: `JSON-RPC error ${String((reply.error as { code?: unknown }).code)}` };
  const result = reply.result as { isError?: unknown; content?: { text?: unknown }[] } | undefined;
  const text = (result?.content ?? []).map((c) => (typeof c?.text === 'string' ? c.text : '')).join(' ');
  if (result?.isError === true && NOT_FOUND_TEXT.test(text)) return { refused: true, ex, why: 'isError: not found' };
  return { refused: false, ex, why: result?.isError === true ? 'the tool exists (it ran and reported an error)' : 'the tool ran' };
}

async function withToolSession(ctx: ProbeContext, fn: (s: ProbeSession) => Promise<CheckOutcome>): Promise<CheckOutcome> {
  const { required } = await ctx.authRequired();
  if (required && ctx.token === undefined) return skip('the server requires a token: pass --auth-token');
  return ctx.withSession(fn, (reason, evidence) => inconclusive(`cannot open a session: ${reason}`, [evidence]));
}

/** Tool names of the REST discovery face, or undefined when there is none. */
async function discoveredTools(ctx: ProbeContext): Promise<{ names: string[]; evidence: Evidence } | undefined> {
  const ex = await ctx.send({ method: 'GET', url: ctx.restUrl(DISCOVERY_PATH), headers: ctx.headersWith(ctx.token, { accept: 'application/json' }) });
  if (ex.res.status !== 200) return undefined;
  try {
    const doc = JSON.parse(ex.res.text) as { tools?: { name?: unknown }[] };
    if (!Array.isArray(doc.tools)) return undefined;
    return { names: doc.tools.map((t) => t?.name).filter((n): n is string => typeof n === 'string'), evidence: ex.evidence };
  } catch {
    return undefined;
  }
}

export const blockedTools: SecurityCheck = {
  id: 'exposure.blocked-tools',
  title: 'Tools matching --blocked-tools are neither listed nor callable',
  category: 'exposure',
  severity: 'critical',
  spec: `${SPEC_SECURITY} (least privilege)`,
  cheap: true,
  async run(ctx) {
    const patterns = ctx.opts.blockedTools ?? [];
    if (patterns.length === 0) return skip('no --blocked-tools patterns given');
    return withToolSession(ctx, async (session) => {
      const listed = await ctx.listTools(session);
      if (!listed.tools) return inconclusive('tools/list failed', [listed.evidence]);
      const blocked = (name: string) => patterns.some((p) => matchesPattern(name, p));
      const problems: string[] = [];
      const evidence: Evidence[] = [];
      const listedBlocked = listed.tools.map((t) => t.name).filter(blocked);
      if (listedBlocked.length > 0) {
        problems.push(`listed: ${listedBlocked.join(', ')}`);
        evidence.push(listed.evidence);
      }
      // Try every blocked name we know of: listed, discovered over REST, and literal patterns.
      const discovered = (await discoveredTools(ctx))?.names ?? [];
      const candidates = new Set([...listedBlocked, ...discovered.filter(blocked), ...patterns.filter((p) => !p.includes('*'))]);
      for (const name of candidates) {
        const call = await tryCall(ctx, session, name);
        if (!call.refused) {
          problems.push(`callable: ${name} (${call.why})`);
          evidence.push(call.ex.evidence);
        }
      }
      if (problems.length > 0) return fail(problems.join('; '), evidence);
      return pass(`no tool matching ${patterns.join(', ')} is listed; ${candidates.size} name(s) tried and refused`);
    });
  },
};

export const hiddenTools: SecurityCheck = {
  id: 'exposure.hidden-tools',
  title: 'Tools shown by REST discovery but not by tools/list cannot be called',
  category: 'exposure',
  severity: 'critical',
  spec: `${SPEC_TOOLS}; ${SPEC_SECURITY}`,
  cheap: true,
  run: (ctx) =>
    withToolSession(ctx, async (session) => {
      const discovered = await discoveredTools(ctx);
      if (!discovered) return skip(`no REST discovery face (${DISCOVERY_PATH})`);
      const listed = await ctx.listTools(session);
      if (!listed.tools) return inconclusive('tools/list failed', [listed.evidence]);
      const names = new Set(listed.tools.map((t) => t.name));
      const hidden = discovered.names.filter((n) => !names.has(n));
      if (hidden.length === 0) return pass('REST discovery and tools/list name the same tools');
      const callable: string[] = [];
      const evidence: Evidence[] = [discovered.evidence];
      for (const name of hidden) {
        const call = await tryCall(ctx, session, name);
        if (!call.refused) {
          callable.push(`${name} (${call.why})`);
          evidence.push(call.ex.evidence);
        }
      }
      if (callable.length > 0) return fail(`left out of tools/list but callable: ${callable.join(', ')}`, evidence);
      return pass(`${hidden.length} tool(s) only in REST discovery, none callable over MCP`);
    }),
};

/** A result for a tool that does not exist runs nothing: conformance (the spec asks for a protocol error). */
export const unknownTool: SecurityCheck = {
  id: 'exposure.unknown-tool',
  title: 'An unknown tool gets an error, not a result',
  category: 'exposure',
  severity: 'low',
  kind: 'conformance',
  spec: `${SPEC_TOOLS} (unknown tool: -32602)`,
  cheap: true,
  run: (ctx) =>
    withToolSession(ctx, async (session) => {
      const name = `mcpload-no-such-tool-${randomBytes(6).toString('hex')}`;
      const ex = await ctx.rpc(session, 'tools/call', { name, arguments: {} });
      if (ex.res.status === 0) return inconclusive(`no reply: ${ex.evidence.body}`, [ex.evidence]);
      const reply = jsonRpcMessages(ex.res).find((m) => 'result' in m || 'error' in m);
      if (ex.res.status >= 400 && ex.res.status < 500) return pass(`HTTP ${ex.res.status}`, [ex.evidence]);
      if (reply?.error !== undefined) return pass(`JSON-RPC error ${String((reply.error as { code?: unknown }).code)}`, [ex.evidence]);
      if ((reply?.result as { isError?: unknown } | undefined)?.isError === true) return pass('a tool error (isError: true)', [ex.evidence]);
      return deviates(`an unknown tool answered ${ex.res.status} with a result`, 'Protocol Errors: Standard JSON-RPC errors for issues like: Unknown tools', [ex.evidence]);
    }),
};

export const EXPOSURE_CHECKS: readonly SecurityCheck[] = [sensitiveRoutes, destructiveMethods, blockedTools, hiddenTools, unknownTool];

/**
 * Resource limits, only with --aggressive: they load the server (many
 * sessions) or wait (idle expiry). SDK 1.x servers keep every session until
 * it is closed, so a server without a cap or expiry can be exhausted by
 * clients that never say goodbye.
 */
import { fail, inconclusive, pass, skip, type CheckOutcome, type Evidence, type SecurityCheck } from '../check.js';
import type { ProbeContext, ProbeSession } from '../probe-context.js';

const SPEC_LIMITS = 'MCP 2025-11-25 basic/security_best_practices; OWASP API Security Top 10 API4 (unrestricted resource consumption)';
export const DEFAULT_MAX_PROBE_SESSIONS = 1000;
export const DEFAULT_IDLE_WAIT_MS = 70_000;
/** Sessions opened at once while looking for the cap. */
const PARALLEL = 8;

async function tokenOk(ctx: ProbeContext): Promise<CheckOutcome | undefined> {
  const { required } = await ctx.authRequired();
  return required && ctx.token === undefined ? skip('the server requires a token: pass --auth-token') : undefined;
}

export const sessionCap: SecurityCheck = {
  id: 'limits.session-cap',
  title: 'The server caps how many sessions it holds',
  category: 'limits',
  severity: 'low',
  spec: SPEC_LIMITS,
  cheap: false,
  aggressive: true,
  async run(ctx) {
    const skipped = await tokenOk(ctx);
    if (skipped) return skipped;
    const max = ctx.opts.maxProbeSessions ?? DEFAULT_MAX_PROBE_SESSIONS;
    const opened: ProbeSession[] = [];
    let refusal: Evidence | undefined;
    let refusedAt = 0;
    try {
      while (opened.length < max && !refusal) {
        const batch = await Promise.all(Array.from({ length: Math.min(PARALLEL, max - opened.length) }, () => ctx.openSession()));
        for (const open of batch) {
          if (open.ok) {
            if (open.session.id === undefined) return skip('the server is stateless (no sessions to cap)');
            opened.push(open.session);
          } else if (!refusal) {
            refusal = open.evidence;
            refusedAt = opened.length;
          }
        }
      }
    } finally {
      for (let i = 0; i < opened.length; i += PARALLEL) await Promise.all(opened.slice(i, i + PARALLEL).map((s) => ctx.closeSession(s)));
    }
    if (!refusal) return fail(`accepted ${opened.length} sessions without refusing one (the probe stops at ${max})`);
    if (refusal.status === 503 || refusal.status === 429) return pass(`refused session ${refusedAt + 1} with ${refusal.status}`, [refusal]);
    if (refusal.status === 0) return inconclusive(`the server stopped answering after ${refusedAt} sessions`, [refusal]);
    return fail(`after ${refusedAt} sessions initialize answered ${refusal.status}, expected 503 or 429`, [refusal]);
  },
};

export const idleExpiry: SecurityCheck = {
  id: 'limits.idle-expiry',
  title: 'Idle sessions expire',
  category: 'limits',
  severity: 'low',
  spec: SPEC_LIMITS,
  cheap: false,
  aggressive: true,
  async run(ctx) {
    const skipped = await tokenOk(ctx);
    if (skipped) return skipped;
    const waitMs = ctx.opts.idleWaitMs ?? DEFAULT_IDLE_WAIT_MS;
    const open = await ctx.openSession();
    if (!open.ok) return inconclusive(`cannot open a session: ${open.reason}`, [open.evidence]);
    if (open.session.id === undefined) return skip('the server is stateless (no sessions to expire)');
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    const ex = await ctx.rpc(open.session, 'ping');
    if (ex.res.status === 404) return pass(`the session had expired after ${Math.round(waitMs / 1000)} s idle`, [ex.evidence]);
    await ctx.closeSession(open.session);
    return fail(`the session was still served after ${Math.round(waitMs / 1000)} s idle (${ex.res.status})`, [ex.evidence]);
  },
};

export const LIMIT_CHECKS: readonly SecurityCheck[] = [sessionCap, idleExpiry];

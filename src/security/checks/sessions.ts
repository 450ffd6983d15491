/**
 * Session handling of the Streamable HTTP transport (MCP 2025-11-25
 * basic/transports §Session Management, and security_best_practices
 * §Session Hijacking): ids are required, unknown and ended ids are refused,
 * a session is bound to the principal that made it, and ids are
 * unpredictable.
 */
import { randomBytes } from 'node:crypto';
import { fail, inconclusive, pass, skip, type CheckOutcome, type Evidence, type SecurityCheck } from '../check.js';
import type { ProbeContext, ProbeSession } from '../probe-context.js';
import { jsonRpcResult } from '../probe-http.js';
import { analyseSessionIds } from '../session-id-analysis.js';

const SPEC_SESSIONS = 'MCP 2025-11-25 basic/transports §Session Management';
const SPEC_HIJACK = 'MCP 2025-11-25 basic/security_best_practices §Session Hijacking';
/** How many sessions the id analysis samples. */
export const SESSION_SAMPLE_SIZE = 50;

/** Opens a session for a check, or says why the check cannot run. */
async function sessionFor(ctx: ProbeContext, fn: (s: ProbeSession, opened: Evidence) => Promise<CheckOutcome>): Promise<CheckOutcome> {
  const { required } = await ctx.authRequired();
  if (required && ctx.token === undefined) return skip('the server requires a token: pass --auth-token');
  return ctx.withSession(
    async (session, opened) => {
      if (session.id === undefined) return skip('the server is stateless (no MCP-Session-Id handed out)', [opened]);
      return fn(session, opened);
    },
    (reason, evidence) => inconclusive(`cannot open a session: ${reason}`, [evidence]),
  );
}

export const missingSessionId: SecurityCheck = {
  id: 'session.missing-id',
  title: 'A request without MCP-Session-Id after initialize gets 400',
  category: 'session',
  severity: 'medium',
  spec: `${SPEC_SESSIONS} (MUST respond 400)`,
  cheap: true,
  run: (ctx) =>
    sessionFor(ctx, async (session) => {
      const ex = await ctx.rpc({ ...session, id: undefined }, 'tools/list');
      if (ex.res.status === 400) return pass('400 without the session id', [ex.evidence]);
      return fail(`a request without the session id answered ${ex.res.status}, expected 400`, [ex.evidence]);
    }),
};

export const forgedSessionId: SecurityCheck = {
  id: 'session.forged-id',
  title: 'A forged session id gets 404',
  category: 'session',
  severity: 'high',
  spec: `${SPEC_SESSIONS} (unknown id: 404); ${SPEC_HIJACK}`,
  cheap: true,
  run: (ctx) =>
    sessionFor(ctx, async (session) => {
      const forged = randomBytes(16).toString('hex');
      const ex = await ctx.rpc({ ...session, id: forged }, 'tools/list');
      if (ex.res.status === 404) return pass('a random session id got 404', [ex.evidence]);
      return fail(`a forged session id answered ${ex.res.status}, expected 404`, [ex.evidence]);
    }),
};

export const reusedSessionId: SecurityCheck = {
  id: 'session.reuse-after-delete',
  title: 'A session id used after DELETE gets 404',
  category: 'session',
  severity: 'high',
  spec: `${SPEC_SESSIONS} (DELETE ends the session; then 404)`,
  cheap: true,
  run: (ctx) =>
    sessionFor(ctx, async (session) => {
      const del = await ctx.closeSession(session);
      if (!del) return skip('no session to end');
      if (del.res.status === 405) return skip('the server does not let clients end sessions (DELETE → 405)', [del.evidence]);
      if (del.res.status < 200 || del.res.status > 299) return fail(`DELETE of the session answered ${del.res.status}`, [del.evidence]);
      const ex = await ctx.rpc(session, 'tools/list');
      if (ex.res.status === 404) return pass('the ended session id got 404', [del.evidence, ex.evidence]);
      return fail(`the ended session id answered ${ex.res.status}, expected 404`, [del.evidence, ex.evidence]);
    }),
};

export const sessionTokenBinding: SecurityCheck = {
  id: 'session.token-binding',
  title: 'A session opened with token A is refused with token B',
  category: 'session',
  severity: 'critical',
  spec: `${SPEC_HIJACK} (bind session ids to the user)`,
  cheap: true,
  async run(ctx) {
    if (ctx.token === undefined || ctx.opts.authTokenB === undefined) {
      return skip('needs two valid tokens of different principals: --auth-token and --auth-token-b');
    }
    return sessionFor(ctx, async (session) => {
      const ex = await ctx.rpc(session, 'tools/list', undefined, { token: ctx.opts.authTokenB });
      if (ex.res.status >= 400 && ex.res.status < 500 && jsonRpcResult(ex.res) === undefined) {
        return pass(`token B on token A's session got ${ex.res.status}`, [ex.evidence]);
      }
      return fail(`token B was served on token A's session (${ex.res.status})`, [ex.evidence]);
    });
  },
};

/** Opens SESSION_SAMPLE_SIZE sessions one after another, closing each; the ids in order. Cached per context. */
const samples = new WeakMap<ProbeContext, Promise<{ ids: string[]; evidence: Evidence[] } | CheckOutcome>>();

function sampleIds(ctx: ProbeContext): Promise<{ ids: string[]; evidence: Evidence[] } | CheckOutcome> {
  let sample = samples.get(ctx);
  if (!sample) {
    sample = (async () => {
      const { required } = await ctx.authRequired();
      if (required && ctx.token === undefined) return skip('the server requires a token: pass --auth-token');
      const ids: string[] = [];
      const evidence: Evidence[] = [];
      for (let i = 0; i < SESSION_SAMPLE_SIZE; i++) {
        const open = await ctx.openSession();
        if (!open.ok) return inconclusive(`session ${i + 1} of ${SESSION_SAMPLE_SIZE} could not be opened: ${open.reason}`, [open.evidence]);
        if (open.session.id === undefined) return skip('the server is stateless (no MCP-Session-Id handed out)', [open.evidence]);
        if (i < 3) evidence.push({ ...open.evidence, body: `session id ${JSON.stringify(open.session.id)}` });
        ids.push(open.session.id);
        await ctx.closeSession(open.session);
      }
      return { ids, evidence };
    })();
    samples.set(ctx, sample);
  }
  return sample;
}

function isOutcome(x: { ids: string[] } | CheckOutcome): x is CheckOutcome {
  return 'status' in x;
}

export const sessionIdUnpredictable: SecurityCheck = {
  id: 'session.id-unpredictable',
  title: `Session ids have no pattern (${SESSION_SAMPLE_SIZE} sampled): visible ASCII, no shared prefix, no counter`,
  category: 'session',
  severity: 'high',
  spec: `${SPEC_SESSIONS} (secure, visible ASCII 0x21–0x7E); ${SPEC_HIJACK}`,
  cheap: false,
  async run(ctx) {
    const sample = await sampleIds(ctx);
    if (isOutcome(sample)) return sample;
    const a = analyseSessionIds(sample.ids);
    const problems = a.problems.filter((p) => !p.includes('random bits'));
    if (problems.length > 0) return fail(problems.join('; '), sample.evidence);
    return pass(`${a.count} ids: visible ASCII, no shared prefix, no counter, no repeats`, sample.evidence);
  },
};

export const sessionIdEntropy: SecurityCheck = {
  id: 'session.id-entropy',
  title: 'Session ids carry at least 128 random bits',
  category: 'session',
  severity: 'low',
  spec: `${SPEC_HIJACK} (non-deterministic, secure random ids); OWASP session id entropy ≥ 64 bits, 128 asked here`,
  cheap: false,
  async run(ctx) {
    const sample = await sampleIds(ctx);
    if (isOutcome(sample)) return sample;
    const a = analyseSessionIds(sample.ids);
    if (a.estimatedBits >= 128) return pass(`about ${a.estimatedBits} random bits per id`, sample.evidence);
    return fail(`about ${a.estimatedBits} random bits per id, fewer than 128 (a UUIDv4 carries 122)`, sample.evidence);
  },
};

export const SESSION_CHECKS: readonly SecurityCheck[] = [
  missingSessionId, forgedSessionId, reusedSessionId, sessionTokenBinding, sessionIdUnpredictable, sessionIdEntropy,
];

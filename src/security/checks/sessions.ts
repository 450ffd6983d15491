/**
 * Session handling of the Streamable HTTP transport (MCP 2025-11-25
 * basic/transports §Session Management, and security_best_practices
 * §Session Hijacking): ids are required, unknown and ended ids are refused,
 * a session is bound to the principal that made it, and ids are
 * unpredictable.
 */
import { randomBytes } from 'node:crypto';
import { deviates, fail, inconclusive, pass, skip, type CheckOutcome, type Evidence, type SecurityCheck } from '../check.js';
import type { Exchange, ProbeContext, ProbeSession } from '../probe-context.js';
import { jsonRpcResult } from '../probe-http.js';
import { analyseSessionIds } from '../session-id-analysis.js';

const SPEC_SESSIONS = 'MCP 2025-11-25 basic/transports §Session Management';
const SPEC_HIJACK = 'MCP 2025-11-25 basic/security_best_practices §Session Hijacking';
/** How many sessions the id analysis samples. */
export const SESSION_SAMPLE_SIZE = 50;
/** A server slow to open sessions (FastMCP takes about a second each) is sampled for this long, with at least MIN_SAMPLE ids. */
const SAMPLE_BUDGET_MS = 15_000;
const MIN_SAMPLE = 10;
/** OWASP Session Management Cheat Sheet: "at least 64 bits of entropy". A UUIDv4 carries 122. */
export const MIN_SESSION_ID_BITS = 64;

const QUOTE_MISSING_ID = 'Servers that require a session ID SHOULD respond to requests without an MCP-Session-Id header (other than initialization) with HTTP 400 Bad Request.';
const QUOTE_ENDED_ID = 'The server MAY terminate the session at any time, after which it MUST respond to requests containing that session ID with HTTP 404 Not Found.';
const QUOTE_UNKNOWN_ID = `${QUOTE_ENDED_ID} When a client receives HTTP 404 in response to a request containing an MCP-Session-Id, it MUST start a new session (the spec names no code for an id never issued; 404 is what makes clients start over).`;

/** The reply carries a JSON-RPC result: the request was served. */
function served(ex: Exchange): boolean {
  return ex.res.status >= 200 && ex.res.status < 300 && jsonRpcResult(ex.res) !== undefined;
}

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
  severity: 'low',
  kind: 'conformance',
  spec: `${SPEC_SESSIONS} (SHOULD respond 400)`,
  cheap: true,
  run: (ctx) =>
    sessionFor(ctx, async (session) => {
      const ex = await ctx.rpc({ ...session, id: undefined }, 'tools/list');
      if (ex.res.status === 400) return pass('400 without the session id', [ex.evidence]);
      if (ex.res.status === 0) return inconclusive(`no reply: ${ex.evidence.body}`, [ex.evidence]);
      const what = served(ex) ? 'was served outside the session' : `answered ${ex.res.status}`;
      return deviates(`a request without the session id ${what}, expected 400`, QUOTE_MISSING_ID, [ex.evidence]);
    }),
};

export const forgedSessionId: SecurityCheck = {
  id: 'session.forged-id',
  title: 'A forged session id is refused (404)',
  category: 'session',
  severity: 'high',
  spec: `${SPEC_SESSIONS} (unknown id: 404); ${SPEC_HIJACK}`,
  cheap: true,
  run: (ctx) =>
    sessionFor(ctx, async (session) => {
      const forged = randomBytes(16).toString('hex');
      const ex = await ctx.rpc({ ...session, id: forged }, 'tools/list');
      if (ex.res.status === 404) return pass('a random session id got 404', [ex.evidence]);
      if (ex.res.status === 0) return inconclusive(`no reply: ${ex.evidence.body}`, [ex.evidence]);
      if (served(ex) || (ex.res.status >= 200 && ex.res.status < 300)) return fail(`a session id the server never issued was served (${ex.res.status})`, [ex.evidence]);
      // Refused, with another code: nothing was let through, and the spec names no code for an id never issued.
      return deviates(`a forged session id was refused with ${ex.res.status}, not 404`, QUOTE_UNKNOWN_ID, [ex.evidence], 'info');
    }),
};

export const reusedSessionId: SecurityCheck = {
  id: 'session.reuse-after-delete',
  title: 'A session id used after DELETE is refused (404)',
  category: 'session',
  severity: 'high',
  spec: `${SPEC_SESSIONS} (DELETE ends the session; then 404)`,
  cheap: true,
  run: (ctx) =>
    sessionFor(ctx, async (session) => {
      const del = await ctx.closeSession(session);
      if (!del) return skip('no session to end');
      if (del.res.status === 405) return skip('the server does not let clients end sessions (DELETE → 405)', [del.evidence]);
      if (del.res.status === 0) return inconclusive(`DELETE got no reply: ${del.evidence.body}`, [del.evidence]);
      if (del.res.status < 200 || del.res.status > 299) {
        return deviates(`DELETE of the session answered ${del.res.status} (a server that keeps sessions answers 2xx, or 405)`, QUOTE_ENDED_ID, [del.evidence]);
      }
      const ex = await ctx.rpc(session, 'tools/list');
      if (ex.res.status === 404) return pass('the ended session id got 404', [del.evidence, ex.evidence]);
      if (ex.res.status === 0) return inconclusive(`no reply: ${ex.evidence.body}`, [del.evidence, ex.evidence]);
      if (served(ex) || (ex.res.status >= 200 && ex.res.status < 300)) return fail(`the ended session id was still served (${ex.res.status})`, [del.evidence, ex.evidence]);
      return deviates(`the ended session id was refused with ${ex.res.status}, not 404`, QUOTE_ENDED_ID, [del.evidence, ex.evidence]);
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
      const started = performance.now();
      for (let i = 0; i < SESSION_SAMPLE_SIZE; i++) {
        if (ids.length >= MIN_SAMPLE && performance.now() - started > SAMPLE_BUDGET_MS) break;
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
  title: `Session ids have no pattern (up to ${SESSION_SAMPLE_SIZE} sampled): visible ASCII, no shared prefix, no counter`,
  category: 'session',
  severity: 'high',
  spec: `${SPEC_SESSIONS} (secure, visible ASCII 0x21–0x7E); ${SPEC_HIJACK}`,
  cheap: false,
  async run(ctx) {
    const sample = await sampleIds(ctx);
    if (isOutcome(sample)) return sample;
    const a = analyseSessionIds(sample.ids, MIN_SESSION_ID_BITS);
    const problems = a.problems.filter((p) => !p.includes('random bits'));
    if (problems.length > 0) return fail(problems.join('; '), sample.evidence);
    return pass(`${a.count} ids: visible ASCII, no shared prefix, no counter, no repeats`, sample.evidence);
  },
};

export const sessionIdEntropy: SecurityCheck = {
  id: 'session.id-entropy',
  title: `Session ids carry at least ${MIN_SESSION_ID_BITS} random bits`,
  category: 'session',
  severity: 'medium',
  spec: `${SPEC_HIJACK} (non-deterministic, secure random ids, e.g. UUIDs); OWASP Session Management Cheat Sheet (at least ${MIN_SESSION_ID_BITS} bits of entropy)`,
  cheap: false,
  async run(ctx) {
    const sample = await sampleIds(ctx);
    if (isOutcome(sample)) return sample;
    const a = analyseSessionIds(sample.ids, MIN_SESSION_ID_BITS);
    if (a.estimatedBits >= MIN_SESSION_ID_BITS) return pass(`about ${a.estimatedBits} random bits per id`, sample.evidence);
    return fail(`about ${a.estimatedBits} random bits per id, fewer than ${MIN_SESSION_ID_BITS} (a UUIDv4 carries 122)`, sample.evidence);
  },
};

export const SESSION_CHECKS: readonly SecurityCheck[] = [
  missingSessionId, forgedSessionId, reusedSessionId, sessionTokenBinding, sessionIdUnpredictable, sessionIdEntropy,
];

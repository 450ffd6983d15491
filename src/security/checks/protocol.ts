/**
 * Protocol robustness: malformed and hostile requests get the answers
 * JSON-RPC 2.0 §5.1 and the Streamable HTTP transport ask for, and leave the
 * server standing. `protocol.still-alive` runs after the heavy ones.
 *
 * A wrong status or error code is a conformance finding (nothing was let
 * through); a hostile body that took the server down, or was let through
 * without limit, is a security one.
 */
import { deviates, fail, inconclusive, pass, skip, type CheckOutcome, type Evidence, type SecurityCheck } from '../check.js';
import type { Exchange, ProbeContext, ProbeSession } from '../probe-context.js';
import { jsonRpcErrorCode, jsonRpcMessages, jsonRpcResult, type RawResponse } from '../probe-http.js';

const SPEC_JSONRPC = 'JSON-RPC 2.0 §5.1';
const SPEC_TRANSPORT = 'MCP 2025-11-25 basic/transports §Sending Messages to the Server';
export const LARGE_BODY_BYTES = 10 * 1024 * 1024;
export const DEEP_JSON_LEVELS = 10_000;
const HEALTH_PATHS = ['/api/v1/health', '/api/v1/mcp/health', '/health', '/healthz'];

/** Runs `fn` in a fresh session, or says why it cannot. */
async function inSession(ctx: ProbeContext, fn: (s: ProbeSession) => Promise<CheckOutcome>): Promise<CheckOutcome> {
  const { required } = await ctx.authRequired();
  if (required && ctx.token === undefined) return skip('the server requires a token: pass --auth-token');
  return ctx.withSession(fn, (reason, evidence) => inconclusive(`cannot open a session: ${reason}`, [evidence]));
}

/** POSTs `body` as is inside `session`, with header overrides. */
function post(ctx: ProbeContext, session: ProbeSession, body: string | Buffer, headers: Record<string, string> = {}, bodyLabel?: string) {
  return ctx.send({ method: 'POST', url: ctx.opts.mcpUrl, headers: ctx.mcpHeaders(session, session.token, headers), body, ...(bodyLabel ? { bodyLabel } : {}) });
}

function describe(res: RawResponse): string {
  const code = jsonRpcErrorCode(res);
  return res.status === 0 ? 'no reply' : `${res.status}${code !== undefined ? ` with JSON-RPC error ${code}` : ''}`;
}

/** A check that sends one request and wants a JSON-RPC error code (and no result). */
function expectCode(def: { id: string; title: string; code: number; spec: string; quote: string; body: (ctx: ProbeContext) => string; also400?: boolean }): SecurityCheck {
  return {
    id: def.id,
    title: def.title,
    category: 'protocol',
    severity: 'low',
    kind: 'conformance',
    spec: def.spec,
    cheap: true,
    run: (ctx) =>
      inSession(ctx, async (session) => {
        const ex = await post(ctx, session, def.body(ctx));
        if (ex.res.status === 0) return inconclusive(`no reply: ${ex.evidence.body}`, [ex.evidence]);
        const code = jsonRpcErrorCode(ex.res);
        if (code === def.code && ex.res.status < 500) return pass(`answered ${describe(ex.res)}`, [ex.evidence]);
        if (def.also400 && ex.res.status === 400 && code === undefined) return pass('answered 400', [ex.evidence]);
        return deviates(`answered ${describe(ex.res)}, expected JSON-RPC error ${def.code}`, def.quote, [ex.evidence]);
      }),
  };
}

export const parseError = expectCode({
  id: 'protocol.parse-error',
  title: 'Malformed JSON gets -32700 (or 400)',
  code: -32700,
  spec: `${SPEC_JSONRPC} (-32700 Parse error)`,
  quote: '-32700 Parse error: Invalid JSON was received by the server. An error occurred on the server while parsing the JSON text.',
  body: (ctx) => `{"jsonrpc": "2.0", "id": ${ctx.id()}, "method": "ping"`,
  also400: true,
});

export const invalidRequest = expectCode({
  id: 'protocol.invalid-request',
  title: 'An invalid request object gets -32600',
  code: -32600,
  spec: `${SPEC_JSONRPC} (-32600 Invalid Request)`,
  quote: '-32600 Invalid Request: The JSON sent is not a valid Request object.',
  body: (ctx) => JSON.stringify({ jsonrpc: '2.0', id: ctx.id(), method: 42 }),
});

export const unknownMethod = expectCode({
  id: 'protocol.unknown-method',
  title: 'An unknown method gets -32601',
  code: -32601,
  spec: `${SPEC_JSONRPC} (-32601 Method not found)`,
  quote: '-32601 Method not found: The method does not exist / is not available.',
  body: (ctx) => JSON.stringify({ jsonrpc: '2.0', id: ctx.id(), method: 'mcpload/no-such-method' }),
});

export const invalidParams = expectCode({
  id: 'protocol.invalid-params',
  title: 'Invalid params get -32602',
  code: -32602,
  spec: `${SPEC_JSONRPC} (-32602 Invalid params)`,
  quote: '-32602 Invalid params: Invalid method parameter(s).',
  body: (ctx) => JSON.stringify({ jsonrpc: '2.0', id: ctx.id(), method: 'resources/read', params: { uri: 42 } }),
});

const QUOTE_BATCH = 'The body of the POST request MUST be a single JSON-RPC request, notification, or response. (2025-06-18 changelog: Remove support for JSON-RPC batching.)';

/**
 * 2025-06-18 removed JSON-RPC batching. The rule binds the sender; a server
 * that still answers a batch lets nothing through that single requests would
 * not, so this is conformance only, at `info`.
 */
export const batchRejected: SecurityCheck = {
  id: 'protocol.batch-rejected',
  title: 'A JSON-RPC batch is rejected on 2025-06-18 and later',
  category: 'protocol',
  severity: 'info',
  kind: 'conformance',
  spec: 'MCP 2025-06-18 changelog (batching removed); basic/transports §Sending Messages to the Server',
  cheap: true,
  run: (ctx) =>
    inSession(ctx, async (session) => {
      if (session.protocolVersion < '2025-06-18') return skip(`the session speaks ${session.protocolVersion}, which still allows batches`);
      const batch = JSON.stringify([
        { jsonrpc: '2.0', id: ctx.id(), method: 'ping' },
        { jsonrpc: '2.0', id: ctx.id(), method: 'ping' },
      ]);
      const ex = await post(ctx, session, batch);
      if (ex.res.status === 0) return inconclusive(`no reply: ${ex.evidence.body}`, [ex.evidence]);
      if (jsonRpcResult(ex.res) !== undefined || (ex.res.status >= 200 && ex.res.status < 300)) {
        return deviates(`a batch was served (${describe(ex.res)}) on protocol ${session.protocolVersion}`, QUOTE_BATCH, [ex.evidence], 'info');
      }
      if (ex.res.status >= 500) return deviates(`a batch answered ${describe(ex.res)} (a server error, not a refusal)`, QUOTE_BATCH, [ex.evidence]);
      return pass(`batch refused: ${describe(ex.res)}`, [ex.evidence]);
    }),
};

/** A check that sends a well-formed ping with one header bent, and wants one status. */
function expectStatus(def: { id: string; title: string; status: number; spec: string; quote: string; headers: Record<string, string> }): SecurityCheck {
  return {
    id: def.id,
    title: def.title,
    category: 'protocol',
    severity: 'low',
    kind: 'conformance',
    spec: def.spec,
    cheap: true,
    run: (ctx) =>
      inSession(ctx, async (session) => {
        const ex = await post(ctx, session, JSON.stringify({ jsonrpc: '2.0', id: ctx.id(), method: 'ping' }), def.headers);
        if (ex.res.status === 0) return inconclusive(`no reply: ${ex.evidence.body}`, [ex.evidence]);
        if (ex.res.status === def.status) return pass(`answered ${def.status}`, [ex.evidence]);
        return deviates(`answered ${describe(ex.res)}, expected ${def.status}`, def.quote, [ex.evidence]);
      }),
  };
}

export const badProtocolVersion = expectStatus({
  id: 'protocol.bad-version-header',
  title: 'An unsupported MCP-Protocol-Version gets 400',
  status: 400,
  spec: 'MCP 2025-11-25 basic/transports §Protocol Version Header (MUST respond 400)',
  quote: 'If the server receives a request with an invalid or unsupported MCP-Protocol-Version, it MUST respond with 400 Bad Request.',
  headers: { 'mcp-protocol-version': '1999-01-01' },
});

export const wrongAccept = expectStatus({
  id: 'protocol.wrong-accept',
  title: 'A wrong Accept header gets 406',
  status: 406,
  spec: `${SPEC_TRANSPORT} (Accept: application/json, text/event-stream); RFC 9110 §15.5.7 (406 Not Acceptable)`,
  quote: 'The client MUST include an Accept header, listing both application/json and text/event-stream as supported content types. (RFC 9110: 406 Not Acceptable when no acceptable representation exists.)',
  headers: { accept: 'text/plain' },
});

export const wrongContentType = expectStatus({
  id: 'protocol.wrong-content-type',
  title: 'A wrong Content-Type gets 415',
  status: 415,
  spec: `${SPEC_TRANSPORT}; RFC 9110 §15.5.16 (415 Unsupported Media Type)`,
  quote: 'The 415 (Unsupported Media Type) status code indicates that the origin server is refusing to service the request because the content is in a format not supported by this method on the target resource. (RFC 9110 §15.5.16)',
  headers: { 'content-type': 'text/plain' },
});

const QUOTE_SERVER_ERROR = 'RFC 9110 §15.5: "The 4xx (Client Error) class of status code indicates that the client seems to have erred." §15.6: "The 5xx (Server Error) class of status code indicates that the server is aware that it has erred or is incapable of performing the requested method."';

/**
 * After a hostile request: does the server still answer a ping in a new
 * session? A security failure when it does not (the request took it down).
 */
async function stayedUp(ctx: ProbeContext, what: string, evidence: Evidence[]): Promise<CheckOutcome | undefined> {
  const after = await ctx.withSession(
    (s) => ctx.rpc(s, 'ping').then((ex) => ({ ok: ex.res.status > 0 && ex.res.status < 500, evidence: ex.evidence })),
    (_reason, ev) => ({ ok: false, evidence: ev }),
  );
  if (after.ok) return undefined;
  return fail(`${what}: the server stopped answering afterwards`, [...evidence, after.evidence]);
}

/**
 * A hostile body is refused (4xx, or the connection cut) and the server stays
 * up; with `acceptable`, a correct answer passes too (a parser that copes).
 * 5xx with the server still up is conformance; taken down is security.
 */
async function withstood(ctx: ProbeContext, ex: Exchange, what: string, acceptable: (res: RawResponse) => boolean): Promise<CheckOutcome> {
  const { res } = ex;
  const down = await stayedUp(ctx, what, [ex.evidence]);
  if (down) return down;
  if (res.status === 0) return pass(`${what}: the server cut the connection (${res.error ?? 'closed'}) and still answers`, [ex.evidence]);
  if (res.status >= 400 && res.status < 500) return pass(`${what}: refused with ${describe(res)}`, [ex.evidence]);
  if (res.status >= 500) return deviates(`${what}: answered ${describe(res)} (a server error, not a refusal), and still answers`, QUOTE_SERVER_ERROR, [ex.evidence]);
  if (acceptable(res)) return pass(`${what}: answered correctly (${describe(res)}) and still answers`, [ex.evidence]);
  return fail(`${what}: accepted (${describe(res)})`, [ex.evidence]);
}

/** A correct JSON-RPC answer to request `id`: a result or an error for it. */
function answers(id: number): (res: RawResponse) => boolean {
  return (res) => res.status >= 200 && res.status < 300 && jsonRpcMessages(res).some((m) => m.id === id && ('result' in m || 'error' in m));
}

export const largeBody: SecurityCheck = {
  id: 'protocol.large-body',
  title: 'A 10 MB body gets 413 or is refused without harm',
  category: 'protocol',
  severity: 'medium',
  spec: 'RFC 9110 §15.5.14 (413 Content Too Large); MCP 2025-11-25 basic/security_best_practices',
  cheap: false,
  run: (ctx) =>
    inSession(ctx, async (session) => {
      const head = `{"jsonrpc":"2.0","id":${ctx.id()},"method":"ping","params":{"_meta":{"pad":"`;
      const tail = '"}}}';
      const body = Buffer.alloc(LARGE_BODY_BYTES, 'a');
      body.write(head, 0);
      body.write(tail, LARGE_BODY_BYTES - tail.length);
      const ex = await post(ctx, session, body, {}, '<10 MB JSON ping>');
      // Taking 10 MB per request without a limit is the finding itself (memory per request is unbounded).
      return withstood(ctx, ex, '10 MB body', () => false);
    }),
};

/** Deep nesting breaks recursive parsers (stack overflow); a server whose parser copes and answers correctly passes. */
export const deepJson: SecurityCheck = {
  id: 'protocol.deep-json',
  title: `JSON nested ${DEEP_JSON_LEVELS.toLocaleString('en')} deep is refused or answered correctly, and the server stays up`,
  category: 'protocol',
  severity: 'medium',
  spec: 'RFC 8259 §9 (parsers may limit nesting); MCP 2025-11-25 basic/security_best_practices',
  cheap: false,
  run: (ctx) =>
    inSession(ctx, async (session) => {
      const id = ctx.id();
      const body = `{"jsonrpc":"2.0","id":${id},"method":"ping","params":{"_meta":{"deep":${'['.repeat(DEEP_JSON_LEVELS)}${']'.repeat(DEEP_JSON_LEVELS)}}}}`;
      const ex = await post(ctx, session, body, {}, `<ping with arrays nested ${DEEP_JSON_LEVELS} deep>`);
      return withstood(ctx, ex, `${DEEP_JSON_LEVELS}-deep JSON`, answers(id));
    }),
};

export const stillAlive: SecurityCheck = {
  id: 'protocol.still-alive',
  title: 'After the hostile requests the server still answers ping and health',
  category: 'protocol',
  severity: 'high',
  spec: 'MCP 2025-11-25 basic/utilities/ping',
  cheap: false,
  run: (ctx) =>
    inSession(ctx, async (session) => {
      const evidence: Evidence[] = [];
      const ping = await ctx.rpc(session, 'ping');
      evidence.push(ping.evidence);
      if (ping.res.status !== 200 || jsonRpcResult(ping.res) === undefined) return fail(`ping answered ${describe(ping.res)}`, evidence);
      for (const path of HEALTH_PATHS) {
        const health = await ctx.send({ method: 'GET', url: ctx.restUrl(path), headers: ctx.headersWith(ctx.token, { accept: 'application/json' }) });
        if (health.res.status === 404) continue;
        evidence.push(health.evidence);
        if (health.res.status === 200) return pass(`ping answered and ${path} is 200`, evidence);
        return fail(`${path} answered ${describe(health.res)}`, evidence);
      }
      return pass('ping answered (no health route found)', evidence);
    }),
};

export const PROTOCOL_CHECKS: readonly SecurityCheck[] = [
  parseError, invalidRequest, unknownMethod, invalidParams, batchRejected, badProtocolVersion, wrongAccept, wrongContentType,
  largeBody, deepJson, stillAlive,
];

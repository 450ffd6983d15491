/**
 * What every check gets: where the target is, the credentials to use (and to
 * redact), raw HTTP with evidence, and small MCP helpers (open a session,
 * send one JSON-RPC request, list tools) built on raw requests so that a
 * check can bend any part of them. Facts several checks need (does the
 * server require auth? the first tools/list hash) are found once and cached.
 */
import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { Evidence } from './evidence.js';
import { sendRaw, toEvidence, jsonRpcMessages, type RawRequest, type RawResponse } from './probe-http.js';
import { isLoopbackName } from './target-address.js';
import { agentReplies } from '../scenarios/agent-replies.js';
import { clientCapabilities } from '../transports/server-messages.js';

export interface ProbeOptions {
  /** The MCP endpoint, e.g. http://127.0.0.1:8000/mcp */
  mcpUrl: string;
  /** The origin of the REST face, e.g. http://127.0.0.1:8000 */
  restBaseUrl: string;
  dispatcher: Dispatcher;
  authToken?: string;
  /** A second valid token (another principal), for the session-binding check. */
  authTokenB?: string;
  /** Extra headers sent with every request (never shown in evidence except by name). */
  headers?: Record<string, string>;
  /** Tool name patterns (`*` wildcard) that must be neither listed nor callable. */
  blockedTools?: string[];
  /** Extra paths that must be refused, besides the built-in sensitive routes. */
  blockedRoutes?: string[];
  aggressive?: boolean;
  /** Per-request deadline; default 10,000 ms. */
  timeoutMs?: number;
  /** Version offered in initialize; default 2025-11-25. */
  protocolVersion?: string;
  /** --aggressive: most sessions opened while looking for the server's cap; default 1000. */
  maxProbeSessions?: number;
  /** --aggressive: how long a session is left idle before checking that it expired; default 70 s. */
  idleWaitMs?: number;
  /** Aborts every request (a stopping virtual user). */
  signal?: AbortSignal;
  /** The connection proves itself with a TLS client certificate (--client-cert): a credential no request can leave out. */
  clientCertificate?: boolean;
}

export interface ProbeSession {
  /** undefined on a stateless server. */
  id: string | undefined;
  protocolVersion: string;
  /** The token the session was opened with (undefined: none). */
  token: string | undefined;
}

export interface Exchange {
  res: RawResponse;
  evidence: Evidence;
}

export type OpenResult = { ok: true; session: ProbeSession; evidence: Evidence } | { ok: false; evidence: Evidence; reason: string };

export interface ToolInfo {
  name: string;
  description: string;
  title?: string;
  inputSchema?: unknown;
}

export const DEFAULT_PROBE_PROTOCOL_VERSION = '2025-11-25';
const JSON_AND_SSE = 'application/json, text/event-stream';
const MAX_TOOL_PAGES = 20;
/**
 * The probe declares what the virtual users declare (sampling, elicitation,
 * roots): servers may list more to such a client, and every tool listed to
 * an agent is one the metadata checks must read.
 */
const PROBE_CAPABILITIES = clientCapabilities(agentReplies());

/** `Bearer x` header for a token; undefined for no token. */
function bearer(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

/** Stable hash of a tools/list: names, descriptions and schemas, order-independent. */
export function hashTools(tools: readonly ToolInfo[]): string {
  const canonical = [...tools]
    .map((t) => JSON.stringify([t.name, t.title ?? '', t.description, t.inputSchema ?? null]))
    .sort();
  return createHash('sha256').update(canonical.join('\n')).digest('hex');
}

export class ProbeContext {
  readonly opts: ProbeOptions;
  readonly timeoutMs: number;
  readonly protocolVersion: string;
  /** Every value that must never reach a report. */
  readonly secrets: string[];
  private nextId = 1;
  private authRequiredCache: Promise<{ required: boolean; evidence: Evidence; status: number }> | undefined;
  /** The tools/list hash first seen (the rug-pull check compares later lists to it). */
  baselineToolsHash: string | undefined;

  constructor(opts: ProbeOptions) {
    this.opts = opts;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.protocolVersion = opts.protocolVersion ?? DEFAULT_PROBE_PROTOCOL_VERSION;
    this.secrets = [opts.authToken, opts.authTokenB, ...Object.values(opts.headers ?? {})].filter(
      (s): s is string => typeof s === 'string' && s.length >= 4,
    );
  }

  get token(): string | undefined {
    return this.opts.authToken;
  }

  /** The target's host is a loopback name or address (DNS rebinding matters there). */
  get isLocalTarget(): boolean {
    return isLoopbackName(new URL(this.opts.mcpUrl).hostname);
  }

  restUrl(path: string): string {
    return this.opts.restBaseUrl.replace(/\/$/, '') + path;
  }

  /** Headers for any request: the extra headers plus the bearer token (`token: undefined` sends none). */
  headersWith(token: string | undefined, more: Record<string, string> = {}): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.opts.headers ?? {})) {
      if (k.toLowerCase() !== 'authorization') out[k.toLowerCase()] = v;
    }
    return { ...out, ...bearer(token), ...more };
  }

  /** Headers of a well-formed MCP POST within `session` (or before one). */
  mcpHeaders(session: ProbeSession | undefined, token: string | undefined, more: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { 'content-type': 'application/json', accept: JSON_AND_SSE };
    if (session?.id !== undefined) h['mcp-session-id'] = session.id;
    if (session !== undefined) h['mcp-protocol-version'] = session.protocolVersion;
    return this.headersWith(token, { ...h, ...more });
  }

  id(): number {
    return this.nextId++;
  }

  async send(req: RawRequest): Promise<Exchange> {
    const res = await sendRaw(this.opts.dispatcher, req, this.timeoutMs, this.opts.signal);
    return { res, evidence: toEvidence(req, res, this.secrets) };
  }

  initializeBody(protocolVersion = this.protocolVersion): string {
    return JSON.stringify({
      jsonrpc: '2.0',
      id: this.id(),
      method: 'initialize',
      params: { protocolVersion, capabilities: PROBE_CAPABILITIES, clientInfo: { name: 'mcpload-probe', version: '0.1.0' } },
    });
  }

  /** initialize + notifications/initialized with `token`; the session id is whatever the server handed out. */
  async openSession(token: string | undefined = this.token): Promise<OpenResult> {
    const init = await this.send({ method: 'POST', url: this.opts.mcpUrl, headers: this.mcpHeaders(undefined, token), body: this.initializeBody() });
    const { res } = init;
    if (res.status !== 200) {
      return { ok: false, evidence: init.evidence, reason: res.status === 0 ? `initialize got no reply (${res.error ?? ''})` : `initialize answered ${res.status}` };
    }
    const reply = jsonRpcMessages(res).find((m) => 'result' in m || 'error' in m);
    const result = reply?.result as { protocolVersion?: unknown } | undefined;
    if (!result) return { ok: false, evidence: init.evidence, reason: 'initialize returned no result' };
    const session: ProbeSession = {
      id: res.headers['mcp-session-id'],
      protocolVersion: typeof result.protocolVersion === 'string' ? result.protocolVersion : this.protocolVersion,
      token,
    };
    await this.send({
      method: 'POST',
      url: this.opts.mcpUrl,
      headers: this.mcpHeaders(session, token),
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    return { ok: true, session, evidence: init.evidence };
  }

  /** One JSON-RPC request in `session`, with the session's token unless `token` is given. */
  rpc(session: ProbeSession, method: string, params?: unknown, opts: { token?: string | null; headers?: Record<string, string> } = {}): Promise<Exchange> {
    const token = opts.token === null ? undefined : (opts.token ?? session.token);
    const body = JSON.stringify(params === undefined ? { jsonrpc: '2.0', id: this.id(), method } : { jsonrpc: '2.0', id: this.id(), method, params });
    return this.send({ method: 'POST', url: this.opts.mcpUrl, headers: this.mcpHeaders(session, token, opts.headers), body });
  }

  /** Ends a session with DELETE (best effort). */
  async closeSession(session: ProbeSession): Promise<Exchange | undefined> {
    if (session.id === undefined) return undefined;
    return this.send({ method: 'DELETE', url: this.opts.mcpUrl, headers: this.mcpHeaders(session, session.token) });
  }

  /** Opens a session, runs `fn`, and always closes it. */
  async withSession<T>(fn: (session: ProbeSession, opened: Evidence) => Promise<T>, onFail: (reason: string, evidence: Evidence) => T, token: string | undefined = this.token): Promise<T> {
    const open = await this.openSession(token);
    if (!open.ok) return onFail(open.reason, open.evidence);
    try {
      return await fn(open.session, open.evidence);
    } finally {
      await this.closeSession(open.session);
    }
  }

  /** Every tool of tools/list (following cursors), or the failing exchange. */
  async listTools(session: ProbeSession): Promise<{ tools: ToolInfo[]; evidence: Evidence } | { tools: undefined; evidence: Evidence }> {
    const tools: ToolInfo[] = [];
    let cursor: string | undefined;
    let evidence: Evidence | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const ex = await this.rpc(session, 'tools/list', cursor === undefined ? undefined : { cursor });
      evidence ??= ex.evidence;
      const reply = jsonRpcMessages(ex.res).find((m) => 'result' in m) as { result?: { tools?: unknown; nextCursor?: unknown } } | undefined;
      if (ex.res.status !== 200 || !Array.isArray(reply?.result?.tools)) return { tools: undefined, evidence: ex.evidence };
      for (const raw of reply.result.tools as Record<string, unknown>[]) {
        if (typeof raw?.name !== 'string') continue;
        tools.push({
          name: raw.name,
          description: typeof raw.description === 'string' ? raw.description : '',
          ...(typeof raw.title === 'string' ? { title: raw.title } : {}),
          inputSchema: raw.inputSchema,
        });
      }
      cursor = typeof reply.result.nextCursor === 'string' ? reply.result.nextCursor : undefined;
      if (cursor === undefined) break;
    }
    const hash = hashTools(tools);
    this.baselineToolsHash ??= hash;
    return { tools, evidence: evidence! };
  }

  /**
   * Whether nothing speaks MCP at the endpoint: the token-less initialize of
   * authRequired() got 404 (a server with only a REST face, or a wrong path).
   */
  async mcpEndpointMissing(): Promise<boolean> {
    return (await this.authRequired()).status === 404;
  }

  /**
   * Whether the target wants a token: true when one was given, or when an
   * initialize without a token gets 401. Found once per context.
   */
  authRequired(): Promise<{ required: boolean; evidence: Evidence; status: number }> {
    this.authRequiredCache ??= (async () => {
      const ex = await this.send({ method: 'POST', url: this.opts.mcpUrl, headers: this.mcpHeaders(undefined, undefined), body: this.initializeBody() });
      // A session the server opened for the token-less request is closed again.
      const sid = ex.res.headers['mcp-session-id'];
      if (ex.res.status === 200 && sid !== undefined) {
        await this.send({ method: 'DELETE', url: this.opts.mcpUrl, headers: this.headersWith(undefined, { 'mcp-session-id': sid }) });
      }
      return { required: this.token !== undefined || ex.res.status === 401, evidence: ex.evidence, status: ex.res.status };
    })();
    return this.authRequiredCache;
  }
}

/**
 * The MCP endpoint (`/mcp`, Streamable HTTP) on top of the SDK transport.
 *
 * Stateful (default): one McpServer + transport per session, kept in a
 * bounded SessionTable; the session id is looked up here, so unknown ids cost
 * a Map lookup and never reach the SDK. Stateless: a fresh server and
 * transport per POST, closed when the reply ends (the SDK's stateless
 * pattern). The body is read and parsed here once, under the size limit, and
 * handed to the SDK already parsed.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest, LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import {
  JSONRPC_PARSE_ERROR,
  JSONRPC_SERVER_ERROR,
  JSONRPC_SESSION_NOT_FOUND,
  readBody,
  sendJson,
  sendJsonRpcError,
  sendTooLarge,
  setRequestHeader,
} from './http-util.js';
import { addPoisonedTool, demoShortcut, predictableSessionId, relaxHeaders } from './insecure-demo.js';
import { createMcpServer } from './mcp-server-factory.js';
import { hasRev20260728Meta, isStatelessRevisionHeader, Rev20260728Endpoint } from './rev-2026-07-28-endpoint.js';
import { TOOLS } from './tools.js';
import { jsonDepthExceeds, JSONRPC_INVALID_REQUEST, MAX_JSON_DEPTH, rejectJsonRpcBody } from './request-validation.js';
import { ServedCounts } from './served-counts.js';
import { SessionEventStore } from './session-event-store.js';
import { SessionTable, type ClosableSession, type SessionEntry } from './session-table.js';
import { QuestionRouter } from './stateless-questions.js';
import { createTaskStore, type TaskStore } from './task-tools.js';

export interface McpEndpointOptions {
  stateless: boolean;
  jsonResponse: boolean;
  maxBodyBytes: number;
  maxSessions: number;
  sessionIdleMs: number;
  log: (line: string) => void;
  /** `serve --insecure-demo`: lenient sessions, predictable ids, no request checks (see insecure-demo.ts). */
  insecureDemo?: boolean;
}

const CATALOG_TOOL_NAMES: ReadonlySet<string> = new Set(TOOLS.map((t) => t.name));

/** 192 random bits, base64url: unpredictable, visible ASCII, and more than a UUIDv4's 122 bits. */
function secureSessionId(): string {
  return randomBytes(24).toString('base64url');
}

/** The version an initialize request will get: the one it asks for when the SDK has it, else the latest. */
function negotiatedVersion(body: unknown): string {
  const asked = (body as { params?: { protocolVersion?: unknown } }).params?.protocolVersion;
  return typeof asked === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(asked) ? asked : LATEST_PROTOCOL_VERSION;
}

/**
 * The SDK decides from each request's header whether its stream is
 * resumable (priming event, retry, closeSSEStream: 2025-11-25 and later). A
 * session that negotiated such a version keeps that, even when a request's
 * header names an older supported one (which the spec only asks clients to
 * avoid).
 */
function alignVersionHeader(req: IncomingMessage, negotiated: string | undefined): void {
  const sent = req.headers['mcp-protocol-version'];
  // Only a version the server knows: an unknown one must still get its 400.
  if (negotiated === undefined || negotiated < '2025-11-25' || typeof sent !== 'string' || sent >= negotiated) return;
  if (SUPPORTED_PROTOCOL_VERSIONS.includes(sent)) setRequestHeader(req, 'mcp-protocol-version', negotiated);
}

/** The SSE `retry` a stateful session's streams announce: how soon a client whose stream was closed comes back (SEP-1699). */
const SSE_RETRY_MS = 1_000;

/** One SDK server bound to one transport: a session, or a single stateless request. */
class McpSession implements ClosableSession {
  readonly mcp: McpServer;
  readonly transport: StreamableHTTPServerTransport;
  /** Who opened the session (which bearer token); requests from anyone else are refused. */
  principal: string | undefined;
  /** The protocol version its initialize negotiated. */
  readonly protocolVersion: string | undefined;

  /** `protocolVersion`: what the session's initialize negotiates (undefined for a stateless request). */
  constructor(sessionId: string | undefined, jsonResponse: boolean, taskStore: TaskStore, insecureDemo = false, protocolVersion?: string) {
    // No session id: a stateless request, served by a server that lives for it alone.
    this.mcp = createMcpServer({ perRequest: sessionId === undefined, taskStore });
    // A 2025-11-25 session can be resumed after its stream is cut (event ids, Last-Event-ID); older ones and
    // stateless requests have nothing to resume into, and their streams stay as they were.
    const resumable = sessionId !== undefined && protocolVersion !== undefined && protocolVersion >= '2025-11-25';
    this.transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: sessionId === undefined ? undefined : () => sessionId,
      enableJsonResponse: jsonResponse,
      ...(resumable ? { eventStore: new SessionEventStore(), retryInterval: SSE_RETRY_MS } : {}),
    });
    this.protocolVersion = protocolVersion;
    if (insecureDemo) addPoisonedTool(this.mcp);
  }

  connect(): Promise<void> {
    return this.mcp.connect(this.transport);
  }

  close(): Promise<void> {
    return this.mcp.close();
  }
}

function isInitializeBody(body: unknown): boolean {
  return Array.isArray(body) ? body.some((message) => isInitializeRequest(message)) : isInitializeRequest(body);
}

export class McpEndpoint {
  private readonly table: SessionTable<McpSession>;
  /** 2026-07-28 requests (no handshake, no session), beside the legacy ones on the same path. */
  private readonly rev20260728: Rev20260728Endpoint;
  /** Stateless: the client's answers to questions asked on a call's stream, back to the server that asked. */
  private readonly questions: QuestionRouter;
  /** Tasks of the task tools, shared by the sessions (each sees its own) or the per-request servers. */
  private readonly tasks: TaskStore = createTaskStore();
  /** What was handed to the MCP servers, for the status route. */
  readonly served = new ServedCounts();

  constructor(private readonly opts: McpEndpointOptions) {
    this.table = new SessionTable<McpSession>({
      maxSessions: opts.maxSessions,
      idleMs: opts.sessionIdleMs,
      onExpired: (count) => opts.log(`closed ${count} idle session(s); ${this.table.size} open`),
    });
    if (!opts.stateless) this.table.startSweeping();
    this.rev20260728 = new Rev20260728Endpoint({
      jsonResponse: opts.jsonResponse, maxListeners: opts.maxSessions, onServed: (body) => this.served.messages(body),
    });
    this.questions = new QuestionRouter(opts.jsonResponse);
  }

  openSessions(): number {
    return this.table.size;
  }

  async close(): Promise<void> {
    await Promise.all([this.table.closeAll(), this.rev20260728.close()]);
    this.tasks.cleanup();
  }

  /** `principal` names the caller's credential (undefined without auth); a session answers only to its own. */
  async handle(req: IncomingMessage, res: ServerResponse, method: string, principal?: string): Promise<void> {
    if (this.opts.insecureDemo) relaxHeaders(req);
    if (method === 'POST') {
      // A 2026-07-28 version header takes the 2026-07-28 path whatever else the request carries (a session id is ignored).
      if (!this.opts.insecureDemo && isStatelessRevisionHeader(req.headers['mcp-protocol-version'])) return this.postRev20260728(req, res);
      return this.opts.stateless ? this.postStateless(req, res) : this.postStateful(req, res, principal);
    }
    if ((method === 'GET' || method === 'DELETE') && !this.opts.stateless) {
      const entry = this.findSession(req, res, principal);
      if (!entry) return;
      // A GET stream only listens: it marks activity but does not keep the session busy.
      if (method === 'GET') this.table.touch(entry);
      alignVersionHeader(req, entry.session.protocolVersion);
      await entry.session.transport.handleRequest(req, res);
      if (method === 'DELETE' && res.statusCode >= 200 && res.statusCode < 300) this.served.sessionDeleted();
      return;
    }
    sendJsonRpcError(res, 405, JSONRPC_SERVER_ERROR, 'Method not allowed.', {
      allow: this.opts.stateless ? 'POST' : 'GET, POST, DELETE',
    });
  }

  private async postStateful(req: IncomingMessage, res: ServerResponse, principal: string | undefined): Promise<void> {
    const sid = req.headers['mcp-session-id'];
    if (sid !== undefined) {
      // The demo's flaw: an unknown or ended id is served anyway, without a session.
      if (this.opts.insecureDemo && (typeof sid !== 'string' || !this.table.get(sid))) return this.postStateless(req, res);
      // Known session: the hot path. Unknown ids are refused before reading the body.
      const entry = this.findSession(req, res, principal);
      if (!entry) return;
      const body = await this.readJson(req, res);
      if (body === undefined) return;
      this.markBusy(entry, res);
      alignVersionHeader(req, entry.session.protocolVersion);
      await entry.session.transport.handleRequest(req, res, body);
      this.countServed(res, body);
      return;
    }

    const body = await this.readJson(req, res);
    if (body === undefined) return;
    // 2026-07-28 `_meta` without the header: the 2026-07-28 path refuses it with a HeaderMismatch that says why.
    if (hasRev20260728Meta(body)) return this.rev20260728.serve(req, res, body);
    if (!isInitializeBody(body)) {
      if (this.opts.insecureDemo) return this.serveStateless(req, res, body);
      sendJsonRpcError(res, 400, JSONRPC_SERVER_ERROR, 'Bad Request: Mcp-Session-Id header is required');
      return;
    }
    const id = this.opts.insecureDemo ? predictableSessionId() : secureSessionId();
    const entry = this.table.add(id, () => new McpSession(id, this.opts.jsonResponse, this.tasks, this.opts.insecureDemo, negotiatedVersion(body)));
    if (!entry) {
      sendJsonRpcError(res, 503, JSONRPC_SERVER_ERROR, 'Server busy: session limit reached, retry later', {
        'retry-after': String(this.table.retryAfterSeconds()),
      });
      return;
    }
    const { session } = entry;
    session.principal = principal;
    // DELETE, expiry or shutdown close the transport; whichever it was, the entry goes.
    session.transport.onclose = () => this.table.remove(entry);
    await session.connect();
    this.markBusy(entry, res);
    await session.transport.handleRequest(req, res, body);
    // The SDK names the session only once it accepted the initialize request (not on 406/415/400).
    if (session.transport.sessionId === undefined) {
      this.table.remove(entry);
      await session.close();
    } else {
      this.served.sessionOpened();
      this.countServed(res, body);
    }
  }

  private async postStateless(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.readJson(req, res);
    if (body === undefined) return;
    if (hasRev20260728Meta(body)) return this.rev20260728.serve(req, res, body);
    return this.serveStateless(req, res, body);
  }

  private async postRev20260728(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.readJson(req, res);
    if (body === undefined) return;
    return this.rev20260728.serve(req, res, body);
  }

  private async serveStateless(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    // An answer to a question a running call asked: it goes to that call's server (202, as for any response).
    if (this.questions.route(body)) {
      this.served.messages(body);
      res.writeHead(202).end();
      return;
    }
    const session = new McpSession(undefined, this.opts.jsonResponse, this.tasks, this.opts.insecureDemo);
    const forget = this.questions.attach(session.transport);
    res.once('close', () => {
      forget();
      session.close().catch(() => undefined);
    });
    await session.connect();
    await session.transport.handleRequest(req, res, body);
    this.countServed(res, body);
  }

  /** Counts a body the SDK transport took: its own checks (Accept, the version header, ...) answer 4xx and do not count. */
  private countServed(res: ServerResponse, body: unknown): void {
    if (res.statusCode < 400) this.served.messages(body);
  }

  /** The session named by the request, or undefined after answering 400 (no id) or 404 (unknown id). */
  private findSession(req: IncomingMessage, res: ServerResponse, principal: string | undefined): SessionEntry<McpSession> | undefined {
    const id = req.headers['mcp-session-id'];
    if (typeof id !== 'string' || id.length === 0) {
      sendJsonRpcError(res, 400, JSONRPC_SERVER_ERROR, 'Bad Request: Mcp-Session-Id header is required');
      return undefined;
    }
    const entry = this.table.get(id);
    // Another principal's session does not exist for this caller: 404, so ids cannot be confirmed either.
    if (!entry || (!this.opts.insecureDemo && entry.session.principal !== principal)) {
      sendJsonRpcError(res, 404, JSONRPC_SESSION_NOT_FOUND, 'Session not found');
      return undefined;
    }
    return entry;
  }

  /** Keeps the session from expiring until the reply has ended. */
  private markBusy(entry: SessionEntry<McpSession>, res: ServerResponse): void {
    entry.busy++;
    this.table.touch(entry);
    res.once('close', () => {
      entry.busy--;
      this.table.touch(entry);
    });
  }

  /** The parsed JSON body, or undefined after answering 413/400 (or when the client went away). */
  private async readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const result = await readBody(req, this.opts.maxBodyBytes);
    if (result.kind === 'too-large') {
      sendTooLarge(res, this.opts.maxBodyBytes, true);
      return undefined;
    }
    if (result.kind === 'aborted') return undefined;
    const text = result.body.toString('utf8');
    const demo = this.opts.insecureDemo === true;
    if (!demo && jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
      sendJsonRpcError(res, 400, JSONRPC_INVALID_REQUEST, `Invalid Request: JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
      return undefined;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      // The demo's flaw: internals leak in a 500 instead of a -32700.
      if (demo) sendJson(res, 500, { error: 'internal error', stack: (err as Error).stack });
      else sendJsonRpcError(res, 400, JSONRPC_PARSE_ERROR, 'Parse error: Invalid JSON');
      return undefined;
    }
    if (demo) {
      const shortcut = await demoShortcut(body, CATALOG_TOOL_NAMES);
      if (shortcut === undefined) return body;
      sendJson(res, 200, shortcut);
      return undefined;
    }
    // A 2026-07-28 request is checked by the 2026-07-28 endpoint (its params differ: no handshake, `_meta` required).
    if (hasRev20260728Meta(body)) return body;
    const version = req.headers['mcp-protocol-version'];
    const rejection = rejectJsonRpcBody(body, typeof version === 'string' ? version : undefined);
    if (rejection) {
      sendJson(res, rejection.status, { jsonrpc: '2.0', error: { code: rejection.code, message: rejection.message }, id: rejection.id });
      return undefined;
    }
    return body;
  }
}

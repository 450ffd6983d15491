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
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import {
  JSONRPC_PARSE_ERROR,
  JSONRPC_SERVER_ERROR,
  JSONRPC_SESSION_NOT_FOUND,
  readBody,
  sendJsonRpcError,
  sendTooLarge,
} from './http-util.js';
import { createMcpServer } from './mcp-server-factory.js';
import { SessionTable, type ClosableSession, type SessionEntry } from './session-table.js';

export interface McpEndpointOptions {
  stateless: boolean;
  jsonResponse: boolean;
  maxBodyBytes: number;
  maxSessions: number;
  sessionIdleMs: number;
  log: (line: string) => void;
}

/** One SDK server bound to one transport: a session, or a single stateless request. */
class McpSession implements ClosableSession {
  readonly mcp: McpServer = createMcpServer();
  readonly transport: StreamableHTTPServerTransport;

  constructor(sessionId: string | undefined, jsonResponse: boolean) {
    this.transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: sessionId === undefined ? undefined : () => sessionId,
      enableJsonResponse: jsonResponse,
    });
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

  constructor(private readonly opts: McpEndpointOptions) {
    this.table = new SessionTable<McpSession>({
      maxSessions: opts.maxSessions,
      idleMs: opts.sessionIdleMs,
      onExpired: (count) => opts.log(`closed ${count} idle session(s); ${this.table.size} open`),
    });
    if (!opts.stateless) this.table.startSweeping();
  }

  openSessions(): number {
    return this.table.size;
  }

  close(): Promise<void> {
    return this.table.closeAll();
  }

  async handle(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (method === 'POST') {
      return this.opts.stateless ? this.postStateless(req, res) : this.postStateful(req, res);
    }
    if ((method === 'GET' || method === 'DELETE') && !this.opts.stateless) {
      const entry = this.findSession(req, res);
      if (!entry) return;
      // A GET stream only listens: it marks activity but does not keep the session busy.
      if (method === 'GET') this.table.touch(entry);
      return entry.session.transport.handleRequest(req, res);
    }
    sendJsonRpcError(res, 405, JSONRPC_SERVER_ERROR, 'Method not allowed.', {
      allow: this.opts.stateless ? 'POST' : 'GET, POST, DELETE',
    });
  }

  private async postStateful(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers['mcp-session-id'] !== undefined) {
      // Known session: the hot path. Unknown ids are refused before reading the body.
      const entry = this.findSession(req, res);
      if (!entry) return;
      const body = await this.readJson(req, res);
      if (body === undefined) return;
      this.markBusy(entry, res);
      return entry.session.transport.handleRequest(req, res, body);
    }

    const body = await this.readJson(req, res);
    if (body === undefined) return;
    if (!isInitializeBody(body)) {
      sendJsonRpcError(res, 400, JSONRPC_SERVER_ERROR, 'Bad Request: Mcp-Session-Id header is required');
      return;
    }
    const id = randomUUID();
    const entry = this.table.add(id, () => new McpSession(id, this.opts.jsonResponse));
    if (!entry) {
      sendJsonRpcError(res, 503, JSONRPC_SERVER_ERROR, 'Server busy: session limit reached, retry later', {
        'retry-after': String(this.table.retryAfterSeconds()),
      });
      return;
    }
    const { session } = entry;
    // DELETE, expiry or shutdown close the transport; whichever it was, the entry goes.
    session.transport.onclose = () => this.table.remove(entry);
    await session.connect();
    this.markBusy(entry, res);
    await session.transport.handleRequest(req, res, body);
    // The SDK names the session only once it accepted the initialize request (not on 406/415/400).
    if (session.transport.sessionId === undefined) {
      this.table.remove(entry);
      await session.close();
    }
  }

  private async postStateless(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.readJson(req, res);
    if (body === undefined) return;
    const session = new McpSession(undefined, this.opts.jsonResponse);
    res.once('close', () => {
      session.close().catch(() => undefined);
    });
    await session.connect();
    await session.transport.handleRequest(req, res, body);
  }

  /** The session named by the request, or undefined after answering 400 (no id) or 404 (unknown id). */
  private findSession(req: IncomingMessage, res: ServerResponse): SessionEntry<McpSession> | undefined {
    const id = req.headers['mcp-session-id'];
    if (typeof id !== 'string' || id.length === 0) {
      sendJsonRpcError(res, 400, JSONRPC_SERVER_ERROR, 'Bad Request: Mcp-Session-Id header is required');
      return undefined;
    }
    const entry = this.table.get(id);
    if (!entry) sendJsonRpcError(res, 404, JSONRPC_SESSION_NOT_FOUND, 'Session not found');
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
    try {
      return JSON.parse(result.body.toString('utf8')) as unknown;
    } catch {
      sendJsonRpcError(res, 400, JSONRPC_PARSE_ERROR, 'Parse error: Invalid JSON');
      return undefined;
    }
  }
}

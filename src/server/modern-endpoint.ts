/**
 * The stateless 2026-07-28 revision of MCP on the same `/mcp` endpoint
 * ("dual-era" server): a request whose `_meta` (and `MCP-Protocol-Version`
 * header) names a modern version needs no handshake and no session.
 *
 * - The routing headers are checked against the body first (`Mcp-Method`,
 *   `Mcp-Name`, `MCP-Protocol-Version`): 400 with -32020 HeaderMismatch; an
 *   unknown version gets 400 with -32022 and the supported list.
 * - `server/discover` is answered here from the catalog's own capabilities.
 * - Everything else goes to ONE long-lived SDK server over an in-process
 *   transport, with request ids remapped (every client numbers from 1) and
 *   each reply routed back to its HTTP response by id; notifications the
 *   server sends for a request (progress, logging) follow the same route.
 * - A tool that asks the client something (sampling, elicitation, roots)
 *   gets multi round-trip requests (MRTR): the reply becomes
 *   `resultType: "input_required"` with the question, the tool is stopped,
 *   and when the client sends the request again with `inputResponses`, the
 *   tool runs again and each question is answered from them. No state is
 *   kept between rounds: questions are keyed `method#n` in the order the
 *   tool asks them. A question needing a capability the request's `_meta`
 *   does not declare is 400 with -32021.
 * - Replies are SSE (notifications, then the response) or JSON, as the
 *   endpoint is configured; results carry `resultType: "complete"`; an
 *   unknown method is 404 with -32601. A client closing the stream cancels
 *   the request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import {
  decodeHeaderValue, isModernVersion, MCP_NAME_PARAM, META_CLIENT_CAPABILITIES, META_LOG_LEVEL, META_PROTOCOL_VERSION, META_SERVER_INFO,
  MODERN_PROTOCOL_VERSIONS,
} from '../protocol/modern-wire.js';
import { sendJson } from './http-util.js';
import { createMcpServer } from './mcp-server-factory.js';
import { PACKAGE_INFO, SERVER_NAME } from './package-info.js';

/** Every version the endpoint accepts, modern and legacy (the handshake era), for -32022 and server/discover. */
export const SUPPORTED_VERSIONS: readonly string[] = Object.freeze([...MODERN_PROTOCOL_VERSIONS, '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']);


const HEADER_MISMATCH = -32020;
const MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;
const UNSUPPORTED_PROTOCOL_VERSION = -32022;
const INTERNAL_ERROR = -32603;

/** The client capability each server-to-client question needs. */
const CAPABILITY_FOR: ReadonlyMap<string, string> = new Map([
  ['sampling/createMessage', 'sampling'], ['elicitation/create', 'elicitation'], ['roots/list', 'roots'],
]);
const METHOD_NOT_FOUND = -32601;
const INVALID_PARAMS = -32602;
const INVALID_REQUEST = -32600;


const VERSION_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/** A header version of the stateless era (or later): its requests take this path whatever their body says. */
export function isModernVersionHeader(value: string | string[] | undefined): boolean {
  return typeof value === 'string' && VERSION_SHAPE.test(value) && value >= MODERN_PROTOCOL_VERSIONS[MODERN_PROTOCOL_VERSIONS.length - 1]!;
}

/** A body that declares its protocol version in `_meta`, as only the stateless era does. */
export function hasModernMeta(body: unknown): boolean {
  return metaOf(body)?.[META_PROTOCOL_VERSION] !== undefined;
}

function metaOf(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const params = (body as { params?: unknown }).params;
  if (typeof params !== 'object' || params === null) return undefined;
  const meta = (params as { _meta?: unknown })._meta;
  return typeof meta === 'object' && meta !== null ? meta as Record<string, unknown> : undefined;
}


interface Refusal { status: number; code: number; message: string; data?: unknown }

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** What is wrong with a modern request's envelope, checked before any work is done. */
export function checkModernRequest(req: IncomingMessage, body: unknown): Refusal | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { status: 400, code: INVALID_REQUEST, message: 'Invalid Request: 2026-07-28 takes one JSON-RPC message per POST' };
  }
  const message = body as { method?: unknown; id?: unknown; params?: Record<string, unknown> };
  const method = message.method;
  if (typeof method !== 'string') return { status: 400, code: INVALID_REQUEST, message: 'Invalid Request: no method' };
  const meta = metaOf(body);
  const bodyVersion = meta?.[META_PROTOCOL_VERSION];
  const headerVersion = header(req, 'mcp-protocol-version');
  if (headerVersion === undefined) return { status: 400, code: HEADER_MISMATCH, message: 'Header mismatch: MCP-Protocol-Version header is required' };
  if (bodyVersion !== headerVersion) {
    return {
      status: 400, code: HEADER_MISMATCH,
      message: `Header mismatch: MCP-Protocol-Version header value '${headerVersion}' does not match body value '${String(bodyVersion)}'`,
    };
  }
  if (!isModernVersion(headerVersion)) {
    return {
      status: 400, code: UNSUPPORTED_PROTOCOL_VERSION, message: 'Unsupported protocol version',
      data: { supported: SUPPORTED_VERSIONS, requested: headerVersion },
    };
  }
  const methodHeader = header(req, 'mcp-method');
  if (methodHeader !== method) {
    return {
      status: 400, code: HEADER_MISMATCH,
      message: methodHeader === undefined ? 'Header mismatch: Mcp-Method header is required'
        : `Header mismatch: Mcp-Method header value '${methodHeader}' does not match body value '${method}'`,
    };
  }
  const named = MCP_NAME_PARAM.get(method);
  if (named !== undefined) {
    const target = message.params?.[named];
    const nameHeader = header(req, 'mcp-name');
    if (nameHeader === undefined) return { status: 400, code: HEADER_MISMATCH, message: `Header mismatch: Mcp-Name header is required for ${method}` };
    if (decodeHeaderValue(nameHeader) !== target) {
      return { status: 400, code: HEADER_MISMATCH, message: `Header mismatch: Mcp-Name header does not match params.${named}` };
    }
  }
  const caps = meta?.[META_CLIENT_CAPABILITIES];
  if (message.id !== undefined && (typeof caps !== 'object' || caps === null || Array.isArray(caps))) {
    return { status: 400, code: INVALID_PARAMS, message: `Invalid params: _meta["${META_CLIENT_CAPABILITIES}"] is required` };
  }
  return undefined;
}

/** One HTTP exchange waiting for the SDK server's reply. */
interface PendingReply {
  /** The id the client used; the SDK saw a unique one of ours. */
  clientId: string | number;
  /** SSE reply (notifications before the response), else one JSON body. */
  stream: boolean;
  /** Only with a log level in `_meta` does the client want `notifications/message` (2026-07-28). */
  wantsLogs: boolean;
  res: ServerResponse;
  /** What this request's `_meta` declares. */
  capabilities: Record<string, unknown>;
  /** The client's answers to an earlier round's questions, by key. */
  inputResponses: Record<string, unknown>;
  /** Questions the tool asked so far in this round (their keys are `method#n`). */
  asked: number;
}

/**
 * The SDK's side of an in-process link: what the server sends comes back
 * through `deliver`, with the id of the request it relates to.
 */
class InProcessTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;

  constructor(private readonly deliver: (message: JSONRPCMessage, relatedId: string | number | undefined) => void) {}

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.deliver(message, options?.relatedRequestId);
  }

  async close(): Promise<void> {
    this.onclose?.();
  }

  /** Hands a client message to the server. */
  receive(message: JSONRPCMessage): void {
    this.onmessage?.(message);
  }
}

export class ModernEndpoint {
  private readonly mcp: McpServer = createMcpServer({ questionsOnCallStream: true });
  private readonly link = new InProcessTransport((message, related) => this.fromServer(message, related));
  private readonly pending = new Map<number, PendingReply>();
  private nextId = 1;
  private ready: Promise<void> | undefined;
  /** The server/discover reply (capabilities, instructions), built once from the SDK server's own answer. */
  private discovery: Record<string, unknown> | undefined;

  constructor(private readonly opts: { jsonResponse: boolean }) {}

  async close(): Promise<void> {
    for (const reply of this.pending.values()) reply.res.destroy();
    this.pending.clear();
    if (this.ready) await this.mcp.close();
  }

  /** Serves one POST whose body is already read and parsed. */
  async serve(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const refusal = checkModernRequest(req, body);
    const message = body as { method: string; id?: string | number; params?: Record<string, unknown> };
    const clientId = typeof message?.id === 'string' || typeof message?.id === 'number' ? message.id : null;
    if (refusal) {
      sendJson(res, refusal.status, { jsonrpc: '2.0', id: clientId, error: { code: refusal.code, message: refusal.message, ...(refusal.data ? { data: refusal.data } : {}) } });
      return;
    }
    // 2026-07-28 defines no client notifications over HTTP; accept and drop them, as the transport rules allow.
    if (clientId === null) {
      res.writeHead(202).end();
      return;
    }
    await this.start();
    if (message.method === 'server/discover') {
      sendJson(res, 200, { jsonrpc: '2.0', id: clientId, result: this.discovery });
      return;
    }
    if (message.method === 'initialize') {
      sendJson(res, 404, {
        jsonrpc: '2.0', id: clientId,
        error: { code: METHOD_NOT_FOUND, message: 'Method not found: 2026-07-28 has no initialize; call server/discover, or send initialize without _meta for a legacy session' },
      });
      return;
    }
    const accept = header(req, 'accept') ?? '';
    const stream = !this.opts.jsonResponse && accept.includes('text/event-stream');
    const internalId = this.nextId++;
    const meta = metaOf(body);
    const inputResponses = message.params?.inputResponses;
    this.pending.set(internalId, {
      clientId, stream, wantsLogs: meta?.[META_LOG_LEVEL] !== undefined, res,
      capabilities: (meta?.[META_CLIENT_CAPABILITIES] ?? {}) as Record<string, unknown>,
      inputResponses: typeof inputResponses === 'object' && inputResponses !== null ? inputResponses as Record<string, unknown> : {},
      asked: 0,
    });
    // A tool call may run long: its stream opens at once, as the SDK's does. Other methods wait, so that an
    // unknown one can still be answered 404.
    if (stream && message.method === 'tools/call') this.startStream(res);
    res.once('close', () => {
      // Closing the stream is the cancellation in 2026-07-28.
      if (this.pending.delete(internalId)) {
        this.link.receive({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: internalId, reason: 'client closed the stream' } });
      }
    });
    this.link.receive({ ...message, jsonrpc: '2.0', id: internalId } as JSONRPCMessage);
  }

  private start(): Promise<void> {
    this.ready ??= this.connect();
    return this.ready;
  }

  /**
   * Connects the shared server and asks it, once, what a legacy client would
   * learn from initialize: that is what server/discover advertises.
   */
  private async connect(): Promise<void> {
    await this.mcp.connect(this.link);
    const internalId = 0;
    const answer = new Promise<Record<string, unknown>>((resolve) => {
      this.onInitialized = resolve;
    });
    this.link.receive({
      jsonrpc: '2.0', id: internalId, method: 'initialize',
      // Every capability: whether a request may use one is decided per request, from its own `_meta`.
      params: { protocolVersion: '2025-11-25', capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: {} }, clientInfo: { name: `${SERVER_NAME}-modern`, version: PACKAGE_INFO.version } },
    });
    const init = await answer;
    this.discovery = {
      resultType: 'complete',
      supportedVersions: SUPPORTED_VERSIONS,
      capabilities: init.capabilities ?? {},
      ...(typeof init.instructions === 'string' ? { instructions: init.instructions } : {}),
      _meta: { [META_SERVER_INFO]: init.serverInfo ?? { name: SERVER_NAME, version: PACKAGE_INFO.version } },
    };
  }

  private onInitialized: ((result: Record<string, unknown>) => void) | undefined;

  /** Routes what the SDK server sends to the HTTP response it belongs to. */
  private fromServer(message: JSONRPCMessage, relatedId: string | number | undefined): void {
    const m = message as { id?: unknown; method?: unknown; result?: unknown; error?: { code?: unknown } };
    const isResponse = m.method === undefined && m.id !== undefined;
    if (isResponse && m.id === 0 && this.onInitialized) {
      this.onInitialized(m.result as Record<string, unknown>);
      this.onInitialized = undefined;
      return;
    }
    if (m.method !== undefined && m.id !== undefined) {
      this.askClient(message as { id: string | number; method: string; params?: unknown }, relatedId);
      return;
    }
    const internalId = isResponse ? m.id : relatedId;
    if (typeof internalId !== 'number') return;
    const reply = this.pending.get(internalId);
    if (!reply) return;
    if (!isResponse) {
      if (!reply.stream || (m.method === 'notifications/message' && !reply.wantsLogs)) return;
      this.startStream(reply.res);
      reply.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
      return;
    }
    this.pending.delete(internalId);
    const out: Record<string, unknown> = { jsonrpc: '2.0', id: reply.clientId };
    if (m.error !== undefined) out.error = m.error;
    else out.result = withResultType(m.result);
    if (reply.stream) {
      // An unknown method is still a 404 when nothing has been streamed yet.
      if (!reply.res.headersSent && m.error?.code === METHOD_NOT_FOUND) {
        sendJson(reply.res, 404, out);
        return;
      }
      this.startStream(reply.res);
      reply.res.end(`event: message\ndata: ${JSON.stringify(out)}\n\n`);
      return;
    }
    sendJson(reply.res, m.error?.code === METHOD_NOT_FOUND ? 404 : 200, out);
  }

  /**
   * A question from a tool to the client (MRTR): answered from the request's
   * `inputResponses` when it holds the answer, else the round ends with
   * `input_required` and the tool is stopped.
   */
  private askClient(question: { id: string | number; method: string; params?: unknown }, relatedId: string | number | undefined): void {
    const answerServer = (reply: { result: unknown } | { error: { code: number; message: string } }): void =>
      this.link.receive({ jsonrpc: '2.0', id: question.id, ...reply } as JSONRPCMessage);
    const internalId = typeof relatedId === 'number' ? relatedId : undefined;
    const reply = internalId === undefined ? undefined : this.pending.get(internalId);
    if (internalId === undefined || reply === undefined) {
      answerServer({ error: { code: INTERNAL_ERROR, message: 'no client request to ask through' } });
      return;
    }
    const key = `${question.method}#${reply.asked++}`;
    const answer = reply.inputResponses[key];
    if (answer !== undefined) {
      answerServer({ result: answer });
      return;
    }
    const needed = CAPABILITY_FOR.get(question.method);
    let out: Record<string, unknown>;
    let status = 200;
    if (needed !== undefined && reply.capabilities[needed] === undefined) {
      status = 400;
      out = {
        jsonrpc: '2.0', id: reply.clientId,
        error: { code: MISSING_REQUIRED_CLIENT_CAPABILITY, message: `Missing required client capability: ${needed}`, data: { requiredCapabilities: { [needed]: {} } } },
      };
    } else {
      out = { jsonrpc: '2.0', id: reply.clientId, result: { resultType: 'input_required', inputRequests: { [key]: { method: question.method, params: question.params ?? {} } } } };
    }
    // This round ends here: the tool's run is stopped and its answer, if it still comes, is dropped.
    this.pending.delete(internalId);
    answerServer({ error: { code: INTERNAL_ERROR, message: 'asked the client (input_required); the request will be sent again' } });
    this.link.receive({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: internalId, reason: 'input_required' } });
    // A stream already open keeps its 200: the error travels in it.
    if (reply.stream && reply.res.headersSent) reply.res.end(`event: message\ndata: ${JSON.stringify(out)}\n\n`);
    else sendJson(reply.res, status, out);
  }

  private startStream(res: ServerResponse): void {
    if (res.headersSent) return;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    res.flushHeaders();
  }
}

function withResultType(result: unknown): unknown {
  if (typeof result !== 'object' || result === null || 'resultType' in result) return result;
  return { resultType: 'complete', ...result };
}

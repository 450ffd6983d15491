/**
 * One 2026-07-28 request answered by an SDK server of its own, over an
 * in-process link, then closed: nothing (log level, capabilities, answers,
 * subscriptions) is shared with another request.
 *
 * - The server is told, through an in-process `initialize`, that the client
 *   can do everything; whether this request may use a capability is decided
 *   from its own `_meta` (rev-2026-07-28-request.ts, and the bridge below).
 * - The SSE stream opens at the first notification (progress, a log line the
 *   request asked for), so a refusal that comes before any (-32021, -32601)
 *   still gets its own HTTP status.
 * - A tool written for the handshake era that asks the client something
 *   (sampling, elicitation, roots) is bridged to multi round-trip requests:
 *   its question becomes `input_required` under the key `method#n` (n-th
 *   question of the run), the tool is stopped, and when the request comes
 *   again its `inputResponses` answer the questions in the same order.
 * - The client closing the stream cancels the request.
 */
import type { ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { sendJson } from './http-util.js';
import { createMcpServer } from './mcp-server-factory.js';
import { MISSING_REQUIRED_CLIENT_CAPABILITY, type Rev20260728RequestContext } from './rev-2026-07-28-request.js';
import { PACKAGE_INFO, SERVER_NAME } from './package-info.js';

export const METHOD_NOT_FOUND = -32601;
const INTERNAL_ERROR = -32603;

/** The client capability each server-to-client question needs. */
const CAPABILITY_FOR: ReadonlyMap<string, string> = new Map([
  ['sampling/createMessage', 'sampling'], ['elicitation/create', 'elicitation'], ['roots/list', 'roots'],
]);

/** What the in-process initialize declares: every capability (each request's own `_meta` decides). */
const INITIALIZE_PARAMS = {
  protocolVersion: '2025-11-25',
  capabilities: { sampling: {}, elicitation: { form: {}, url: {} }, roots: {} },
  clientInfo: { name: `${SERVER_NAME}-stateless`, version: PACKAGE_INFO.version },
};

type Message = { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: { code?: unknown } };

/** The SDK's side of an in-process link: what the server sends goes to `deliver`. */
class InProcessTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;

  constructor(private readonly deliver: (message: JSONRPCMessage) => void) {}

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    this.deliver(message);
  }

  async close(): Promise<void> {
    this.onclose?.();
  }

  /** Hands a client message to the server. */
  receive(message: object): void {
    this.onmessage?.(message as JSONRPCMessage);
  }
}

/**
 * A per-request server, connected and initialized; `onMessage` gets what it
 * sends afterwards. The initialize answer is returned (capabilities,
 * instructions, serverInfo).
 */
async function openServer(ctx: Rev20260728RequestContext, onMessage: (message: Message) => void): Promise<{ mcp: McpServer; link: InProcessTransport; init: Record<string, unknown> }> {
  let initialized: ((result: Record<string, unknown>) => void) | undefined;
  const init = new Promise<Record<string, unknown>>((resolve) => (initialized = resolve));
  const link = new InProcessTransport((message) => {
    const m = message as Message;
    if (initialized && m.method === undefined && m.id === 0) {
      initialized((m.result ?? {}) as Record<string, unknown>);
      initialized = undefined;
      return;
    }
    onMessage(m);
  });
  const mcp = createMcpServer({ rev20260728: ctx });
  await mcp.connect(link);
  link.receive({ jsonrpc: '2.0', id: 0, method: 'initialize', params: INITIALIZE_PARAMS });
  return { mcp, link, init: await init };
}

/** Asks a throwaway per-request server for what every request would see: its initialize answer and its tool list. */
export async function describeServer(ctx: Rev20260728RequestContext): Promise<{ init: Record<string, unknown>; tools: unknown[] }> {
  let listed: ((tools: unknown[]) => void) | undefined;
  const tools = new Promise<unknown[]>((resolve) => (listed = resolve));
  const { mcp, link, init } = await openServer(ctx, (m) => {
    if (m.id === 1) listed?.(((m.result as { tools?: unknown[] } | undefined)?.tools) ?? []);
  });
  link.receive({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
  const result = { init, tools: await tools };
  await mcp.close();
  return result;
}

export interface ExchangeOptions {
  clientId: string | number;
  /** The client's request as it came (method, params). */
  request: { method: string; params?: Record<string, unknown> };
  ctx: Rev20260728RequestContext;
  res: ServerResponse;
  /** May the reply be an SSE stream (the client accepts one and the endpoint is not in JSON mode)? */
  stream: boolean;
  /** Adds what the endpoint puts on every successful result (resultType, caching hints). */
  decorate(result: unknown): unknown;
  /** Brings an SDK error to this revision's form (e.g. resource not found). */
  decorateError(error: { code?: unknown }): unknown;
}

/** Serves one request on a server of its own; resolves once the request is handed over (the reply may still be running). */
export async function runExchange(opts: ExchangeOptions): Promise<void> {
  const { ctx, res, clientId } = opts;
  let done = false;
  let asked = 0;
  const { mcp, link } = await openServer(ctx, (m) => {
    if (done) return;
    if (m.method !== undefined && m.id !== undefined) return ask(m as { id: string | number; method: string; params?: unknown });
    if (m.method !== undefined) return notify(m);
    finish(m);
  });

  function startStream(): void {
    if (res.headersSent) return;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    res.flushHeaders();
  }

  function notify(m: Message): void {
    // Log lines only for a request that named a level (the catalog already applies the level itself).
    if (!opts.stream || (m.method === 'notifications/message' && ctx.logLevel === undefined)) return;
    startStream();
    res.write(`event: message\ndata: ${JSON.stringify(m)}\n\n`);
  }

  /** Ends the exchange with the SDK's reply, or with what the request context recorded instead. */
  function finish(reply: Message | undefined): void {
    done = true;
    const outcome = ctx.outcome;
    let out: Record<string, unknown>;
    let status = 200;
    if (outcome?.kind === 'error') {
      status = outcome.status;
      out = { jsonrpc: '2.0', id: clientId, error: { code: outcome.code, message: outcome.message, ...(outcome.data === undefined ? {} : { data: outcome.data }) } };
    } else if (outcome?.kind === 'input_required') {
      const { kind: _kind, ...rest } = outcome;
      out = { jsonrpc: '2.0', id: clientId, result: { resultType: 'input_required', ...rest } };
    } else if (reply?.error !== undefined) {
      if (reply.error.code === METHOD_NOT_FOUND) status = 404;
      out = { jsonrpc: '2.0', id: clientId, error: opts.decorateError(reply.error) };
    } else {
      out = { jsonrpc: '2.0', id: clientId, result: opts.decorate(reply?.result) };
    }
    if (res.headersSent) {
      // A stream already open keeps its 200: the answer, error or not, travels in it.
      res.end(`event: message\ndata: ${JSON.stringify(out)}\n\n`);
    } else if (status !== 200 || !opts.stream) {
      sendJson(res, status, out);
    } else {
      startStream();
      res.end(`event: message\ndata: ${JSON.stringify(out)}\n\n`);
    }
    mcp.close().catch(() => undefined);
  }

  /** A question from a handshake-era tool: answered from `inputResponses`, else this round ends with it. */
  function ask(question: { id: string | number; method: string; params?: unknown }): void {
    const key = `${question.method}#${asked++}`;
    const answer = ctx.answer(key);
    if (answer !== undefined) {
      link.receive({ jsonrpc: '2.0', id: question.id, result: answer });
      return;
    }
    const needed = CAPABILITY_FOR.get(question.method);
    if (needed !== undefined && !ctx.declares(needed)) {
      ctx.outcome = {
        kind: 'error', status: 400, code: MISSING_REQUIRED_CLIENT_CAPABILITY,
        message: `Missing required client capability: ${needed}`, data: { requiredCapabilities: { [needed]: {} } },
      };
    } else {
      ctx.outcome = { kind: 'input_required', inputRequests: { [key]: { method: question.method, params: (question.params ?? {}) as Record<string, unknown> } } };
    }
    finish(undefined);
    // The tool is stopped; whatever it does with this error is dropped with its server.
    link.receive({ jsonrpc: '2.0', id: question.id, error: { code: INTERNAL_ERROR, message: 'asked the client (input_required); the request will be sent again' } });
  }

  res.once('close', () => {
    if (done) return;
    // Closing the stream is the cancellation in 2026-07-28.
    done = true;
    link.receive({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: clientId, reason: 'client closed the stream' } });
    mcp.close().catch(() => undefined);
  });
  link.receive({ ...opts.request, jsonrpc: '2.0', id: clientId });
}

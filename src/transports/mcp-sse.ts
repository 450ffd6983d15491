/**
 * The legacy HTTP+SSE transport (MCP 2024-11-05): the client opens a GET
 * event stream, whose first event (`endpoint`) names where to POST; every
 * message is POSTed there (the server answers 202), and every response,
 * notification and server request arrives on the event stream. The
 * session lives as long as that stream.
 *
 * Samples: the stream's opening is type `GET` (time to the `endpoint`
 * event), then the same types and names as over Streamable HTTP, the
 * endpoint name being the SSE URL's path.
 */
import { TextDecoder } from 'node:util';
import type { Dispatcher } from 'undici';
import { nowUs, type Recorder, type SampleError } from '../metrics/sample.js';
import { classifyNetworkError, deadlineError, fixedError, httpStatusError } from './errors.js';
import type { McpClient, McpClientOptions, McpConnector } from './mcp-client.js';
import { DEFAULT_PROTOCOL_VERSION } from './mcp-http.js';
import { discardBody, DEFAULT_MAX_BODY_BYTES } from './read-body.js';
import { RpcRouter, type RouterReply } from './rpc-router.js';
import { clientCapabilities, type CallStream, type ServerRequestReplies } from './server-messages.js';
import { handshake, NOT_CONNECTED, SessionMcpClient, type HandshakeRecorder, type MessageSession } from './session-client.js';
import { SseParser } from './sse.js';
import type { StartupDeadline } from './startup-deadline.js';

const STREAM_CLOSED = fixedError('connect', 'SSE stream closed');
const NOT_EVENT_STREAM = fixedError('http', 'GET did not answer text/event-stream');
const NO_ENDPOINT = fixedError('jsonrpc', 'no endpoint event on the SSE stream');
const FOREIGN_ENDPOINT = fixedError('jsonrpc', 'endpoint event names another origin');
const BAD_EVENT = fixedError('jsonrpc', 'invalid JSON in an SSE message');

export interface SseTarget {
  /** The SSE endpoint, e.g. http://127.0.0.1:3001/sse */
  url: string;
  dispatcher: Dispatcher;
  headers: Record<string, string>;
  timeoutMs: number;
  maxBodyBytes?: number;
}

/** One legacy session: one event stream and the POST endpoint it named. */
export class SseSession implements MessageSession {
  private readonly url: URL;
  private readonly router: RpcRouter;
  private readonly clientCaps: Record<string, object>;
  private endpoint: string | undefined;
  private stream: AbortController | undefined;
  private reading: Promise<void> | undefined;
  private pendingHandshake: Promise<boolean> | undefined;
  private closed = false;
  ready = false;
  capabilities: Record<string, unknown> | undefined;
  protocolVersion: string;

  constructor(
    private readonly target: SseTarget,
    private readonly recorder: Recorder,
    replies: ServerRequestReplies | undefined,
    protocolVersion: string,
  ) {
    this.url = new URL(target.url);
    this.protocolVersion = protocolVersion;
    this.clientCaps = clientCapabilities(replies);
    this.router = new RpcRouter((message) => this.post(message), recorder, replies, target.timeoutMs);
  }

  /** The endpoint's path: the name of requests that have no better one. */
  get endpointName(): string {
    return this.url.pathname;
  }

  initialize(record: HandshakeRecorder, signal?: AbortSignal): Promise<boolean> {
    if (this.ready && this.endpoint !== undefined) return Promise.resolve(true);
    this.pendingHandshake ??= this.connectAndHandshake(record, signal).finally(() => {
      this.pendingHandshake = undefined;
    });
    return this.pendingHandshake;
  }

  private async connectAndHandshake(record: HandshakeRecorder, signal?: AbortSignal): Promise<boolean> {
    if (this.closed) return false;
    this.ready = false;
    await this.disconnect();
    const start = nowUs();
    const opened = await this.open();
    record('GET', nowUs() - start, 0, opened);
    if (opened !== undefined) return false;
    const out = await handshake(this, record, this.recorder, this.protocolVersion, this.clientCaps, signal);
    if (out.protocolVersion !== undefined) this.protocolVersion = out.protocolVersion;
    if (out.capabilities !== undefined) this.capabilities = out.capabilities;
    this.ready = out.ok && this.endpoint !== undefined;
    return this.ready;
  }

  /** Opens the event stream and waits for its `endpoint` event; the reason when that failed. */
  private async open(): Promise<SampleError | undefined> {
    const controller = new AbortController();
    this.stream = controller;
    const timer = setTimeout(() => controller.abort(), this.target.timeoutMs);
    let res: Dispatcher.ResponseData;
    try {
      res = await this.target.dispatcher.request({
        origin: this.url.origin, path: this.url.pathname + this.url.search, method: 'GET',
        headers: { ...this.target.headers, accept: 'text/event-stream' }, signal: controller.signal,
      });
    } catch (err) {
      clearTimeout(timer);
      return controller.signal.aborted ? deadlineError(this.target.timeoutMs) : classifyNetworkError(err);
    }
    if (res.statusCode !== 200 || !String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
      clearTimeout(timer);
      await discardBody(res.body, this.target.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES).catch(() => 0);
      return res.statusCode !== 200 ? httpStatusError(res.statusCode) : NOT_EVENT_STREAM;
    }
    const endpoint = new Promise<SampleError | undefined>((resolve) => {
      this.reading = this.read(res.body, resolve);
    });
    const problem = await endpoint;
    clearTimeout(timer);
    return problem;
  }

  /** Reads the stream until it ends: the `endpoint` event first, then messages for the router. */
  private async read(body: Dispatcher.ResponseData['body'], onEndpoint: (problem: SampleError | undefined) => void): Promise<void> {
    let endpointSeen = false;
    const parser = new SseParser({
      onEvent: (type, data) => {
        if (type === 'endpoint') {
          if (endpointSeen) return;
          endpointSeen = true;
          let url: URL;
          try {
            url = new URL(data, this.url);
          } catch {
            onEndpoint(NO_ENDPOINT);
            return;
          }
          // POSTs carry the user's headers (a token, perhaps): never to another origin.
          if (url.origin !== this.url.origin) {
            onEndpoint(FOREIGN_ENDPOINT);
            return;
          }
          this.endpoint = url.pathname + url.search;
          onEndpoint(undefined);
        } else if (type === 'message') {
          let message: unknown;
          try {
            message = JSON.parse(data);
          } catch {
            this.recorder.record('SSE', this.endpointName, 0, data.length, BAD_EVENT);
            return;
          }
          if (typeof message === 'object' && message !== null) this.router.onMessage(message as Record<string, unknown>, Buffer.byteLength(data));
        }
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) parser.push(decoder.decode(chunk as Buffer, { stream: true }));
    } catch {
      // aborted by close(), or the connection broke: the same for waiting calls
    }
    parser.end();
    if (!endpointSeen) onEndpoint(this.stream?.signal.aborted ? deadlineError(this.target.timeoutMs) : NO_ENDPOINT);
    this.ready = false;
    this.endpoint = undefined;
    this.router.failAll(STREAM_CLOSED);
  }

  newProgressToken(): string {
    return this.router.newProgressToken();
  }

  call(method: string, params: object | undefined, signal?: AbortSignal, stream?: CallStream, progressToken?: string): Promise<RouterReply> {
    return this.router.call(method, params, signal, stream, progressToken);
  }

  /** POSTs one message to the endpoint; the server answers 202 and replies on the stream. */
  async post(message: object): Promise<SampleError | undefined> {
    const endpoint = this.endpoint;
    if (endpoint === undefined) return NOT_CONNECTED;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.target.timeoutMs);
    try {
      const res = await this.target.dispatcher.request({
        origin: this.url.origin, path: endpoint, method: 'POST', body: JSON.stringify(message), signal: controller.signal,
        headers: { ...this.target.headers, 'content-type': 'application/json' },
      });
      await discardBody(res.body, this.target.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
      return res.statusCode >= 200 && res.statusCode <= 299 ? undefined : httpStatusError(res.statusCode);
    } catch (err) {
      return controller.signal.aborted ? deadlineError(this.target.timeoutMs) : classifyNetworkError(err);
    } finally {
      clearTimeout(timer);
    }
  }

  private async disconnect(): Promise<void> {
    this.stream?.abort();
    await this.reading;
    this.stream = undefined;
    this.reading = undefined;
  }

  /** Ends the session: closes the event stream. */
  async close(): Promise<void> {
    this.closed = true;
    this.ready = false;
    await this.disconnect();
  }
}

/** Makes a run's legacy SSE clients, one session (one event stream) per user. */
export class SseConnector implements McpConnector {
  readonly kind = 'sse';
  readonly description: string;

  constructor(private readonly target: SseTarget & { protocolVersion?: string }) {
    this.description = target.url;
  }

  create(opts: McpClientOptions): McpClient {
    const session = new SseSession(
      { ...this.target, timeoutMs: opts.timeoutMs ?? this.target.timeoutMs },
      opts.recorder, opts.serverRequests, opts.protocolVersion ?? this.target.protocolVersion ?? DEFAULT_PROTOCOL_VERSION,
    );
    return new SessionMcpClient(session, session.endpointName, true, opts.recorder, opts.signal, opts.timing);
  }

  async close(): Promise<void> {
    // Each client closes its own stream.
  }
}

/**
 * Which transport a server at `url` speaks, the way the spec's backwards
 * compatibility section says: POST an `initialize`; a 400, 404 or 405 means
 * an older server, which then must answer a GET with an event stream. A
 * session opened by the POST is ended at once. Network errors leave the
 * choice at Streamable HTTP (the run will show them); `undecided` when
 * start-up's deadline passed without an answer. Never rejects: a detection
 * that goes wrong in any way is no reason to crash the run.
 */
export async function detectTransport(
  target: SseTarget, protocolVersion = DEFAULT_PROTOCOL_VERSION, deadline?: StartupDeadline,
): Promise<'streamable-http' | 'sse' | 'undecided'> {
  try {
    return await detect(target, protocolVersion, deadline);
  } catch {
    return deadline?.expired === true ? 'undecided' : 'streamable-http';
  }
}

/** Ends a reply body that will not be read. An undici body destroyed before its end emits RequestAbortedError: it must have a listener. */
function dropBody(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

async function detect(target: SseTarget, protocolVersion: string, deadline: StartupDeadline | undefined): Promise<'streamable-http' | 'sse' | 'undecided'> {
  const url = new URL(target.url);
  const path = url.pathname + url.search;
  const request = async (method: string, headers: Record<string, string>, body?: string): Promise<Dispatcher.ResponseData | undefined> => {
    if (deadline?.expired === true) return undefined;
    const timeout = AbortSignal.timeout(target.timeoutMs);
    try {
      const res = await target.dispatcher.request({
        origin: url.origin, path, method, body, headers: { ...target.headers, ...headers },
        signal: deadline === undefined ? timeout : AbortSignal.any([deadline.signal, timeout]),
      });
      deadline?.answered();
      return res;
    } catch {
      return undefined;
    }
  };
  const noAnswer = () => (deadline?.expired === true ? 'undecided' : 'streamable-http');
  const init = JSON.stringify({
    jsonrpc: '2.0', id: 1, method: 'initialize',
    params: { protocolVersion, capabilities: {}, clientInfo: { name: 'mcpload-transport-check', version: '1' } },
  });
  const posted = await request('POST', { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, init);
  if (posted === undefined) return noAnswer();
  await posted.body.dump().catch(() => undefined);
  const sid = posted.headers['mcp-session-id'];
  if (typeof sid === 'string' && sid.length > 0) {
    const ended = await request('DELETE', { 'mcp-session-id': sid, 'mcp-protocol-version': protocolVersion });
    await ended?.body.dump().catch(() => undefined);
  }
  if (![400, 404, 405].includes(posted.statusCode)) return 'streamable-http';
  const got = await request('GET', { accept: 'text/event-stream' });
  if (got === undefined) return noAnswer();
  const isStream = got.statusCode === 200 && String(got.headers['content-type'] ?? '').startsWith('text/event-stream');
  dropBody(got.body); // an event stream never ends by itself
  return isStream ? 'sse' : 'streamable-http';
}

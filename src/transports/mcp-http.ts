/**
 * An MCP client over Streamable HTTP, built for load: one instance per
 * virtual user (its own session), every request timed and recorded as
 * exactly one sample, no exception escaping for network or protocol
 * failures.
 *
 * Protocol (MCP 2025-11-25, basic/transports#streamable-http): each JSON-RPC
 * message is POSTed to the endpoint with `Accept: application/json,
 * text/event-stream`; the reply is one JSON object or an SSE stream ending
 * with the response; notifications get 202. The server may hand out an
 * `MCP-Session-Id` on the initialize reply, which is echoed afterwards with
 * `MCP-Protocol-Version`; 404 on a request carrying a session id means the
 * session is gone; `DELETE` ends it.
 *
 * Protocol 2026-07-28 (stateless, see modern-http.ts): no handshake and no
 * session; `initialize()` sends `server/discover` instead, every request
 * carries `_meta` and the routing headers, and `input_required` results are
 * answered and sent again (each round one sample).
 *
 * Hot path: headers are one prebuilt object (rebuilt only when the session
 * changes), the timer needs no closure, and error objects are shared.
 */
import { INVALID_RESPONSE, jsonRpcError, toolError } from './rpc-result.js';
import type { Dispatcher } from 'undici';
import { CUT_AT_STOP, nowUs, type Recorder, type SampleError } from '../metrics/sample.js';
import {
  classifyNetworkError, deadlineError, fixedError, httpStatusError, INVALID_JSON, NO_RESPONSE, SESSION_GONE, shortText, TOO_LARGE, WRONG_ID,
} from './errors.js';
import { type Deadline, InFlight, MAX_TIMER_MS } from './in-flight.js';
import { DEFAULT_MAX_BODY_BYTES, discardBody, readCapped } from './read-body.js';
import { leanPost } from './lean-post.js';
import { CallStream, clientCapabilities, type Reply, type ServerRequestReplies } from './server-messages.js';
import { drainRest, readSseReply } from './sse.js';
import { isResumable, resumeSseReply } from './sse-resume.js';
import { takeLatencyOrigin, type IterationTiming } from './iteration-timing.js';
import { isModernVersion } from '../protocol/modern-wire.js';
import { isInputRequired, MirroredHeaders, modernMeta, nextRoundParams, routingHeaders, withMeta } from './modern-http.js';

export type RpcOutcome = { ok: true; result: any } | { ok: false; error: SampleError };

/** Checks a successful result; returns a short failure text, or undefined when it is fine. */
export type ResultCheck = (result: any) => string | undefined;

export interface RpcOptions {
  /** Sample name; default the endpoint path (tool name, URI... for the helpers). */
  name?: string;
  /** A failed check becomes a `check` error on the sample. */
  validate?: ResultCheck;
  /** `callTool`: ask for progress notifications (sends a `progressToken`); see server-messages.ts for what is recorded. */
  progress?: boolean;
  /** `request`: the result is a tool's (e.g. `tasks/result` of a tool call): `isError: true` is a `tool` error. */
  toolResult?: boolean;
  /**
   * Sent even once the user was stopped, like the DELETE that ends a
   * session: clean-up the server must get (`tasks/cancel` of a task still
   * running at the stop).
   */
  afterStop?: boolean;
}

export interface McpHttpClientOptions {
  /** Full MCP endpoint URL, e.g. http://127.0.0.1:8000/mcp */
  url: string;
  recorder: Recorder;
  dispatcher: Dispatcher;
  /** Per-request deadline, covering headers and body; default 30,000 ms. */
  timeoutMs?: number;
  /** Version offered in `initialize`; the server's answer is adopted. Default 2025-11-25. */
  protocolVersion?: string;
  /** Extra request headers (e.g. Authorization). Their values never appear in error details. */
  headers?: Record<string, string>;
  clientInfo?: { name: string; version: string };
  /** Aborts in-flight requests when the virtual user is stopped. */
  signal?: AbortSignal;
  /** Cap on a buffered reply; default 16 MiB. */
  maxBodyBytes?: number;
  /** Open-model runs: the iteration's intended start and the service-time recorder (see iteration-timing.ts). */
  timing?: IterationTiming;
  /**
   * Gets each reply's time to first byte (send to response headers), beside
   * the full-reply sample. For SSE replies the two differ by the whole call.
   */
  firstByte?: Recorder;
  /**
   * How to answer the server's requests during a call (sampling, elicitation,
   * roots); each one given is announced as a capability. `ping` is always
   * answered; a request with no reply configured gets -32601.
   */
  serverRequests?: ServerRequestReplies;
}

export const DEFAULT_PROTOCOL_VERSION = '2025-11-25';
const DEFAULT_CLIENT_INFO = Object.freeze({ name: 'mcpload', version: '0.1.0' });

const VALIDATE_THREW = fixedError('check', 'validate threw');
/** Returned when the user was stopped mid-request; the cut sample is recorded by InFlight (in-flight.ts). */
const CUT = CUT_AT_STOP;
const CUT_OUTCOME: RpcOutcome = Object.freeze({ ok: false, error: CUT }) as RpcOutcome;
/** Rounds of one multi round-trip request before giving up (a server asking forever is a failure). */
const MAX_INPUT_ROUNDS = 4;
const TOO_MANY_ROUNDS = fixedError('check', `still input_required after ${MAX_INPUT_ROUNDS} rounds`);

/** x-mcp-header annotations per MCP endpoint, learnt from any client's tools/list and used by all. */
const MIRRORED_BY_ENDPOINT = new Map<string, MirroredHeaders>();

// Flags for `exchange`, instead of a closure per call.
const CHECK_TOOL_ERROR = 1;
const ADOPT_SESSION = 2;
const NO_CANCEL = 4;
const AFTER_STOP = 8;

/** Statuses that are fine for a DELETE that ends a session (405: the server does not let clients end sessions). */
const DELETE_OK = new Set([200, 202, 204, 405]);

export class McpHttpClient {
  private readonly recorder: Recorder;
  private readonly dispatcher: Dispatcher;
  private readonly origin: string;
  /** Path with query, as sent. */
  private readonly requestPath: string;
  /** Path without query: the default sample name. */
  readonly endpointPath: string;
  private readonly timeoutMs: number;
  private readonly timeoutError: SampleError;
  private readonly maxBodyBytes: number;
  private readonly clientInfo: { name: string; version: string };
  private readonly baseHeaders: Record<string, string>;
  private readonly inFlight: InFlight;
  private readonly timing: IterationTiming | undefined;
  private readonly firstByte: Recorder | undefined;
  private headers: Record<string, string>;
  private protocolVersion: string;
  private sid: string | undefined = undefined;
  private ready = false;
  private nextId = 1;
  private closing: Promise<void> | undefined = undefined;
  private capabilities: Record<string, unknown> | undefined = undefined;
  private readonly replies: ServerRequestReplies | undefined;
  private readonly clientCaps: Record<string, object>;
  private nextProgressToken = 1;
  /** Speaks the stateless 2026-07-28 revision (see modern-http.ts). */
  private readonly modern: boolean;
  /** Modern only: the `_meta` every request carries. */
  private readonly meta: Readonly<Record<string, unknown>> | undefined;
  private readonly mirrored: MirroredHeaders | undefined;
  /** Posts an answer to a server request; bound once, handed to each call's stream watcher. */
  private readonly sendReply = (reply: Reply, method: string): void => {
    void this.post(JSON.stringify(reply), 'reply', method, true);
  };

  constructor(opts: McpHttpClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.url);
    } catch {
      throw new Error(`MCP endpoint is not a valid URL: ${JSON.stringify(opts.url)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`MCP endpoint must be http:// or https://, got ${url.protocol}`);
    }
    this.recorder = opts.recorder;
    this.dispatcher = opts.dispatcher;
    this.origin = url.origin;
    this.endpointPath = url.pathname;
    this.requestPath = url.pathname + url.search;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    // setTimeout cannot wait longer than 2^31-1 ms (it would fire at once).
    if (!(this.timeoutMs > 0 && this.timeoutMs <= MAX_TIMER_MS)) {
      throw new Error(`timeoutMs must be between 1 and ${MAX_TIMER_MS}, got ${opts.timeoutMs}`);
    }
    this.timeoutError = deadlineError(this.timeoutMs);
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.protocolVersion = opts.protocolVersion ?? DEFAULT_PROTOCOL_VERSION;
    this.clientInfo = opts.clientInfo ?? DEFAULT_CLIENT_INFO;
    const base: Record<string, string> = {};
    // Lower-cased so that a caller's `Accept` does not sit beside ours.
    for (const [key, value] of Object.entries(opts.headers ?? {})) base[key.toLowerCase()] = value;
    base['content-type'] = 'application/json';
    base.accept = 'application/json, text/event-stream';
    this.baseHeaders = base;
    this.headers = base;
    this.inFlight = new InFlight(opts.signal, opts.recorder, opts.timing);
    this.timing = opts.timing;
    this.firstByte = opts.firstByte;
    this.replies = opts.serverRequests;
    this.clientCaps = clientCapabilities(opts.serverRequests);
    this.modern = isModernVersion(this.protocolVersion);
    if (this.modern) {
      this.meta = modernMeta(this.protocolVersion, this.clientInfo, this.clientCaps);
      const key = url.origin + this.requestPath;
      let mirrored = MIRRORED_BY_ENDPOINT.get(key);
      if (mirrored === undefined) MIRRORED_BY_ENDPOINT.set(key, mirrored = new MirroredHeaders());
      this.mirrored = mirrored;
      // Every request names its version; there is no session to wait for.
      this.headers = { ...base, 'mcp-protocol-version': this.protocolVersion };
    }
  }

  /** The session id the server gave, if any (undefined for stateless servers and after the session ended). */
  get sessionId(): string | undefined {
    return this.sid;
  }

  /** True between a successful `initialize()` and the end of its session (404 or `close()`). */
  get initialized(): boolean {
    return this.ready;
  }

  /** What the server announced in its initialize reply (undefined before the first successful initialize). */
  get serverCapabilities(): Record<string, unknown> | undefined {
    return this.capabilities;
  }

  /** The protocol version in use: the one offered, then the one the server chose. */
  get negotiatedProtocolVersion(): string {
    return this.protocolVersion;
  }

  /**
   * The handshake: `initialize`, then `notifications/initialized`. Both are
   * recorded. Starts a fresh session (forgetting any previous one), so it is
   * also how a user recovers after its session expired.
   */
  async initialize(): Promise<boolean> {
    if (this.modern) return this.discover();
    this.setSession(undefined, false);
    this.closing = undefined; // a new session can be closed again
    const params = { protocolVersion: this.protocolVersion, capabilities: this.clientCaps, clientInfo: this.clientInfo };
    const out = await this.exchange('initialize', params, this.endpointPath, undefined, ADOPT_SESSION | NO_CANCEL);
    if (!out.ok) return false;
    const init = out.result as { protocolVersion?: unknown; capabilities?: unknown } | undefined;
    const version = init?.protocolVersion;
    if (typeof version === 'string' && version.length > 0) this.protocolVersion = version;
    this.capabilities = typeof init?.capabilities === 'object' && init.capabilities !== null ? init.capabilities as Record<string, unknown> : {};
    this.setSession(this.sid, true);
    const sent = await this.notify('notifications/initialized');
    this.ready = sent;
    return sent;
  }

  /**
   * 2026-07-28's stand-in for the handshake: `server/discover` (recorded),
   * which must list the version in use. Its capabilities are kept as the
   * server's.
   */
  private async discover(): Promise<boolean> {
    const version = this.protocolVersion;
    const listsVersion = (result: any): string | undefined => (Array.isArray(result?.supportedVersions) && result.supportedVersions.includes(version)
      ? undefined : `server/discover does not list ${version}`);
    const out = await this.exchange('server/discover', undefined, this.endpointPath, listsVersion, NO_CANCEL);
    if (!out.ok) return false;
    const caps = (out.result as { capabilities?: unknown }).capabilities;
    this.capabilities = typeof caps === 'object' && caps !== null ? caps as Record<string, unknown> : {};
    this.ready = true;
    return true;
  }

  /** Any JSON-RPC request. Records one sample (type = method) and never throws for network or protocol failures. */
  request(method: string, params?: object, opts?: RpcOptions): Promise<RpcOutcome> {
    const flags = (opts?.toolResult === true ? CHECK_TOOL_ERROR : 0) | (opts?.afterStop === true ? AFTER_STOP | NO_CANCEL : 0);
    return this.call(method, params, opts?.name ?? this.endpointPath, opts?.validate, flags);
  }

  /**
   * One request; under 2026-07-28 also the further rounds of a multi
   * round-trip request (MRTR), each recorded as its own request.
   */
  private call(method: string, params: object | undefined, name: string, validate: ResultCheck | undefined, flags: number): Promise<RpcOutcome> {
    const first = this.exchange(method, params, name, validate, flags);
    // Legacy versions: no extra async step on the hot path.
    return this.modern ? this.furtherRounds(first, method, params, name, validate, flags) : first;
  }

  private async furtherRounds(
    first: Promise<RpcOutcome>, method: string, params: object | undefined, name: string, validate: ResultCheck | undefined, flags: number,
  ): Promise<RpcOutcome> {
    let out = await first;
    for (let round = 1; out.ok && isInputRequired(out.result); round++) {
      const next = round < MAX_INPUT_ROUNDS ? nextRoundParams(params, out.result, this.replies) : TOO_MANY_ROUNDS.detail;
      if (typeof next === 'string') {
        const error = next === TOO_MANY_ROUNDS.detail ? TOO_MANY_ROUNDS : fixedError('check', next);
        this.recorder.record('input_required', name, 0, 0, error);
        return { ok: false, error };
      }
      // Each round its own row: the first times the question, the next ones the answered call.
      out = await this.exchange(method, next, `${name} (round ${round + 1})`, validate, flags);
    }
    return out;
  }

  listTools(opts?: RpcOptions): Promise<RpcOutcome> {
    return this.request('tools/list', undefined, opts);
  }

  /** `tools/call`; named after the tool. A result with `isError: true` is a `tool` error. */
  callTool(name: string, args: Record<string, unknown> = {}, opts?: RpcOptions): Promise<RpcOutcome> {
    const params = opts?.progress === true
      ? { name, arguments: args, _meta: { progressToken: `p${this.nextProgressToken++}` } }
      : { name, arguments: args };
    return this.call('tools/call', params, opts?.name ?? name, opts?.validate, CHECK_TOOL_ERROR);
  }

  listResources(opts?: RpcOptions): Promise<RpcOutcome> {
    return this.request('resources/list', undefined, opts);
  }

  readResource(uri: string, opts?: RpcOptions): Promise<RpcOutcome> {
    return this.call('resources/read', { uri }, opts?.name ?? uri, opts?.validate, 0);
  }

  listPrompts(opts?: RpcOptions): Promise<RpcOutcome> {
    return this.request('prompts/list', undefined, opts);
  }

  getPrompt(name: string, args: Record<string, string> = {}, opts?: RpcOptions): Promise<RpcOutcome> {
    return this.call('prompts/get', { name, arguments: args }, opts?.name ?? name, opts?.validate, 0);
  }

  ping(opts?: RpcOptions): Promise<RpcOutcome> {
    return this.request('ping', undefined, opts);
  }

  /**
   * Sends a JSON-RPC notification (no id, no reply expected; 202). Recorded
   * like a request unless `record` is false. Returns whether it was accepted.
   */
  notify(method: string, params?: object, record = true): Promise<boolean> {
    const payload = JSON.stringify(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params });
    return this.post(payload, method, this.endpointPath, record);
  }

  /** POSTs one message that expects no JSON-RPC reply (a notification, or an answer to a server request). */
  private async post(payload: string, type: string, name: string, record: boolean): Promise<boolean> {
    if (this.inFlight.isCut) return false;
    const hadSession = this.sid !== undefined;
    const deadline = this.inFlight.start(this.timeoutMs);
    const start = nowUs();
    if (record) deadline.recordAs(type, name, start, start);
    let bytes = 0;
    let error: SampleError | undefined;
    let firstByteAt = 0;
    try {
      const headers = this.modern ? { ...this.headers, 'mcp-method': type } : this.headers;
      const res = await this.dispatcher.request({
        origin: this.origin, path: this.requestPath, method: 'POST', headers, body: payload, signal: deadline.signal,
      });
      firstByteAt = nowUs();
      bytes = await discardBody(res.body, this.maxBodyBytes);
      const status = res.statusCode;
      if (status < 200 || status > 299) error = this.statusError(status, hadSession);
    } catch (err) {
      error = this.thrownError(err, deadline);
    } finally {
      this.inFlight.finish(deadline);
    }
    if (deadline.cut) return false;
    if (record) {
      const took = nowUs() - start;
      this.recorder.record(type, name, took, bytes, error);
      this.timing?.service.record(type, name, took, bytes, error);
      if (firstByteAt !== 0) this.firstByte?.record(type, name, firstByteAt - start, 0);
    }
    return error === undefined;
  }

  /**
   * Ends the session with `DELETE` (recorded as type `DELETE`), then forgets
   * it. Idempotent. Not cut by the user's stop signal: a stopping run must
   * still release its sessions, or SDK servers keep them forever.
   */
  close(): Promise<void> {
    this.closing ??= this.endSession();
    return this.closing;
  }

  private async endSession(): Promise<void> {
    const sid = this.sid;
    const headers = this.headers;
    this.setSession(undefined, false);
    if (sid === undefined) return;
    const deadline = this.inFlight.start(this.timeoutMs, false);
    const start = nowUs();
    let bytes = 0;
    let error: SampleError | undefined;
    try {
      const res = await this.dispatcher.request({
        origin: this.origin, path: this.requestPath, method: 'DELETE', headers, signal: deadline.signal,
      });
      bytes = await discardBody(res.body, this.maxBodyBytes);
      if (!DELETE_OK.has(res.statusCode)) error = httpStatusError(res.statusCode);
    } catch (err) {
      error = deadline.timedOut ? this.timeoutError : classifyNetworkError(err);
    } finally {
      this.inFlight.finish(deadline);
    }
    this.recorder.record('DELETE', this.endpointPath, nowUs() - start, bytes, error);
  }

  /** One request, one sample. */
  private async exchange(
    method: string, params: object | undefined, name: string, validate: ResultCheck | undefined, flags: number,
  ): Promise<RpcOutcome> {
    const afterStop = (flags & AFTER_STOP) !== 0;
    if (this.inFlight.isCut && !afterStop) return CUT_OUTCOME;
    const id = this.nextId++;
    const sent = this.meta === undefined ? params : withMeta(params, this.meta);
    const payload = JSON.stringify(sent === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params: sent });
    const headers = this.modern ? routingHeaders(this.headers, method, params, this.mirrored) : this.headers;
    const hadSession = this.sid !== undefined;
    const deadline = this.inFlight.start(this.timeoutMs, !afterStop);
    const start = nowUs();
    const origin = takeLatencyOrigin(this.timing, start);
    deadline.recordAs(method, name, start, origin);
    let bytes = 0;
    let error: SampleError | undefined;
    let message: Record<string, unknown> | undefined;
    let draining = false;
    let firstByteAt = 0;
    try {
      const res = await leanPost(this.dispatcher, {
        origin: this.origin, path: this.requestPath, headers, body: payload, signal: deadline, maxBodyBytes: this.maxBodyBytes,
      });
      firstByteAt = res.firstByteAt;
      const status = res.statusCode;
      if (status < 200 || status > 299) {
        const body = res.stream ? await readCapped(res.stream, this.maxBodyBytes) : res.body;
        bytes = body.bytes;
        // A modern server says why in a JSON-RPC error (-32020 header mismatch, -32022 version...).
        error = this.modern ? modernStatusError(status, body.data) : this.statusError(status, hadSession);
      } else if (res.stream) {
        // Progress, logging and server requests arrive on this stream before the response.
        const stream = new CallStream(this.recorder, name, start, this.sendReply, this.replies);
        const onMessage = (m: Record<string, unknown>): void => stream.onMessage(m);
        let reply = await readSseReply(res.stream, id, this.maxBodyBytes, onMessage);
        if (isResumable(reply)) {
          // The server closed the stream early on purpose (SEP-1699): resume it with Last-Event-ID.
          reply = await resumeSseReply(reply, id, {
            dispatcher: this.dispatcher, origin: this.origin, path: this.requestPath, headers: this.headers,
            maxBodyBytes: this.maxBodyBytes, deadline, onMessage,
          });
        }
        bytes = reply.bytes;
        if (reply.problem === undefined) message = reply.response;
        else error = reply.problem === 'response too large' ? TOO_LARGE
          : reply.problem === 'invalid JSON' ? INVALID_JSON
            : reply.problem === 'wrong response id' ? WRONG_ID : NO_RESPONSE;
        if (reply.rest !== undefined) {
          // The response is in; let the stream end in the background (keeps
          // the socket reusable). Its deadline stays armed until then.
          draining = true;
          deadline.answered();
          void drainRest(reply.rest).finally(() => this.inFlight.finish(deadline));
        }
      } else {
        const body = res.body;
        bytes = body.bytes;
        if (body.tooLarge) error = TOO_LARGE;
        else if (body.data === undefined) error = NO_RESPONSE; // e.g. 202 to a request
        else {
          const found = pickResponse(body.data, id);
          if (isPickError(found)) error = found;
          else message = found;
        }
      }
      if ((flags & ADOPT_SESSION) !== 0 && error === undefined) {
        const header = res.headers['mcp-session-id'];
        this.sid = typeof header === 'string' && header.length > 0 ? header : undefined;
      }
    } catch (err) {
      error = this.thrownError(err, deadline);
    } finally {
      if (!draining) this.inFlight.finish(deadline);
    }
    // Timing ends when the reply is read and parsed; the caller's checks are not the server's time.
    const end = nowUs();
    if (deadline.cut) return CUT_OUTCOME;

    let result: unknown;
    if (error === undefined && message !== undefined) {
      const rpcError = message.error;
      if (rpcError !== undefined) error = jsonRpcError(rpcError);
      else if (!('result' in message)) error = INVALID_RESPONSE;
      else {
        result = message.result;
        // An input_required round is not the answer yet: the checks wait for the last round.
        const partial = this.modern && isInputRequired(result);
        if ((flags & CHECK_TOOL_ERROR) !== 0 && !partial) error = toolError(result);
        if (error === undefined && validate !== undefined && !partial) error = this.runCheck(validate, result, method, name);
        if (this.modern && method === 'tools/list' && error === undefined) this.mirrored?.learn(result);
      }
    }
    this.recorder.record(method, name, end - origin, bytes, error);
    this.timing?.service.record(method, name, end - start, bytes, error);
    if (firstByteAt !== 0) this.firstByte?.record(method, name, firstByteAt - start, 0);
    if (error !== undefined) {
      // Under 2026-07-28, closing the stream (the timeout did) is the cancellation.
      if (deadline.timedOut && (flags & NO_CANCEL) === 0 && !this.modern) this.sendCancelled(id);
      return { ok: false, error };
    }
    return { ok: true, result };
  }

  private runCheck(validate: ResultCheck, result: unknown, method: string, name: string): SampleError | undefined {
    try {
      const failure = validate(result);
      if (failure === undefined) this.recorder.checkPassed?.(method, name);
      return failure === undefined ? undefined : fixedError('check', shortText(failure));
    } catch (err) {
      this.recorder.exception(err, `validate ${method} ${name}`);
      return VALIDATE_THREW;
    }
  }

  /** Tells the server to stop working on a request we gave up on (spec: cancellation). Not recorded. */
  private sendCancelled(id: number): void {
    void this.notify('notifications/cancelled', { requestId: id, reason: 'client timeout' }, false);
  }

  private statusError(status: number, hadSession: boolean): SampleError {
    if (status === 404 && hadSession) {
      // The session is gone (expired, or the server restarted): forget it so that
      // the caller sees `initialized === false` and can start a new one.
      this.setSession(undefined, false);
      return SESSION_GONE;
    }
    return httpStatusError(status);
  }

  private thrownError(err: unknown, deadline: Deadline): SampleError {
    if (deadline.timedOut) return this.timeoutError;
    if (deadline.cut) return CUT;
    return classifyNetworkError(err);
  }

  private setSession(sid: string | undefined, ready: boolean): void {
    this.sid = sid;
    this.ready = ready;
    if (this.modern) return; // no session: the headers never change
    this.headers = sid === undefined
      ? (ready ? { ...this.baseHeaders, 'mcp-protocol-version': this.protocolVersion } : this.baseHeaders)
      : { ...this.baseHeaders, 'mcp-session-id': sid, 'mcp-protocol-version': this.protocolVersion };
  }
}

/** A non-2xx reply of a modern server: its JSON-RPC error when it has one (`-32022 Unsupported protocol version (HTTP 400)`). */
function modernStatusError(status: number, data: Buffer | undefined): SampleError {
  if (data !== undefined) {
    try {
      const parsed = JSON.parse(data.toString('utf8')) as { error?: unknown };
      if (typeof parsed?.error === 'object' && parsed.error !== null) {
        const rpc = jsonRpcError(parsed.error);
        return fixedError('http', `${rpc.detail} (HTTP ${status})`);
      }
    } catch {
      // not JSON: the status alone
    }
  }
  return httpStatusError(status);
}

/** Parses a JSON reply and finds the response to `id` (a lone object, or inside a batch array). */
function pickResponse(data: Buffer, id: number): Record<string, unknown> | SampleError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    return INVALID_JSON;
  }
  if (Array.isArray(parsed)) {
    for (const item of parsed) {
      if (typeof item === 'object' && item !== null && (item as { id?: unknown }).id === id) return item as Record<string, unknown>;
    }
    return WRONG_ID;
  }
  if (typeof parsed !== 'object' || parsed === null) return INVALID_RESPONSE;
  const message = parsed as Record<string, unknown>;
  // A JSON-RPC error about the request itself (parse error) may carry id null.
  if (message.id !== id && !(message.id === null && message.error !== undefined)) return WRONG_ID;
  return message;
}

function isPickError(found: Record<string, unknown> | SampleError): found is SampleError {
  return found === INVALID_JSON || found === WRONG_ID || found === INVALID_RESPONSE;
}


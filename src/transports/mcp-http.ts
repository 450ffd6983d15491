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
 * What differs between revisions is the dialect's (wire-dialect.ts), picked
 * once from the version: session-dialect.ts for the handshake revisions,
 * rev-2026-07-28-dialect.ts for the stateless 2026-07-28 one (no handshake
 * and no session; `initialize()` sends `server/discover` instead).
 *
 * Hot path: headers are one prebuilt object (rebuilt only when the session
 * changes), the timer needs no closure, and error objects are shared.
 */
import { INVALID_RESPONSE, judgeExpected, jsonRpcError, toolError } from './rpc-result.js';
import type { Dispatcher } from 'undici';
import { CUT_AT_STOP, nowUs, type Recorder, type SampleError } from '../metrics/sample.js';
import { classifyNetworkError, deadlineError, fixedError, httpStatusError, shortText } from './errors.js';
import { type Deadline, InFlight, MAX_TIMER_MS } from './in-flight.js';
import { DEFAULT_MAX_BODY_BYTES, discardBody, readCapped } from './read-body.js';
import { leanPost } from './lean-post.js';
import { CallStream, clientCapabilities, type Reply, type ServerRequestReplies } from './server-messages.js';
import { drainInBackground, isReplyFailure, jsonResponse, rpcErrorIn, streamedResponse } from './reply-reading.js';
import { takeLatencyOrigin, type IterationTiming } from './iteration-timing.js';
import { isAuthChallenge, type RequestAuthorizer } from './request-auth.js';
import type { RequestTracer } from './request-tracer.js';
import { dialectFor } from './dialect-for.js';
import {
  ADOPT_SESSION, AFTER_STOP, AUTH_RETRY_1, AUTH_RETRY_2, CHECK_TOOL_ERROR, EXPECT_RPC_ERROR, EXPECT_TOOL_ERROR, expectFlags, NO_CANCEL, VERSION_RETRIED,
  type DialectLink, type WireDialect,
} from './wire-dialect.js';
import { ReplySamples } from './reply-samples.js';
import type { McpClient, ResultCheck, RpcOptions, RpcOutcome } from './mcp-client.js';

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
  /**
   * Where the Authorization header comes from (OAuth, a token file): asked
   * before each request, told of each 401/403. A request answered so is sent
   * again once the authorizer has new credentials; the refused attempt is
   * recorded as type `OAUTH`, name `challenge 401` (or 403), not as a failure.
   */
  auth?: RequestAuthorizer;
  /** `--otel`: a `traceparent` per request, the ids of the span exported for its sample (request-tracer.ts). */
  trace?: RequestTracer;
}

export const DEFAULT_PROTOCOL_VERSION = '2025-11-25';
const DEFAULT_CLIENT_INFO = Object.freeze({ name: 'mcpload', version: '0.1.0' });

const VALIDATE_THREW = fixedError('check', 'validate threw');
/** Returned when the user was stopped mid-request; the cut sample is recorded by InFlight (in-flight.ts). */
const CUT = CUT_AT_STOP;
const CUT_OUTCOME: RpcOutcome = Object.freeze({ ok: false, error: CUT }) as RpcOutcome;
/** Tools left out for a broken `x-mcp-header` (2026-07-28), for the run's notes or the client's log. */
export { takeToolWarnings } from './rev-2026-07-28-dialect.js';

/** Statuses that are fine for a DELETE that ends a session (405: the server does not let clients end sessions). */
const DELETE_OK = new Set([200, 202, 204, 405]);

export class McpHttpClient implements McpClient {
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
  private readonly inFlight: InFlight;
  private readonly timing: IterationTiming | undefined;
  /** Where each reply's samples go. */
  private readonly samples: ReplySamples;
  private readonly auth: RequestAuthorizer | undefined;
  private readonly trace: RequestTracer | undefined;
  /** The Authorization value in `baseHeaders` now (undefined: none). */
  private authValue: string | undefined = undefined;
  private baseHeaders: Record<string, string>;
  private nextId = 1;
  private closing: Promise<void> | undefined = undefined;
  private readonly replies: ServerRequestReplies | undefined;
  private nextProgressToken = 1;
  /** What the protocol revision in use wants on the wire (wire-dialect.ts): the session, the headers, what is sent. */
  private readonly dialect: WireDialect;
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
    const base: Record<string, string> = {};
    // Lower-cased so that a caller's `Accept` does not sit beside ours.
    for (const [key, value] of Object.entries(opts.headers ?? {})) base[key.toLowerCase()] = value;
    base['content-type'] = 'application/json';
    base.accept = 'application/json, text/event-stream';
    this.baseHeaders = base;
    this.inFlight = new InFlight(opts.signal, opts.recorder, opts.timing);
    this.timing = opts.timing;
    this.samples = new ReplySamples(opts.recorder, opts.timing, opts.firstByte);
    this.replies = opts.serverRequests;
    this.auth = opts.auth;
    this.trace = opts.trace;
    const link: DialectLink = {
      exchange: (method, params, name, validate, flags) => this.exchange(method, params, name, validate, flags),
      notify: (method, params, record) => this.notify(method, params, record),
      endpointPath: this.endpointPath,
      recorder: opts.recorder,
    };
    this.dialect = dialectFor({
      link, version: opts.protocolVersion ?? DEFAULT_PROTOCOL_VERSION, clientInfo: opts.clientInfo ?? DEFAULT_CLIENT_INFO,
      clientCaps: clientCapabilities(opts.serverRequests), base, endpointKey: url.origin + this.requestPath, replies: opts.serverRequests,
    });
  }

  /** The session id the server gave, if any (undefined for session-less servers, under 2026-07-28 and after the session ended). */
  get sessionId(): string | undefined {
    return this.dialect.sessionId;
  }

  /** True between a successful `initialize()` and the end of its session (404 or `close()`). */
  get initialized(): boolean {
    return this.dialect.ready;
  }

  /** What the server announced in its initialize reply (undefined before the first successful initialize). */
  get serverCapabilities(): Record<string, unknown> | undefined {
    return this.dialect.capabilities;
  }

  /** The protocol version in use: the one offered, then the one the server chose. */
  get negotiatedProtocolVersion(): string {
    return this.dialect.version;
  }

  /**
   * The opening: the handshake (`initialize`, then
   * `notifications/initialized`), or under 2026-07-28 `server/discover`.
   * Each message is recorded. Starts afresh (forgetting any previous
   * session), so it is also how a user recovers after its session expired.
   */
  initialize(): Promise<boolean> {
    this.closing = undefined; // a new session can be closed again
    return this.dialect.open();
  }

  /** Any JSON-RPC request. Records one sample (type = method) and never throws for network or protocol failures. */
  request(method: string, params?: object, opts?: RpcOptions): Promise<RpcOutcome> {
    const unsent = this.dialect.unsent(method);
    if (unsent !== undefined) return Promise.resolve(unsent);
    const flags = (opts?.toolResult === true ? CHECK_TOOL_ERROR : 0) | (opts?.afterStop === true ? AFTER_STOP | NO_CANCEL : 0) | expectFlags(opts?.expectError);
    return this.call(method, params, opts?.name ?? this.endpointPath, opts?.validate, flags);
  }

  /**
   * One request, and whatever the dialect does before and after it (under
   * 2026-07-28: the tool listing first, the further rounds of a multi
   * round-trip request, each recorded as its own request).
   */
  private call(method: string, params: object | undefined, name: string, validate: ResultCheck | undefined, flags: number): Promise<RpcOutcome> {
    const waiting = this.dialect.before(method);
    if (waiting !== undefined) return waiting.then(() => this.callReady(method, params, name, validate, flags));
    return this.callReady(method, params, name, validate, flags);
  }

  private callReady(method: string, params: object | undefined, name: string, validate: ResultCheck | undefined, flags: number): Promise<RpcOutcome> {
    // The session dialect hands `first` back: no extra async step on the hot path.
    return this.dialect.settle(this.exchange(method, params, name, validate, flags), method, params, name, validate, flags);
  }

  listTools(opts?: RpcOptions): Promise<RpcOutcome> {
    return this.request('tools/list', undefined, opts);
  }

  /** `tools/call`; named after the tool. A result with `isError: true` is a `tool` error. */
  callTool(name: string, args: Record<string, unknown> = {}, opts?: RpcOptions): Promise<RpcOutcome> {
    const params = opts?.progress === true
      ? { name, arguments: args, _meta: { progressToken: `p${this.nextProgressToken++}` } }
      : { name, arguments: args };
    return this.call('tools/call', params, opts?.name ?? name, opts?.validate, CHECK_TOOL_ERROR | expectFlags(opts?.expectError));
  }

  listResources(opts?: RpcOptions): Promise<RpcOutcome> {
    return this.request('resources/list', undefined, opts);
  }

  readResource(uri: string, opts?: RpcOptions): Promise<RpcOutcome> {
    return this.call('resources/read', { uri }, opts?.name ?? uri, opts?.validate, expectFlags(opts?.expectError));
  }

  listPrompts(opts?: RpcOptions): Promise<RpcOutcome> {
    return this.request('prompts/list', undefined, opts);
  }

  getPrompt(name: string, args: Record<string, string> = {}, opts?: RpcOptions): Promise<RpcOutcome> {
    return this.call('prompts/get', { name, arguments: args }, opts?.name ?? name, opts?.validate, expectFlags(opts?.expectError));
  }

  ping(opts?: RpcOptions): Promise<RpcOutcome> {
    return this.request('ping', undefined, opts);
  }

  /**
   * Sends a JSON-RPC notification (no id, no reply expected; 202). Recorded
   * like a request unless `record` is false. Returns whether it was accepted.
   */
  notify(method: string, params?: object, record = true): Promise<boolean> {
    // A notification the revision removed is not sent (2026-07-28: closing a stream cancels).
    if (this.dialect.unsent(method) !== undefined) return Promise.resolve(false);
    const payload = JSON.stringify(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params });
    return this.post(payload, method, this.endpointPath, record);
  }

  /** POSTs one message that expects no JSON-RPC reply (a notification, or an answer to a server request). */
  private async post(payload: string, type: string, name: string, record: boolean, retried = false): Promise<boolean> {
    if (this.inFlight.isCut) return false;
    if (this.auth !== undefined) this.useAuthorization(await this.auth.authorization());
    const hadSession = this.dialect.sessionId !== undefined;
    const deadline = this.inFlight.start(this.timeoutMs);
    const start = nowUs();
    if (record) deadline.recordAs(type, name, start, start);
    let bytes = 0;
    let error: SampleError | undefined;
    let firstByteAt = 0;
    let challenge: Challenge | undefined;
    const traceparent = record ? this.trace?.start() : undefined;
    try {
      const routed = this.dialect.routed(type, undefined);
      const headers = traceparent === undefined ? routed : { ...routed, traceparent };
      const res = await this.dispatcher.request({
        origin: this.origin, path: this.requestPath, method: 'POST', headers, body: payload, signal: deadline.signal,
      });
      firstByteAt = nowUs();
      bytes = await discardBody(res.body, this.maxBodyBytes);
      const status = res.statusCode;
      if (status < 200 || status > 299) error = this.dialect.failedStatus(status, undefined, hadSession, false).error;
      if (this.auth !== undefined && !retried && isAuthChallenge(status)) challenge = { status, header: headerText(res.headers['www-authenticate']) };
    } catch (err) {
      error = this.thrownError(err, deadline);
    } finally {
      this.inFlight.finish(deadline);
    }
    if (deadline.cut) return false;
    if (challenge !== undefined && await this.answerChallenge(challenge, nowUs() - start, bytes)) return this.post(payload, type, name, record, true);
    if (record) {
      if (traceparent !== undefined) this.trace!.recording(traceparent);
      this.samples.record(type, name, start, start, nowUs(), firstByteAt, bytes, error);
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
    // A token that ran out during the session is renewed first: the DELETE needs one too.
    if (this.auth !== undefined && this.dialect.sessionId !== undefined) this.useAuthorization(await this.auth.authorization());
    const sessionHeaders = this.dialect.headers;
    const sid = this.dialect.forget();
    if (sid === undefined) return;
    const traceparent = this.trace?.start();
    const headers = traceparent === undefined ? sessionHeaders : { ...sessionHeaders, traceparent };
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
    if (traceparent !== undefined) this.trace!.recording(traceparent);
    this.recorder.record('DELETE', this.endpointPath, nowUs() - start, bytes, error);
  }

  /** One request, one sample. */
  private async exchange(
    method: string, params: object | undefined, name: string, validate: ResultCheck | undefined, flags: number,
  ): Promise<RpcOutcome> {
    const afterStop = (flags & AFTER_STOP) !== 0;
    if (this.inFlight.isCut && !afterStop) return CUT_OUTCOME;
    if (this.auth !== undefined) this.useAuthorization(await this.auth.authorization());
    const id = this.nextId++;
    const dialect = this.dialect;
    const traceparent = this.trace?.start();
    const sent = dialect.params(params, traceparent);
    // The same text JSON.stringify gives for { jsonrpc, id, method, params }, without building that object.
    const payload = sent === undefined
      ? `{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(method)}}`
      : `{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(method)},"params":${JSON.stringify(sent)}}`;
    const routed = dialect.routed(method, params);
    const headers = traceparent === undefined ? routed : { ...routed, traceparent };
    const hadSession = dialect.sessionId !== undefined;
    const deadline = this.inFlight.start(this.timeoutMs, !afterStop);
    const start = nowUs();
    const origin = takeLatencyOrigin(this.timing, start);
    deadline.recordAs(method, name, start, origin);
    let bytes = 0;
    let error: SampleError | undefined;
    let message: Record<string, unknown> | undefined;
    let draining = false;
    let firstByteAt = 0;
    let challenge: Challenge | undefined;
    let retryWith: string | undefined;
    /** A non-2xx reply whose body is a JSON-RPC error (not a session's 404): an error answer, for `expectError`. */
    let rpcInBody = false;
    try {
      const res = await leanPost(this.dispatcher, {
        origin: this.origin, path: this.requestPath, headers, body: payload, signal: deadline, maxBodyBytes: this.maxBodyBytes,
      });
      firstByteAt = res.firstByteAt;
      const status = res.statusCode;
      if (status < 200 || status > 299) {
        const body = res.stream ? await readCapped(res.stream, this.maxBodyBytes) : res.body;
        bytes = body.bytes;
        const verdict = dialect.failedStatus(status, body.data, hadSession, (flags & VERSION_RETRIED) === 0);
        error = verdict.error;
        retryWith = verdict.retryWith;
        rpcInBody = !(hadSession && status === 404) && rpcErrorIn(body.data) !== undefined;
        if (this.auth !== undefined && (flags & AUTH_RETRY_2) === 0 && isAuthChallenge(status)) {
          challenge = { status, header: headerText(res.headers['www-authenticate']) };
        }
      } else if (res.stream) {
        // Progress, logging and server requests arrive on this stream before the response.
        const stream = new CallStream(this.recorder, name, start, this.sendReply, this.replies);
        const reply = await streamedResponse(res.stream, id, {
          dispatcher: this.dispatcher, origin: this.origin, path: this.requestPath, headers: dialect.headers,
          maxBodyBytes: this.maxBodyBytes, deadline, onMessage: (m) => stream.onMessage(m),
        });
        bytes = reply.bytes;
        message = reply.message;
        error = reply.error;
        if (reply.rest !== undefined) {
          // The response is in; its deadline stays armed until the stream ends.
          draining = true;
          deadline.answered();
          drainInBackground(reply.rest, () => this.inFlight.finish(deadline));
        }
      } else {
        bytes = res.body.bytes;
        const found = jsonResponse(res.body, id);
        if (isReplyFailure(found)) error = found;
        else message = found;
      }
      if ((flags & ADOPT_SESSION) !== 0 && error === undefined) dialect.adoptSession(res.headers['mcp-session-id']);
    } catch (err) {
      error = this.thrownError(err, deadline);
    } finally {
      if (!draining) this.inFlight.finish(deadline);
    }
    // Timing ends when the reply is read and parsed; the caller's checks are not the server's time.
    const end = nowUs();
    if (deadline.cut) return CUT_OUTCOME;
    if (challenge !== undefined && await this.answerChallenge(challenge, end - start, bytes)) {
      return this.exchange(method, params, name, validate, flags | ((flags & AUTH_RETRY_1) === 0 ? AUTH_RETRY_1 : AUTH_RETRY_2));
    }
    if (retryWith !== undefined) return this.retryWithVersion(retryWith, { method, params, name, validate, flags }, start, origin, end, bytes);

    let result: unknown;
    let partial = false;
    const expect = (flags & EXPECT_RPC_ERROR) !== 0 ? 'jsonrpc' : (flags & EXPECT_TOOL_ERROR) !== 0 ? 'tool' : undefined;
    if (error === undefined && message !== undefined) {
      const rpcError = message.error;
      if (rpcError !== undefined) error = jsonRpcError(rpcError);
      else if (!('result' in message)) error = INVALID_RESPONSE;
      else {
        result = message.result;
        // An input_required round is not the answer yet: the checks wait for the last round.
        partial = dialect.isPartial(result);
        if ((flags & CHECK_TOOL_ERROR) !== 0 && !partial) error = toolError(result);
        // An expected error is judged below, not by the result's check.
        if (error === undefined && validate !== undefined && !partial && expect === undefined) error = this.runCheck(validate, result, method, name);
        if (error === undefined) dialect.accepted(method, result);
      }
    }
    if (traceparent !== undefined) this.trace!.recording(traceparent);
    if (expect !== undefined && !partial) {
      const judged = judgeExpected(expect, error, rpcInBody, () => this.recorder.checkPassed?.(method, name));
      this.samples.record(method, name, origin, start, end, firstByteAt, bytes, judged.sampleError);
      if (!judged.outcome.ok && !judged.outcome.expected && deadline.timedOut && (flags & NO_CANCEL) === 0) dialect.timedOut(id);
      return judged.outcome;
    }
    this.samples.record(method, name, origin, start, end, firstByteAt, bytes, error);
    if (error !== undefined) {
      if (deadline.timedOut && (flags & NO_CANCEL) === 0) dialect.timedOut(id);
      return { ok: false, error };
    }
    return { ok: true, result };
  }

  /**
   * Adopts `version` for this and every later request, records the refused
   * attempt (a negotiation step, not a failure: its name says what
   * happened) and sends the request again under a new id.
   */
  private retryWithVersion(
    version: string, again: { method: string; params: object | undefined; name: string; validate: ResultCheck | undefined; flags: number },
    start: number, origin: number, end: number, bytes: number,
  ): Promise<RpcOutcome> {
    const refused = this.dialect.version;
    // The dialect picked the version from its own era: it adopts it in place.
    this.dialect.adoptVersion(version);
    const name = `${again.name} (${refused} refused, retried with ${version})`;
    this.samples.record(again.method, name, origin, start, end, 0, bytes);
    return this.exchange(again.method, again.params, again.name, again.validate, again.flags | VERSION_RETRIED);
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

  private thrownError(err: unknown, deadline: Deadline): SampleError {
    if (deadline.timedOut) return this.timeoutError;
    if (deadline.cut) return CUT;
    return classifyNetworkError(err);
  }

  /**
   * A 401/403 came back: the authorizer tries for new credentials. When it
   * has them, the refused attempt is one `OAUTH` row without error (it is
   * how authorization starts) and the request goes again; when not, the
   * caller records the request with its 401/403 as usual.
   */
  private async answerChallenge(challenge: Challenge, tookUs: number, bytes: number): Promise<boolean> {
    if (!(await this.auth!.challenged(challenge.status, challenge.header))) return false;
    this.recorder.record('OAUTH', `challenge ${challenge.status}`, tookUs, bytes);
    return true;
  }

  /** Puts `value` into every request's headers from now on (the session's GET stream and DELETE included). */
  private useAuthorization(value: string | undefined): void {
    if (value === this.authValue) return;
    this.authValue = value;
    const base = { ...this.baseHeaders };
    if (value === undefined) delete base.authorization;
    else base.authorization = value;
    this.baseHeaders = base;
    this.dialect.useBase(base);
  }

  /** The Authorization header value in use (for a GET stream opened beside this client); never print it. */
  get authorization(): string | undefined {
    return this.authValue ?? this.baseHeaders.authorization;
  }
}

interface Challenge {
  status: number;
  header: string | undefined;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

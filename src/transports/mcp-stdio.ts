/**
 * MCP over stdio (MCP basic/transports#stdio): the generator spawns the
 * server and exchanges newline-delimited JSON-RPC on its stdin and stdout.
 *
 * - `StdioSession`: one MCP conversation on one server process (ids,
 *   pending calls, the handshake, answers to server requests, notifications
 *   routed to the call they belong to). Restarts the process when a new
 *   handshake is asked for after it died.
 * - `McpStdioClient`: a virtual user's `McpClient` on a session; records one
 *   sample per request with the same types and names as the HTTP client
 *   (the endpoint name is `stdio`).
 * - `StdioConnector`: makes the clients of a run, one process per user (how
 *   real clients run stdio servers) or one shared by all (`--stdio-shared`),
 *   and samples the processes' CPU and memory.
 *
 * Over one shared process there is one MCP session: the first user's
 * handshake opens it (and is recorded); the others use it. Progress
 * notifications find their call by `progressToken`; a log notification,
 * which names no request, is counted on the most recently sent call.
 */
import { fixedError, deadlineError } from './errors.js';
import { MAX_TIMER_MS } from './in-flight.js';
import { takeLatencyOrigin, type IterationTiming } from './iteration-timing.js';
import { nowUs, type Recorder, type SampleError } from '../metrics/sample.js';
import { ProcessUsageSampler, type ProcessUsageReport } from '../metrics/process-usage.js';
import type { McpClient, McpClientOptions, McpConnector } from './mcp-client.js';
import type { RpcOptions, RpcOutcome } from './mcp-http.js';
import { DEFAULT_PROTOCOL_VERSION } from './mcp-http.js';
import { DEFAULT_MAX_BODY_BYTES } from './read-body.js';
import { interpretResponse } from './rpc-result.js';
import { answerServerRequest, CallStream, clientCapabilities, type ServerRequestReplies } from './server-messages.js';
import { StdioConnection } from './stdio-connection.js';
import { VERSION } from '../version.js';

/** The sample name of requests that have no better one (HTTP uses the endpoint path). */
export const STDIO_NAME = 'stdio';

export interface StdioServerSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Returned (not recorded) when the user was stopped mid-request: the run is ending, the server did nothing wrong. */
const CUT = fixedError('timeout', 'cancelled: user stopped');
const CUT_OUTCOME: RpcOutcome = Object.freeze({ ok: false, error: CUT }) as RpcOutcome;
const NOT_RUNNING = fixedError('connect', 'server process not running');
const CLIENT_INFO = Object.freeze({ name: 'mcpload', version: VERSION });

interface Reply {
  message?: Record<string, unknown>;
  bytes: number;
  error?: SampleError;
}

interface Pending {
  resolve(reply: Reply): void;
  timer: NodeJS.Timeout;
  stream: CallStream | undefined;
  progressToken: string | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** One MCP conversation on one server process. */
export class StdioSession {
  private conn: StdioConnection | undefined;
  private nextId = 1;
  private nextToken = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly byToken = new Map<string, CallStream>();
  /** The most recently sent call with a stream: where log notifications are counted. */
  private lastStream: CallStream | undefined;
  private handshake: Promise<boolean> | undefined;
  private exitReason: SampleError = NOT_RUNNING;
  private closed = false;
  ready = false;
  capabilities: Record<string, unknown> | undefined;
  protocolVersion: string;
  private readonly clientCaps: Record<string, object>;

  constructor(
    private readonly spec: StdioServerSpec,
    /** Where answers to server requests are recorded (type `reply`). */
    private readonly recorder: Recorder,
    private readonly replies: ServerRequestReplies | undefined,
    private readonly timeoutMs: number,
    protocolVersion: string,
    private readonly maxLineBytes: number,
  ) {
    this.protocolVersion = protocolVersion;
    this.clientCaps = clientCapabilities(replies);
  }

  get pid(): number | undefined {
    return this.conn?.alive ? this.conn.pid : undefined;
  }

  /** Why the last process ended, for a failed start. */
  get stderrTail(): string {
    return this.conn?.stderrTail ?? '';
  }

  /**
   * Starts the process when there is none (or it died) and runs the
   * handshake, once for all callers at a time; `record` gets its samples.
   */
  initialize(record: (type: string, latencyUs: number, bytes: number, error?: SampleError) => void, signal?: AbortSignal): Promise<boolean> {
    if (this.ready && this.conn?.alive) return Promise.resolve(true);
    this.handshake ??= this.runHandshake(record, signal).finally(() => {
      this.handshake = undefined;
    });
    return this.handshake;
  }

  private async runHandshake(record: (type: string, latencyUs: number, bytes: number, error?: SampleError) => void, signal?: AbortSignal): Promise<boolean> {
    if (this.closed) return false;
    this.ready = false;
    if (!this.conn?.alive) {
      this.spawn();
      // A command that cannot start reports so on the next tick: wait for it, for a clear error.
      if (this.conn?.pid === undefined) await new Promise((resolve) => setImmediate(resolve));
    }
    const start = nowUs();
    const reply = await this.call('initialize', { protocolVersion: this.protocolVersion, capabilities: this.clientCaps, clientInfo: CLIENT_INFO }, signal);
    if (reply.error === CUT) return false;
    const end = nowUs();
    let error = reply.error;
    const message = reply.message;
    if (error === undefined && message !== undefined) {
      const out = interpretResponse(message, false, undefined, this.recorder, 'initialize');
      error = out.error;
      if (error === undefined) {
        const init = out.result as { protocolVersion?: unknown; capabilities?: unknown } | undefined;
        if (typeof init?.protocolVersion === 'string' && init.protocolVersion.length > 0) this.protocolVersion = init.protocolVersion;
        this.capabilities = typeof init?.capabilities === 'object' && init.capabilities !== null ? init.capabilities as Record<string, unknown> : {};
      }
    }
    record('initialize', end - start, reply.bytes, error);
    if (error !== undefined) return false;
    const sentAt = nowUs();
    const sent = this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    record('notifications/initialized', nowUs() - sentAt, 0, sent ? undefined : this.exitReason);
    this.ready = sent;
    return sent;
  }

  private spawn(): void {
    const conn = new StdioConnection({
      ...this.spec,
      maxLineBytes: this.maxLineBytes,
      onMessage: (message, bytes) => this.onMessage(message, bytes),
      onExit: (reason) => {
        if (this.conn !== conn) return;
        this.ready = false;
        this.exitReason = fixedError('connect', reason);
        // Every call waiting on this process fails now, not at its timeout.
        for (const [id, p] of this.pending) this.settle(id, p, { bytes: 0, error: this.exitReason });
      },
    });
    this.conn = conn;
  }

  /** A progress token for a call, unique on this session. */
  newProgressToken(): string {
    return `p${this.nextToken++}`;
  }

  /** Sends a request and waits for its response (or the timeout, the process's end, the user's stop). */
  call(method: string, params: object | undefined, signal?: AbortSignal, stream?: CallStream, progressToken?: string): Promise<Reply> {
    if (signal?.aborted) return Promise.resolve({ bytes: 0, error: CUT });
    const id = this.nextId++;
    const message = params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params };
    if (!this.send(message)) return Promise.resolve({ bytes: 0, error: this.exitReason });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const p = this.pending.get(id);
        if (p === undefined) return;
        this.settle(id, p, { bytes: 0, error: deadlineError(this.timeoutMs) });
        // Spec (utilities/cancellation): tell the server to stop working on it.
        this.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'client timeout' } });
      }, this.timeoutMs);
      const onAbort = signal === undefined ? undefined : () => {
        const p = this.pending.get(id);
        if (p !== undefined) this.settle(id, p, { bytes: 0, error: CUT });
      };
      signal?.addEventListener('abort', onAbort!, { once: true });
      this.pending.set(id, { resolve, timer, stream, progressToken, signal, onAbort });
      if (progressToken !== undefined && stream !== undefined) this.byToken.set(progressToken, stream);
      if (stream !== undefined) this.lastStream = stream;
    });
  }

  private settle(id: number, p: Pending, reply: Reply): void {
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (p.onAbort !== undefined) p.signal?.removeEventListener('abort', p.onAbort);
    if (p.progressToken !== undefined) this.byToken.delete(p.progressToken);
    if (this.lastStream === p.stream) this.lastStream = undefined;
    p.resolve(reply);
  }

  /** Writes one message; false when the process cannot take it. */
  send(message: object): boolean {
    return this.conn?.send(message) ?? false;
  }

  private onMessage(message: Record<string, unknown>, bytes: number): void {
    const method = message.method;
    if (typeof method !== 'string') {
      // A response: to one of ours, or late (timed out, cut) and dropped.
      const id = message.id;
      const p = typeof id === 'number' ? this.pending.get(id) : undefined;
      if (p !== undefined) this.settle(id as number, p, { message, bytes });
      return;
    }
    if ('id' in message) {
      const start = nowUs();
      const reply = answerServerRequest(message, this.replies);
      if (reply === undefined) return;
      const sent = this.send(reply);
      this.recorder.record('reply', method, nowUs() - start, 0, sent ? undefined : this.exitReason);
      return;
    }
    if (method === 'notifications/progress') {
      const token = (message.params as { progressToken?: unknown } | undefined)?.progressToken;
      const stream = token === undefined ? undefined : this.byToken.get(String(token));
      stream?.onMessage(message);
    } else if (method === 'notifications/message') {
      this.lastStream?.onMessage(message);
    }
  }

  /** Ends the process; pending calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.ready = false;
    const conn = this.conn;
    await conn?.close();
  }
}

/** A virtual user's MCP client over stdio. */
export class McpStdioClient implements McpClient {
  private closing: Promise<void> | undefined;
  private readonly recordHandshake = (type: string, latencyUs: number, bytes: number, error?: SampleError): void => {
    this.recorder.record(type, STDIO_NAME, latencyUs, bytes, error);
  };

  constructor(
    private readonly session: StdioSession,
    /** Whether close() ends the session (its own process) or leaves it to the connector (shared). */
    private readonly ownsSession: boolean,
    private readonly recorder: Recorder,
    private readonly signal: AbortSignal | undefined,
    private readonly timing: IterationTiming | undefined,
  ) {}

  get sessionId(): string | undefined {
    return undefined;
  }

  get initialized(): boolean {
    return this.session.ready;
  }

  get serverCapabilities(): Record<string, unknown> | undefined {
    return this.session.capabilities;
  }

  get negotiatedProtocolVersion(): string {
    return this.session.protocolVersion;
  }

  initialize(): Promise<boolean> {
    if (this.signal?.aborted) return Promise.resolve(false);
    return this.session.initialize(this.recordHandshake, this.signal);
  }

  request(method: string, params?: object, opts?: RpcOptions): Promise<RpcOutcome> {
    return this.exchange(method, params, opts?.name ?? STDIO_NAME, opts, false);
  }

  listTools(opts?: RpcOptions): Promise<RpcOutcome> {
    return this.request('tools/list', undefined, opts);
  }

  callTool(name: string, args: Record<string, unknown> = {}, opts?: RpcOptions): Promise<RpcOutcome> {
    return this.exchange('tools/call', { name, arguments: args }, opts?.name ?? name, opts, true);
  }

  listResources(opts?: RpcOptions): Promise<RpcOutcome> {
    return this.request('resources/list', undefined, opts);
  }

  readResource(uri: string, opts?: RpcOptions): Promise<RpcOutcome> {
    return this.exchange('resources/read', { uri }, opts?.name ?? uri, opts, false);
  }

  listPrompts(opts?: RpcOptions): Promise<RpcOutcome> {
    return this.request('prompts/list', undefined, opts);
  }

  getPrompt(name: string, args: Record<string, string> = {}, opts?: RpcOptions): Promise<RpcOutcome> {
    return this.exchange('prompts/get', { name, arguments: args }, opts?.name ?? name, opts, false);
  }

  ping(opts?: RpcOptions): Promise<RpcOutcome> {
    return this.request('ping', undefined, opts);
  }

  async notify(method: string, params?: object, record = true): Promise<boolean> {
    if (this.signal?.aborted) return false;
    const start = nowUs();
    const sent = this.session.send(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params });
    if (record) this.recorder.record(method, STDIO_NAME, nowUs() - start, 0, sent ? undefined : NOT_RUNNING);
    return sent;
  }

  close(): Promise<void> {
    this.closing ??= this.ownsSession ? this.session.close() : Promise.resolve();
    return this.closing;
  }

  private async exchange(method: string, params: object | undefined, name: string, opts: RpcOptions | undefined, isToolCall: boolean): Promise<RpcOutcome> {
    if (this.signal?.aborted) return CUT_OUTCOME;
    const start = nowUs();
    const origin = takeLatencyOrigin(this.timing, start);
    let stream: CallStream | undefined;
    let token: string | undefined;
    if (isToolCall) {
      stream = new CallStream(this.recorder, name, start, () => undefined, undefined);
      if (opts?.progress === true) {
        token = this.session.newProgressToken();
        params = { ...params, _meta: { progressToken: token } };
      }
    }
    const reply = await this.session.call(method, params, this.signal, stream, token);
    const end = nowUs();
    if (reply.error === CUT) return CUT_OUTCOME;
    let error = reply.error;
    let result: unknown;
    if (error === undefined && reply.message !== undefined) {
      const out = interpretResponse(reply.message, isToolCall, opts?.validate, this.recorder, `${method} ${name}`);
      error = out.error;
      result = out.result;
    }
    this.recorder.record(method, name, end - origin, reply.bytes, error);
    this.timing?.service.record(method, name, end - start, reply.bytes, error);
    return error === undefined ? { ok: true, result } : { ok: false, error };
  }
}

export interface StdioConnectorOptions extends StdioServerSpec {
  /** One process for every user (one MCP session) instead of one per user. */
  shared: boolean;
  timeoutMs: number;
  protocolVersion?: string;
  maxLineBytes?: number;
}

/** Makes a run's stdio clients and owns their server processes. */
export class StdioConnector implements McpConnector {
  readonly kind = 'stdio';
  readonly description: string;
  private readonly sessions = new Set<StdioSession>();
  private shared: StdioSession | undefined;
  private readonly sampler = new ProcessUsageSampler(() => this.processIds());

  constructor(private readonly opts: StdioConnectorOptions) {
    if (!(opts.timeoutMs > 0 && opts.timeoutMs <= MAX_TIMER_MS)) throw new Error(`timeoutMs must be between 1 and ${MAX_TIMER_MS}, got ${opts.timeoutMs}`);
    this.description = [opts.command, ...opts.args].join(' ');
    this.sampler.start();
  }

  /**
   * A user's client. `ownProcess` gives it a process of its own even under
   * `--stdio-shared` (discovery's probe, whose handshake must not stand in
   * for the run's).
   */
  create(opts: McpClientOptions & { ownProcess?: boolean }): McpClient {
    if (this.opts.shared && opts.ownProcess !== true) {
      this.shared ??= this.newSession(opts.recorder, opts.serverRequests, opts.protocolVersion, opts.timeoutMs);
      return new McpStdioClient(this.shared, false, opts.recorder, opts.signal, opts.timing);
    }
    const session = this.newSession(opts.recorder, opts.serverRequests, opts.protocolVersion, opts.timeoutMs);
    const client = new McpStdioClient(session, true, opts.recorder, opts.signal, opts.timing);
    const close = client.close.bind(client);
    client.close = () => close().finally(() => this.sessions.delete(session));
    return client;
  }

  private newSession(recorder: Recorder, replies: ServerRequestReplies | undefined, version: string | undefined, timeoutMs: number | undefined): StdioSession {
    const session = new StdioSession(
      { command: this.opts.command, args: this.opts.args, env: this.opts.env, cwd: this.opts.cwd },
      recorder, replies, timeoutMs ?? this.opts.timeoutMs, version ?? this.opts.protocolVersion ?? DEFAULT_PROTOCOL_VERSION,
      this.opts.maxLineBytes ?? DEFAULT_MAX_BODY_BYTES,
    );
    this.sessions.add(session);
    return session;
  }

  /** Live server processes (their launchers' pids; the sampler adds descendants). */
  processIds(): number[] {
    const pids: number[] = [];
    for (const s of this.sessions) {
      const pid = s.pid;
      if (pid !== undefined) pids.push(pid);
    }
    return pids;
  }

  /** CPU and memory of the server processes so far. */
  processUsage(): ProcessUsageReport {
    return this.sampler.report();
  }

  async close(): Promise<void> {
    this.sampler.stop();
    const sessions = [...this.sessions];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.close()));
  }
}

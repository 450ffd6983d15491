/**
 * The virtual user's `McpClient` for transports whose responses arrive apart
 * from the requests (stdio, legacy HTTP+SSE): one sample per request, with
 * the same types and names as the Streamable HTTP client, on top of a
 * `MessageSession` that moves the messages (mcp-stdio.ts, mcp-sse.ts).
 */
import { nowUs, type Recorder, type SampleError } from '../metrics/sample.js';
import { fixedError } from './errors.js';
import { CutWatch } from './in-flight.js';
import { takeLatencyOrigin, type IterationTiming } from './iteration-timing.js';
import type { McpClient } from './mcp-client.js';
import type { RpcOptions, RpcOutcome } from './mcp-client.js';
import { CUT, type RouterReply } from './rpc-router.js';
import { interpretResponse, judgeExpected } from './rpc-result.js';
import { CallStream } from './server-messages.js';
import { VERSION } from '../version.js';

const CUT_OUTCOME: RpcOutcome = Object.freeze({ ok: false, error: CUT }) as RpcOutcome;
export const NOT_CONNECTED = fixedError('connect', 'not connected');
export const CLIENT_INFO = Object.freeze({ name: 'mcpload', version: VERSION });

/** Records one handshake step (`initialize`, `notifications/initialized`, the stream's opening). */
export type HandshakeRecorder = (type: string, latencyUs: number, bytes: number, error?: SampleError) => void;

/** One MCP session over a message channel. */
export interface MessageSession {
  readonly ready: boolean;
  readonly capabilities: Record<string, unknown> | undefined;
  readonly protocolVersion: string;
  /** Connects (spawns, opens the stream) when needed and runs the handshake; `record` gets its samples. */
  initialize(record: HandshakeRecorder, signal?: AbortSignal): Promise<boolean>;
  call(method: string, params: object | undefined, signal?: AbortSignal, stream?: CallStream, progressToken?: string): Promise<RouterReply>;
  /** Sends a message that gets no response (a notification). */
  post(message: object): Promise<SampleError | undefined>;
  newProgressToken(): string;
  close(): Promise<void>;
}

export interface HandshakeResult {
  ok: boolean;
  protocolVersion?: string;
  capabilities?: Record<string, unknown>;
}

/**
 * `initialize` then `notifications/initialized` on a connected session,
 * each recorded; returns what the server announced.
 */
export async function handshake(
  session: Pick<MessageSession, 'call' | 'post'>, record: HandshakeRecorder, recorder: Recorder,
  protocolVersion: string, capabilities: Record<string, object>, signal?: AbortSignal,
): Promise<HandshakeResult> {
  const start = nowUs();
  // Recorded through `recorder`, as `record` would: the handshake's name is the session's endpoint.
  const watch = signal === undefined ? undefined : new CutWatch(signal, { record: (type, _name, us, bytes, error) => record(type, us, bytes, error), exception: () => {} }, 'initialize', '', start);
  const reply = await session.call('initialize', { protocolVersion, capabilities, clientInfo: CLIENT_INFO }, signal);
  if (watch?.done() === true || reply.error === CUT) return { ok: false };
  const end = nowUs();
  let error = reply.error;
  const result: HandshakeResult = { ok: false };
  if (error === undefined && reply.message !== undefined) {
    const out = interpretResponse(reply.message, false, undefined, recorder, 'initialize');
    error = out.error;
    if (error === undefined) {
      const init = out.result as { protocolVersion?: unknown; capabilities?: unknown } | undefined;
      if (typeof init?.protocolVersion === 'string' && init.protocolVersion.length > 0) result.protocolVersion = init.protocolVersion;
      result.capabilities = typeof init?.capabilities === 'object' && init.capabilities !== null ? init.capabilities as Record<string, unknown> : {};
    }
  }
  record('initialize', end - start, reply.bytes, error);
  if (error !== undefined) return result;
  const sentAt = nowUs();
  const problem = await session.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
  record('notifications/initialized', nowUs() - sentAt, 0, problem);
  result.ok = problem === undefined;
  return result;
}

export class SessionMcpClient implements McpClient {
  private closing: Promise<void> | undefined;
  private readonly recordHandshake: HandshakeRecorder = (type, latencyUs, bytes, error) => {
    this.recorder.record(type, this.endpointName, latencyUs, bytes, error);
  };

  constructor(
    private readonly session: MessageSession,
    /** The sample name of requests that have no better one: `stdio`, or the SSE endpoint's path. */
    private readonly endpointName: string,
    /** Whether close() ends the session, or leaves it to its owner (a shared stdio process). */
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
    return this.exchange(method, params, opts?.name ?? this.endpointName, opts, opts?.toolResult === true);
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
    const problem = await this.session.post(params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params });
    if (record) this.recorder.record(method, this.endpointName, nowUs() - start, 0, problem);
    return problem === undefined;
  }

  close(): Promise<void> {
    this.closing ??= this.ownsSession ? this.session.close() : Promise.resolve();
    return this.closing;
  }

  private async exchange(method: string, params: object | undefined, name: string, opts: RpcOptions | undefined, isToolCall: boolean): Promise<RpcOutcome> {
    // Clean-up sent after the stop (opts.afterStop) is not cut by it.
    const signal = opts?.afterStop === true ? undefined : this.signal;
    if (signal?.aborted) return CUT_OUTCOME;
    const start = nowUs();
    const origin = takeLatencyOrigin(this.timing, start);
    let stream: CallStream | undefined;
    let token: string | undefined;
    if (isToolCall) {
      // Answers to server requests go through the session's router, not this stream.
      stream = new CallStream(this.recorder, name, start, () => undefined, undefined);
      if (opts?.progress === true) {
        token = this.session.newProgressToken();
        params = { ...params, _meta: { progressToken: token } };
      }
    }
    const watch = signal === undefined ? undefined : new CutWatch(signal, this.recorder, method, name, start, origin, this.timing);
    const reply = await this.session.call(method, params, signal, stream, token);
    const end = nowUs();
    if (watch?.done() === true || reply.error === CUT) return CUT_OUTCOME;
    let error = reply.error;
    let result: unknown;
    const expect = opts?.expectError;
    if (error === undefined && reply.message !== undefined) {
      // An expected error is judged below, not by the result's check.
      const validate = expect === undefined ? opts?.validate : undefined;
      const out = interpretResponse(reply.message, isToolCall, validate, this.recorder, `${method} ${name}`, { type: method, name });
      error = out.error;
      result = out.result;
    }
    if (expect !== undefined) {
      const judged = judgeExpected(expect, error, false, () => this.recorder.checkPassed?.(method, name));
      this.recorder.record(method, name, end - origin, reply.bytes, judged.sampleError);
      this.timing?.service.record(method, name, end - start, reply.bytes, judged.sampleError);
      return judged.outcome;
    }
    this.recorder.record(method, name, end - origin, reply.bytes, error);
    this.timing?.service.record(method, name, end - start, reply.bytes, error);
    return error === undefined ? { ok: true, result } : { ok: false, error };
  }
}

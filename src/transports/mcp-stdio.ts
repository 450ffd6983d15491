/**
 * MCP over stdio (MCP basic/transports#stdio): the generator spawns the
 * server and exchanges newline-delimited JSON-RPC on its stdin and stdout.
 *
 * - `StdioSession`: one MCP conversation on one server process (ids and
 *   waiting calls in an `RpcRouter`, the handshake). Restarts the process
 *   when a new handshake is asked for after it died.
 * - Each virtual user gets a `SessionMcpClient` (session-client.ts) on a
 *   session: the same sample types and names as over HTTP, the endpoint
 *   name being `stdio`.
 * - `StdioConnector`: makes the clients of a run, one process per user (how
 *   real clients run stdio servers) or one shared by all (`--stdio-shared`),
 *   and samples the processes' CPU and memory.
 *
 * Over one shared process there is one MCP session: the first user's
 * handshake opens it (and is recorded); the others use it. Progress
 * notifications find their call by `progressToken`; a log notification,
 * which names no request, is counted on the most recently sent call.
 */
import { fixedError } from './errors.js';
import { MAX_TIMER_MS } from './in-flight.js';
import { CUT_AT_STOP, type Recorder, type SampleError } from '../metrics/sample.js';
import { ProcessUsageSampler, type ProcessUsageReport } from '../metrics/process-usage.js';
import type { McpClient, McpClientOptions, McpConnector } from './mcp-client.js';
import { DEFAULT_PROTOCOL_VERSION } from './mcp-http.js';
import { DEFAULT_MAX_BODY_BYTES } from './read-body.js';
import { RpcRouter, type RouterReply } from './rpc-router.js';
import { clientCapabilities, type CallStream, type ServerRequestReplies } from './server-messages.js';
import { handshake, SessionMcpClient, type HandshakeRecorder, type MessageSession } from './session-client.js';
import { StdioConnection } from './stdio-connection.js';

/** The sample name of requests that have no better one (HTTP uses the endpoint path). */
export const STDIO_NAME = 'stdio';

export interface StdioServerSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const NOT_RUNNING = fixedError('connect', 'server process not running');

/** One MCP conversation on one server process; a new process when a handshake is asked for after it died. */
export class StdioSession implements MessageSession {
  private conn: StdioConnection | undefined;
  private readonly router: RpcRouter;
  private pendingHandshake: Promise<boolean> | undefined;
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
    replies: ServerRequestReplies | undefined,
    timeoutMs: number,
    protocolVersion: string,
    private readonly maxLineBytes: number,
  ) {
    this.protocolVersion = protocolVersion;
    this.clientCaps = clientCapabilities(replies);
    this.router = new RpcRouter((message) => Promise.resolve(this.write(message)), recorder, replies, timeoutMs);
  }

  get pid(): number | undefined {
    return this.conn?.alive ? this.conn.pid : undefined;
  }

  /** The end of what the server wrote on stderr (for a failed start). */
  get stderrTail(): string {
    return this.conn?.stderrTail ?? '';
  }

  /** Starts the process when there is none (or it died) and runs the handshake, once for all callers at a time. */
  initialize(record: HandshakeRecorder, signal?: AbortSignal): Promise<boolean> {
    if (this.ready && this.conn?.alive) return Promise.resolve(true);
    this.pendingHandshake ??= this.connectAndHandshake(record, signal).finally(() => {
      this.pendingHandshake = undefined;
    });
    return this.pendingHandshake;
  }

  private async connectAndHandshake(record: HandshakeRecorder, signal?: AbortSignal): Promise<boolean> {
    if (this.closed) return false;
    this.ready = false;
    if (!this.conn?.alive) {
      this.spawn();
      // A command that cannot start reports so on the next tick: wait for it, for a clear error.
      if (this.conn?.pid === undefined) await new Promise((resolve) => setImmediate(resolve));
    }
    const out = await handshake(this, record, this.recorder, this.protocolVersion, this.clientCaps, signal);
    if (out.protocolVersion !== undefined) this.protocolVersion = out.protocolVersion;
    if (out.capabilities !== undefined) this.capabilities = out.capabilities;
    this.ready = out.ok && this.conn?.alive === true;
    return this.ready;
  }

  private spawn(): void {
    const conn = new StdioConnection({
      ...this.spec,
      maxLineBytes: this.maxLineBytes,
      onMessage: (message, bytes) => this.router.onMessage(message, bytes),
      onExit: (reason) => {
        if (this.conn !== conn) return;
        this.ready = false;
        // After close() the process ends because the run stopped: what still waited was cut, not failed.
        if (!this.closed) this.exitReason = fixedError('connect', reason);
        // Every call waiting on this process fails now, not at its timeout.
        this.router.failAll(this.exitReason);
      },
    });
    this.conn = conn;
  }

  newProgressToken(): string {
    return this.router.newProgressToken();
  }

  call(method: string, params: object | undefined, signal?: AbortSignal, stream?: CallStream, progressToken?: string): Promise<RouterReply> {
    return this.router.call(method, params, signal, stream, progressToken);
  }

  post(message: object): Promise<SampleError | undefined> {
    return Promise.resolve(this.write(message));
  }

  private write(message: object): SampleError | undefined {
    return this.conn?.send(message) === true ? undefined : this.exitReason;
  }

  /** Ends the process; waiting calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.ready = false;
    // A reply to a server request asked just as the run stops is cut, like the calls still waiting.
    this.exitReason = CUT_AT_STOP;
    await this.conn?.close();
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
      return new SessionMcpClient(this.shared, STDIO_NAME, false, opts.recorder, opts.signal, opts.timing);
    }
    const session = this.newSession(opts.recorder, opts.serverRequests, opts.protocolVersion, opts.timeoutMs);
    const client = new SessionMcpClient(session, STDIO_NAME, true, opts.recorder, opts.signal, opts.timing);
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

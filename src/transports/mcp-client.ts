/**
 * The one face every MCP client of a virtual user shows, whatever carries
 * the bytes: Streamable HTTP (`McpHttpClient`), stdio and the legacy
 * HTTP+SSE transport (`SessionMcpClient`). Scenario code sees only
 * this (`VirtualUser.mcp`), so one scenario runs over every transport.
 *
 * Every method records exactly one sample per request (type = MCP method,
 * name = tool name, URI, prompt name or the endpoint) and never throws for
 * network or protocol failures.
 *
 * Types only: the implementations import this file, and create-client.ts
 * picks one for a target.
 */
import type { Dispatcher } from 'undici';
import type { Recorder, SampleError } from '../metrics/sample.js';
import type { IterationTiming } from './iteration-timing.js';
import type { OAuthAuthorizers } from './oauth/setup.js';
import type { ServerRequestReplies } from './server-messages.js';
import type { RequestTracer } from './request-tracer.js';

/**
 * `expected`: the error is the answer the caller asked for (`RpcOptions.expectError`):
 * its sample was recorded as a success.
 */
export type RpcOutcome = { ok: true; result: any } | { ok: false; error: SampleError; expected?: true };

/** An error as the expected answer: a JSON-RPC error reply, or a tool's result with `isError: true`. */
export type ExpectedError = 'jsonrpc' | 'tool';

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
  /**
   * The answer the caller expects is an error of this kind (a replay whose
   * recording holds one): that error is recorded as a successful sample with
   * a passed check, and the outcome is `{ ok: false, error, expected: true }`.
   * A result instead is a `check` error; any other error stays what it is.
   * `jsonrpc` also matches a JSON-RPC error carried in a non-2xx reply
   * (2026-07-28), but not a session's 404.
   */
  expectError?: ExpectedError;
}

export interface McpClient {
  /** The session id the server gave, if any (HTTP transports; undefined over stdio). */
  readonly sessionId: string | undefined;
  /** True between a successful `initialize()` and the end of its session. */
  readonly initialized: boolean;
  /** What the server announced in its initialize reply. */
  readonly serverCapabilities: Record<string, unknown> | undefined;
  /** The version offered, then the one the server chose. */
  readonly negotiatedProtocolVersion: string;
  /** The Authorization header value in use, when OAuth or a token file gives one (HTTP only); never print it. */
  readonly authorization?: string;
  /** `initialize` + `notifications/initialized`; also how a user recovers a lost session. */
  initialize(): Promise<boolean>;
  request(method: string, params?: object, opts?: RpcOptions): Promise<RpcOutcome>;
  listTools(opts?: RpcOptions): Promise<RpcOutcome>;
  callTool(name: string, args?: Record<string, unknown>, opts?: RpcOptions): Promise<RpcOutcome>;
  listResources(opts?: RpcOptions): Promise<RpcOutcome>;
  readResource(uri: string, opts?: RpcOptions): Promise<RpcOutcome>;
  listPrompts(opts?: RpcOptions): Promise<RpcOutcome>;
  getPrompt(name: string, args?: Record<string, string>, opts?: RpcOptions): Promise<RpcOutcome>;
  ping(opts?: RpcOptions): Promise<RpcOutcome>;
  /** A JSON-RPC notification; recorded unless `record` is false. Returns whether it was sent (and accepted). */
  notify(method: string, params?: object, record?: boolean): Promise<boolean>;
  /** Ends the session (HTTP: DELETE; stdio: the user's own server process). Idempotent. */
  close(): Promise<void>;
}

/** What differs per user when a client is made; the rest (where, how) belongs to the connector. */
export interface McpClientOptions {
  recorder: Recorder;
  signal?: AbortSignal;
  timing?: IterationTiming;
  /** Time to first byte per reply, where the transport has one (Streamable HTTP). */
  firstByte?: Recorder;
  protocolVersion?: string;
  serverRequests?: ServerRequestReplies;
  /** Overrides the target's request timeout. */
  timeoutMs?: number;
  /** `--otel`: each HTTP request's `traceparent` (Streamable HTTP only; stdio and legacy SSE carry none). */
  trace?: RequestTracer;
}

/**
 * Makes the MCP clients of a run when the target is not plain Streamable
 * HTTP at `ScenarioEnv.mcpUrl` (`--stdio`, `--transport sse`). Owns what
 * the clients share (processes, a shared session) until `close()`.
 */
export interface McpConnector {
  /** `stdio` targets have no HTTP face at all (no REST routes, no URL). */
  readonly kind: 'stdio' | 'sse';
  /** For messages: the command line or the URL. */
  readonly description: string;
  create(opts: McpClientOptions & { ownProcess?: boolean }): McpClient;
  close(): Promise<void>;
}

/** Where a client goes: the run's connector when it has one, else Streamable HTTP at `mcpUrl`. */
export interface McpTargetInfo {
  mcpUrl: string;
  dispatcher: Dispatcher;
  headers: Record<string, string>;
  timeoutMs: number;
  mcpConnector?: McpConnector;
  /** OAuth 2.1 (or a token file): each client gets its own credentials. */
  oauth?: OAuthAuthorizers;
}

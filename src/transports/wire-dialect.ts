/**
 * What differs between the protocol revisions McpHttpClient speaks over
 * Streamable HTTP, as one contract with one implementation per kind:
 * - session-dialect.ts: the handshake revisions (2024-11-05 to 2025-11-25):
 *   `initialize`, `Mcp-Session-Id`, `notifications/cancelled` on timeout,
 *   404 meaning the session is gone;
 * - rev-2026-07-28-dialect.ts: the stateless revision 2026-07-28:
 *   `server/discover`, `_meta` and routing headers on every request,
 *   removed methods answered locally, JSON-RPC errors in non-2xx bodies,
 *   `input_required` rounds, `x-mcp-header` annotations, the -32022 retry.
 *
 * The client picks one at construction (dialect-for.ts) and never asks
 * which it has. The per-request members are called on the hot path: the
 * session dialect answers them with what it already holds (no allocation).
 */
import type { Recorder, SampleError } from '../metrics/sample.js';
import type { ResultCheck, RpcOutcome } from './mcp-client.js';
import type { ServerRequestReplies } from './server-messages.js';

// Flags for McpHttpClient's `exchange`, instead of a closure per call.
export const CHECK_TOOL_ERROR = 1;
/** Takes the reply's `Mcp-Session-Id` as the session (the handshake's initialize). */
export const ADOPT_SESSION = 2;
export const NO_CANCEL = 4;
export const AFTER_STOP = 8;
/** Set on the attempts after a 401/403 answered by new credentials; two such attempts at most. */
export const AUTH_RETRY_1 = 16;
export const AUTH_RETRY_2 = 32;
/** This is the retry after -32022 (UnsupportedProtocolVersion): there is no other. */
export const VERSION_RETRIED = 64;
/** RpcOptions.expectError: a JSON-RPC error is the expected answer, or a tool's isError. */
export const EXPECT_RPC_ERROR = 128;
export const EXPECT_TOOL_ERROR = 256;

/** The flags for an `expectError` option. */
export function expectFlags(expect: 'jsonrpc' | 'tool' | undefined): number {
  return expect === 'jsonrpc' ? EXPECT_RPC_ERROR : expect === 'tool' ? EXPECT_TOOL_ERROR : 0;
}

/** What a dialect may ask of the client that holds it: one recorded request or notification, as the client sends any. */
export interface DialectLink {
  exchange(method: string, params: object | undefined, name: string, validate: ResultCheck | undefined, flags: number): Promise<RpcOutcome>;
  notify(method: string, params?: object, record?: boolean): Promise<boolean>;
  /** The endpoint's path: the default sample name. */
  readonly endpointPath: string;
  readonly recorder: Recorder;
}

/** Everything a dialect is built from. */
export interface DialectSetup {
  link: DialectLink;
  /** The version offered (session) or spoken (2026-07-28). */
  version: string;
  clientInfo: { name: string; version: string };
  clientCaps: Record<string, object>;
  /** The caller's headers plus content-type, accept and any Authorization. */
  base: Record<string, string>;
  /** origin + path + query: requests to one endpoint share what is learnt of it. */
  endpointKey: string;
  replies: ServerRequestReplies | undefined;
}

/** A non-2xx reply read: the sample's error, and the version to send the request again with, if any. */
export interface StatusVerdict {
  error: SampleError;
  retryWith?: string;
}

export interface WireDialect {
  /** The protocol version in use: the one offered, then the one the server chose. */
  readonly version: string;
  /** The session the server gave (undefined when none, or when the revision has none). */
  readonly sessionId: string | undefined;
  /** True between a successful `open` and the end of its session (404, close). */
  readonly ready: boolean;
  /** What the server announced when opened (undefined before the first successful opening). */
  readonly capabilities: Record<string, unknown> | undefined;
  /** The headers every message carries now (prebuilt: rebuilt when the session or the base changes). */
  readonly headers: Record<string, string>;

  /** The opening (the handshake, or discovery), each message recorded; whether it succeeded. */
  open(): Promise<boolean>;
  /** New base headers (Authorization changed). */
  useBase(base: Record<string, string>): void;
  /** Takes the session id an initialize reply carried (ADOPT_SESSION). */
  adoptSession(header: string | string[] | undefined): void;
  /** Forgets the session and readiness (close, a new opening); returns the session id it had. */
  forget(): string | undefined;
  /** Adopts `version` for every later request (after -32022). */
  adoptVersion(version: string): void;

  /** Why `method` is not sent in this revision (answered at once, no row), or undefined: it is sent. */
  unsent(method: string): RpcOutcome | undefined;
  /** Work before a request goes out (2026-07-28: a tools/call waits for the tool listing); undefined: none. */
  before(method: string): Promise<void> | undefined;
  /** The params as sent (2026-07-28 adds `_meta`, with the traceparent when there is one). */
  params(params: object | undefined, traceparent: string | undefined): object | undefined;
  /** The headers of one message: `headers`, plus any routing headers the revision wants. */
  routed(method: string, params: object | undefined): Record<string, string>;
  /**
   * A non-2xx reply: the sample's error (the session dialect forgets a
   * session answered 404), and under 2026-07-28 the version to retry with
   * when the body is -32022 and `mayRetry`.
   */
  failedStatus(status: number, body: Buffer | undefined, hadSession: boolean, mayRetry: boolean): StatusVerdict;
  /** A result that is not the answer yet (2026-07-28 `input_required`): the checks wait for the last round. */
  isPartial(result: unknown): boolean;
  /** A successful, checked result: what the revision learns from it (2026-07-28: tools/list annotations). */
  accepted(method: string, result: unknown): void;
  /** The outcome after any further rounds the first reply asks for (the session dialect returns `first`). */
  settle(first: Promise<RpcOutcome>, method: string, params: object | undefined, name: string, validate: ResultCheck | undefined, flags: number): Promise<RpcOutcome>;
  /** A request timed out: tell the server (session: `notifications/cancelled`; 2026-07-28: the closed stream told it). */
  timedOut(id: number): void;
}

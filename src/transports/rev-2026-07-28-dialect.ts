/**
 * The stateless revision 2026-07-28 over Streamable HTTP (its request parts
 * are in rev-2026-07-28-http.ts): no handshake and no session;
 * `server/discover` opens; every request carries `_meta` and the routing
 * headers; the methods the revision removed are answered here, never sent;
 * a non-2xx body says why in a JSON-RPC error, and -32022 is retried once
 * with a version the server lists; `input_required` results are answered
 * and sent again (each round one sample); a timeout cancels by closing the
 * stream, so nothing more is sent.
 */
import { httpStatusError, fixedError } from './errors.js';
import { jsonRpcError } from './rpc-result.js';
import { rpcErrorIn } from './reply-reading.js';
import { META_TRACEPARENT } from './request-tracer.js';
import type { ResultCheck, RpcOutcome } from './mcp-client.js';
import { NOT_SENT_SINCE_2026_07_28, pickSupportedVersion, UNSUPPORTED_PROTOCOL_VERSION } from '../protocol/rev-2026-07-28.js';
import { isInputRequired, MirroredHeaders, nextRoundParams, routingHeaders, statelessMeta, withMeta } from './rev-2026-07-28-http.js';
import { NO_CANCEL, type DialectLink, type DialectSetup, type StatusVerdict, type WireDialect } from './wire-dialect.js';

/** Rounds of one multi round-trip request before giving up (a server asking forever is a failure). */
const MAX_INPUT_ROUNDS = 4;
const TOO_MANY_ROUNDS = fixedError('check', `still input_required after ${MAX_INPUT_ROUNDS} rounds`);
/** Pages of the listing a tools/call asks for first (a server paging forever is not followed). */
const MAX_LIST_PAGES = 100;
const REMOVED_OUTCOMES = new Map<string, RpcOutcome>();

/** x-mcp-header annotations per MCP endpoint, learnt from any client's tools/list and used by all. */
const MIRRORED_BY_ENDPOINT = new Map<string, MirroredHeaders>();

/**
 * Tools left out for a broken `x-mcp-header` since the last call, one line
 * each, every tool once per endpoint: for the run's notes or the client's log.
 */
export function takeToolWarnings(): string[] {
  return [...MIRRORED_BY_ENDPOINT.values()].flatMap((mirrored) => mirrored.takeWarnings());
}

export class Rev20260728Dialect implements WireDialect {
  private readonly link: DialectLink;
  /** What `_meta` announces (clientInfo, capabilities) and the replies to input requests. */
  private readonly setup: DialectSetup;
  private readonly mirrored: MirroredHeaders;
  private base: Record<string, string>;
  /** The `_meta` every request carries. */
  private meta: Readonly<Record<string, unknown>>;
  /** A -32022 was answered by switching version (once per client, as the spec's retry). */
  private versionRetried = false;
  version: string;
  readonly sessionId = undefined;
  ready = false;
  capabilities: Record<string, unknown> | undefined = undefined;
  headers: Record<string, string>;

  constructor(setup: DialectSetup) {
    this.setup = setup;
    this.link = setup.link;
    this.version = setup.version;
    this.base = setup.base;
    this.meta = statelessMeta(setup.version, setup.clientInfo, setup.clientCaps);
    let mirrored = MIRRORED_BY_ENDPOINT.get(setup.endpointKey);
    if (mirrored === undefined) MIRRORED_BY_ENDPOINT.set(setup.endpointKey, mirrored = new MirroredHeaders());
    this.mirrored = mirrored;
    // Every request names its version; there is no session to wait for.
    this.headers = { ...setup.base, 'mcp-protocol-version': setup.version };
  }

  /**
   * The stand-in for the handshake: `server/discover` (recorded), which
   * must list the version in use. Its capabilities are kept as the server's.
   */
  async open(): Promise<boolean> {
    // Read when the reply comes: a -32022 retry may have changed the version on the way.
    const listsVersion = (result: any): string | undefined => (Array.isArray(result?.supportedVersions) && result.supportedVersions.includes(this.version)
      ? undefined : `server/discover does not list ${this.version}`);
    const out = await this.link.exchange('server/discover', undefined, this.link.endpointPath, listsVersion, NO_CANCEL);
    if (!out.ok) return false;
    const caps = (out.result as { capabilities?: unknown }).capabilities;
    this.capabilities = typeof caps === 'object' && caps !== null ? caps as Record<string, unknown> : {};
    this.ready = true;
    return true;
  }

  useBase(base: Record<string, string>): void {
    this.base = base;
    this.headers = { ...base, 'mcp-protocol-version': this.version };
  }

  /** No session in this revision: a session id header is not taken. */
  adoptSession(): void {}

  forget(): undefined {
    this.ready = false;
    return undefined;
  }

  adoptVersion(version: string): void {
    this.versionRetried = true;
    this.version = version;
    this.meta = statelessMeta(version, this.setup.clientInfo, this.setup.clientCaps);
    this.headers = { ...this.base, 'mcp-protocol-version': version };
  }

  /** A method this revision removed: not sent; the caller learns why (no row: nothing went out). */
  unsent(method: string): RpcOutcome | undefined {
    if (!NOT_SENT_SINCE_2026_07_28.has(method)) return undefined;
    let outcome = REMOVED_OUTCOMES.get(method);
    if (outcome === undefined) {
      outcome = Object.freeze({ ok: false, error: fixedError('check', `not sent: ${method} does not exist in protocol ${this.version}`) }) as RpcOutcome;
      REMOVED_OUTCOMES.set(method, outcome);
    }
    return outcome;
  }

  /** A tools/call before any tools/list of this endpoint cannot know which arguments to mirror: the tools are listed first. */
  before(method: string): Promise<void> | undefined {
    return method === 'tools/call' && !this.mirrored.listed ? this.mirrored.whenListed(() => this.listAllTools()) : undefined;
  }

  params(params: object | undefined, traceparent: string | undefined): object {
    return withMeta(params, traceparent === undefined ? this.meta : { ...this.meta, [META_TRACEPARENT]: traceparent });
  }

  routed(method: string, params: object | undefined): Record<string, string> {
    return routingHeaders(this.headers, method, params, this.mirrored);
  }

  /** The server says why in a JSON-RPC error (-32020 header mismatch, -32022 version...). */
  failedStatus(status: number, body: Buffer | undefined, _hadSession: boolean, mayRetry: boolean): StatusVerdict {
    const rpc = rpcErrorIn(body);
    if (rpc === undefined) return { error: httpStatusError(status) };
    const error = fixedError('http', `${jsonRpcError(rpc).detail} (HTTP ${status})`);
    return mayRetry ? { error, retryWith: this.versionToRetry(rpc) } : { error };
  }

  isPartial(result: unknown): boolean {
    return isInputRequired(result);
  }

  accepted(method: string, result: unknown): void {
    if (method === 'tools/list') this.mirrored.learn(result);
  }

  /** The further rounds of a multi round-trip request (MRTR), each recorded as its own request. */
  async settle(first: Promise<RpcOutcome>, method: string, params: object | undefined, name: string, validate: ResultCheck | undefined, flags: number): Promise<RpcOutcome> {
    let out = await first;
    for (let round = 1; out.ok && isInputRequired(out.result); round++) {
      const next = round < MAX_INPUT_ROUNDS ? nextRoundParams(params, out.result, this.setup.replies) : TOO_MANY_ROUNDS.detail;
      if (typeof next === 'string') {
        const error = next === TOO_MANY_ROUNDS.detail ? TOO_MANY_ROUNDS : fixedError('check', next);
        this.link.recorder.record('input_required', name, 0, 0, error);
        return { ok: false, error };
      }
      // Each round its own row: the first times the question, the next ones the answered call.
      out = await this.link.exchange(method, next, `${name} (round ${round + 1})`, validate, flags);
    }
    return out;
  }

  /** Closing the stream (the timeout did) is the cancellation. */
  timedOut(): void {}

  /**
   * After UnsupportedProtocolVersionError: the version of its `supported`
   * list to retry with (basic/versioning: the client SHOULD select one and
   * retry), once per client, within this revision's era (no handshake mid-way).
   */
  private versionToRetry(rpc: { code?: unknown; data?: unknown }): string | undefined {
    if (rpc.code !== UNSUPPORTED_PROTOCOL_VERSION || this.versionRetried) return undefined;
    return pickSupportedVersion((rpc.data as { supported?: unknown } | null)?.supported, 'stateless');
  }

  /** Every page of tools/list, each recorded (real traffic); `accepted` learns their x-mcp-header annotations. */
  private async listAllTools(): Promise<void> {
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const out = await this.link.exchange('tools/list', cursor === undefined ? undefined : { cursor }, this.link.endpointPath, undefined, 0);
      const next = out.ok ? (out.result as { nextCursor?: unknown } | undefined)?.nextCursor : undefined;
      if (typeof next !== 'string' || next.length === 0) return;
      cursor = next;
    }
  }
}

/**
 * The handshake revisions over Streamable HTTP (2024-11-05 to 2025-11-25,
 * basic/transports#streamable-http, basic/lifecycle): `initialize` then
 * `notifications/initialized`; the `MCP-Session-Id` the server hands out is
 * echoed with `MCP-Protocol-Version` afterwards; 404 on a request carrying
 * it means the session is gone; a request given up on is cancelled with
 * `notifications/cancelled`.
 *
 * Hot path: the per-request members hand back what is already built.
 */
import { httpStatusError, SESSION_GONE } from './errors.js';
import type { RpcOutcome } from './mcp-client.js';
import { ADOPT_SESSION, NO_CANCEL, type DialectLink, type DialectSetup, type StatusVerdict, type WireDialect } from './wire-dialect.js';

const GONE: StatusVerdict = Object.freeze({ error: SESSION_GONE });

export class SessionDialect implements WireDialect {
  private readonly link: DialectLink;
  /** What the handshake announces: clientInfo and capabilities. */
  private readonly setup: DialectSetup;
  private base: Record<string, string>;
  version: string;
  sessionId: string | undefined = undefined;
  ready = false;
  capabilities: Record<string, unknown> | undefined = undefined;
  headers: Record<string, string>;

  constructor(setup: DialectSetup) {
    this.setup = setup;
    this.link = setup.link;
    this.version = setup.version;
    this.base = setup.base;
    this.headers = setup.base;
  }

  /** `initialize`, then `notifications/initialized`; starts a fresh session (how a user recovers after its session expired). */
  async open(): Promise<boolean> {
    this.setSession(undefined, false);
    const params = { protocolVersion: this.version, capabilities: this.setup.clientCaps, clientInfo: this.setup.clientInfo };
    const out = await this.link.exchange('initialize', params, this.link.endpointPath, undefined, ADOPT_SESSION | NO_CANCEL);
    if (!out.ok) return false;
    const init = out.result as { protocolVersion?: unknown; capabilities?: unknown } | undefined;
    const version = init?.protocolVersion;
    if (typeof version === 'string' && version.length > 0) this.version = version;
    this.capabilities = typeof init?.capabilities === 'object' && init.capabilities !== null ? init.capabilities as Record<string, unknown> : {};
    this.setSession(this.sessionId, true);
    const sent = await this.link.notify('notifications/initialized');
    this.ready = sent;
    return sent;
  }

  useBase(base: Record<string, string>): void {
    this.base = base;
    this.setSession(this.sessionId, this.ready);
  }

  adoptSession(header: string | string[] | undefined): void {
    this.sessionId = typeof header === 'string' && header.length > 0 ? header : undefined;
  }

  forget(): string | undefined {
    const sid = this.sessionId;
    this.setSession(undefined, false);
    return sid;
  }

  adoptVersion(version: string): void {
    this.version = version;
    this.setSession(this.sessionId, this.ready);
  }

  unsent(): RpcOutcome | undefined {
    return undefined;
  }

  before(): Promise<void> | undefined {
    return undefined;
  }

  params(params: object | undefined): object | undefined {
    return params;
  }

  routed(): Record<string, string> {
    return this.headers;
  }

  failedStatus(status: number, _body: Buffer | undefined, hadSession: boolean): StatusVerdict {
    if (status === 404 && hadSession) {
      // The session is gone (expired, or the server restarted): forget it so that
      // the caller sees `initialized === false` and can start a new one.
      this.setSession(undefined, false);
      return GONE;
    }
    return { error: httpStatusError(status) };
  }

  isPartial(): boolean {
    return false;
  }

  accepted(): void {}

  settle(first: Promise<RpcOutcome>): Promise<RpcOutcome> {
    return first;
  }

  /** Tells the server to stop working on a request we gave up on (spec: cancellation). Not recorded. */
  timedOut(id: number): void {
    void this.link.notify('notifications/cancelled', { requestId: id, reason: 'client timeout' }, false);
  }

  private setSession(sid: string | undefined, ready: boolean): void {
    this.sessionId = sid;
    this.ready = ready;
    this.headers = sid === undefined
      ? (ready ? { ...this.base, 'mcp-protocol-version': this.version } : this.base)
      : { ...this.base, 'mcp-session-id': sid, 'mcp-protocol-version': this.version };
  }
}

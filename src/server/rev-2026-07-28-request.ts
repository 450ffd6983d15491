/**
 * What one 2026-07-28 request brings to the catalog, and what the catalog
 * answers besides a plain result. The 2026-07-28 endpoint builds a fresh SDK
 * server per request and hands it one of these, so nothing a request
 * declares (capabilities, log level, input responses, request state) is
 * shared with any other request.
 *
 * A handler that needs something the SDK cannot express (an
 * `input_required` result, a -32021 refusal, a JSON-RPC error from inside a
 * tool) records it here and throws `OutcomeSignal`; the endpoint answers
 * from the record, whatever the SDK made of the throw.
 *
 * `requestState` is sealed with an HMAC under a key made at start-up and
 * bound to the request's target (method and name), so a client can read it
 * but not forge it or replay it on another tool. The endpoint opens it
 * before any handler runs; handlers only ever see state this process sealed.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { LoggingLevel } from '@modelcontextprotocol/sdk/types.js';

export type InputRequests = Record<string, { method: string; params: Record<string, unknown> }>;

/** Any result besides the handler's own: input needed, or an error with its HTTP status. */
export type Rev20260728Outcome =
  | { kind: 'input_required'; inputRequests?: InputRequests; requestState?: string }
  | { kind: 'error'; status: number; code: number; message: string; data?: unknown };

/** Thrown by a handler once the outcome is recorded: it unwinds the handler, the endpoint answers. */
export class OutcomeSignal extends Error {
  constructor() {
    super('answered from the request context');
  }
}

export const MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;

/** Where the catalog announces list changes (the open `subscriptions/listen` streams). */
export interface ListChanges {
  tools(): void;
  prompts(): void;
}

const STATE_KEY = randomBytes(32);

function mac(body: string): Buffer {
  return createHmac('sha256', STATE_KEY).update(body).digest();
}

/** Seals `data` for the target `method:name`: readable by the client, not forgeable. */
export function sealState(target: string, data: unknown): string {
  const body = Buffer.from(JSON.stringify({ t: target, d: data }), 'utf8').toString('base64url');
  return `${body}.${mac(body).toString('base64url')}`;
}

/** The data sealed for `target`, or undefined when the state was altered, forged or made for another target. */
export function openState(target: string, state: string): { data: unknown } | undefined {
  const dot = state.indexOf('.');
  if (dot < 1) return undefined;
  const body = state.slice(0, dot);
  const given = Buffer.from(state.slice(dot + 1), 'base64url');
  const expected = mac(body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const sealed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { t?: unknown; d?: unknown };
    return sealed.t === target ? { data: sealed.d } : undefined;
  } catch {
    return undefined;
  }
}

export class Rev20260728RequestContext {
  outcome: Rev20260728Outcome | undefined;

  constructor(
    /** `method:name` (or the bare method): what a sealed state is bound to. */
    readonly target: string,
    readonly capabilities: Readonly<Record<string, unknown>>,
    /** The request's `_meta` log level; without one the server sends no log notifications. */
    readonly logLevel: LoggingLevel | undefined,
    readonly inputResponses: Readonly<Record<string, unknown>>,
    /** The opened `requestState` (already verified), if the request carried one. */
    readonly state: { data: unknown } | undefined,
    readonly changes: ListChanges,
  ) {}

  declares(capability: string): boolean {
    return this.capabilities[capability] !== undefined;
  }

  /** Refuses with -32021 (HTTP 400) unless the request declared `capability`. */
  require(capability: string): void {
    if (this.declares(capability)) return;
    this.outcome = {
      kind: 'error', status: 400, code: MISSING_REQUIRED_CLIENT_CAPABILITY,
      message: `Missing required client capability: ${capability}`, data: { requiredCapabilities: { [capability]: {} } },
    };
    throw new OutcomeSignal();
  }

  /** Ends this round with `input_required`; `state`, when given, is sealed for this request's target. */
  askFor(inputRequests: InputRequests, state?: unknown): never {
    this.outcome = { kind: 'input_required', inputRequests, ...(state === undefined ? {} : { requestState: sealState(this.target, state) }) };
    throw new OutcomeSignal();
  }

  /** The client's answer under `key`, when it sent one. */
  answer(key: string): unknown {
    return this.inputResponses[key];
  }

  /** An accepted elicitation answer's content, or undefined (declined, cancelled, missing). */
  accepted(key: string): Record<string, unknown> | undefined {
    const answer = this.answer(key) as { action?: unknown; content?: unknown } | undefined;
    if (answer?.action !== 'accept' || typeof answer.content !== 'object' || answer.content === null) return undefined;
    return answer.content as Record<string, unknown>;
  }
}

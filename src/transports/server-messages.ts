/**
 * What a server sends in the middle of a call, on the reply's SSE stream:
 * notifications (progress, logging) and requests to the client (sampling,
 * elicitation, roots, ping). A real agent client answers the requests and
 * watches the notifications; so does a virtual user.
 *
 * Figures recorded, each as its own sample type so they never mix with the
 * call's own latency (the `name` is the call's sample name):
 *  - `first progress`: time from sending the call to its first progress
 *    notification (one sample per call that got any);
 *  - `notifications/progress`, `notifications/message`: one sample per event,
 *    latency = time since the call was sent (the row's count is the number
 *    of events);
 *  - a progress value that does not increase (spec: "MUST increase with each
 *    notification") is a `check` failure on the `notifications/progress` row.
 */
import { nowUs, type Recorder, type SampleError } from '../metrics/sample.js';
import { fixedError } from './errors.js';

/** Replies a virtual user gives to the server's requests; each may depend on the request's params. */
export interface ServerRequestReplies {
  /** `sampling/createMessage`: the model's answer. Declares the `sampling` capability. */
  sampling?: (params: any) => object;
  /** `elicitation/create`: the user's answer, e.g. `{ action: 'accept', content: {...} }`. Declares `elicitation`. */
  elicitation?: (params: any) => object;
  /** `roots/list`: the roots offered. Declares `roots`. */
  roots?: () => object;
}

/** The capabilities to announce in `initialize` for the replies configured. */
export function clientCapabilities(replies: ServerRequestReplies | undefined): Record<string, object> {
  const caps: Record<string, object> = {};
  if (replies?.sampling) caps.sampling = {};
  if (replies?.elicitation) caps.elicitation = {};
  if (replies?.roots) caps.roots = { listChanged: false };
  return caps;
}

export const FIRST_PROGRESS = 'first progress';
const PROGRESS = 'notifications/progress';
const LOG = 'notifications/message';
const NOT_INCREASING = fixedError('check', 'progress did not increase');
const METHOD_NOT_FOUND = Object.freeze({ code: -32601, message: 'Method not found' });

/** A JSON-RPC message to send back (a response to the server's request). */
export type Reply = { jsonrpc: '2.0'; id: unknown; result: object } | { jsonrpc: '2.0'; id: unknown; error: object };

/** The answer to one server request; undefined for a message that is not a request. */
export function answerServerRequest(message: Record<string, unknown>, replies: ServerRequestReplies | undefined): Reply | undefined {
  if (!('id' in message) || typeof message.method !== 'string') return undefined;
  const id = message.id;
  const params = message.params;
  let result: object | undefined;
  try {
    switch (message.method) {
      case 'ping': result = {}; break;
      case 'sampling/createMessage': result = replies?.sampling?.(params); break;
      case 'elicitation/create': result = replies?.elicitation?.(params); break;
      case 'roots/list': result = replies?.roots?.(); break;
      default: break;
    }
  } catch (err) {
    return { jsonrpc: '2.0', id, error: { code: -32603, message: `client reply failed: ${(err as Error).message}` } };
  }
  if (result === undefined) return { jsonrpc: '2.0', id, error: METHOD_NOT_FOUND };
  return { jsonrpc: '2.0', id, result: withRelatedTask(result, params) };
}

export const RELATED_TASK = 'io.modelcontextprotocol/related-task';

/** A question that belongs to a task (2025-11-25 tasks) gets an answer that names the task too, as the spec asks. */
function withRelatedTask(result: object, params: unknown): object {
  const related = (params as { _meta?: Record<string, unknown> } | undefined)?._meta?.[RELATED_TASK];
  if (related === undefined) return result;
  const meta = (result as { _meta?: object })._meta;
  return { ...result, _meta: { ...meta, [RELATED_TASK]: related } };
}

/** Watches the messages that arrive during one call. */
export class CallStream {
  private progressEvents = 0;
  private lastProgress = -Infinity;

  constructor(
    private readonly recorder: Recorder,
    /** The call's sample name. */
    private readonly name: string,
    private readonly startUs: number,
    /** Sends an answer to a server request (fire and forget). */
    private readonly answer: (reply: Reply, method: string) => void,
    private readonly replies: ServerRequestReplies | undefined,
  ) {}

  onMessage(message: Record<string, unknown>): void {
    const method = message.method;
    if ('id' in message) {
      const reply = answerServerRequest(message, this.replies);
      if (reply !== undefined) this.answer(reply, String(method));
      return;
    }
    const elapsed = nowUs() - this.startUs;
    if (method === PROGRESS) {
      const progress = (message.params as { progress?: unknown } | undefined)?.progress;
      let error: SampleError | undefined;
      if (typeof progress === 'number') {
        if (progress <= this.lastProgress) error = NOT_INCREASING;
        this.lastProgress = progress;
      }
      if (this.progressEvents++ === 0) this.recorder.record(FIRST_PROGRESS, this.name, elapsed, 0);
      this.recorder.record(PROGRESS, this.name, elapsed, 0, error);
    } else if (method === LOG) {
      this.recorder.record(LOG, this.name, elapsed, 0);
    }
  }
}

/**
 * Reading the reply to one JSON-RPC POST (MCP Streamable HTTP) into the
 * response to its id, or the reason there is none: a JSON body (a lone
 * response, or one inside a batch), or an SSE stream read up to the
 * response, resumed with Last-Event-ID when the server closed it early on
 * purpose (sse-resume.ts), and left to drain in the background once the
 * response is in. What a status means for a session stays with the client.
 */
import type { SampleError } from '../metrics/sample.js';
import { INVALID_JSON, NO_RESPONSE, TOO_LARGE, WRONG_ID } from './errors.js';
import type { BodyRead } from './read-body.js';
import { INVALID_RESPONSE } from './rpc-result.js';
import { drainRest, readSseReply, type SseReplyProblem } from './sse.js';
import { isResumable, resumeSseReply, type ResumeTarget } from './sse-resume.js';

type Message = Record<string, unknown>;

const FAILURES: ReadonlySet<SampleError> = new Set([TOO_LARGE, NO_RESPONSE, INVALID_JSON, WRONG_ID, INVALID_RESPONSE]);

const SSE_PROBLEMS: Readonly<Record<SseReplyProblem, SampleError>> = {
  'response too large': TOO_LARGE,
  'invalid JSON': INVALID_JSON,
  'wrong response id': WRONG_ID,
  'no response': NO_RESPONSE,
};

/** True when `found` (from `jsonResponse`) is the reason there is no response. */
export function isReplyFailure(found: Message | SampleError): found is SampleError {
  return FAILURES.has(found as SampleError);
}

/** The response to `id` in a buffered JSON reply, or why there is none (test with `isReplyFailure`). */
export function jsonResponse(body: BodyRead, id: number): Message | SampleError {
  if (body.tooLarge) return TOO_LARGE;
  if (body.data === undefined) return NO_RESPONSE; // e.g. 202 to a request
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.data.toString('utf8'));
  } catch {
    return INVALID_JSON;
  }
  if (Array.isArray(parsed)) {
    for (const item of parsed) {
      if (typeof item === 'object' && item !== null && (item as { id?: unknown }).id === id) return item as Message;
    }
    return WRONG_ID;
  }
  if (typeof parsed !== 'object' || parsed === null) return INVALID_RESPONSE;
  const message = parsed as Message;
  // A JSON-RPC error about the request itself (parse error) may carry id null.
  if (message.id !== id && !(message.id === null && message.error !== undefined)) return WRONG_ID;
  return message;
}

export interface StreamedResponse {
  /** Body bytes over every stream read (the POST's and any resumed GETs). */
  bytes: number;
  message: Message | undefined;
  error: SampleError | undefined;
  /** The unread rest of the stream once the response is in: hand it to `drainInBackground`. */
  rest: AsyncIterator<unknown> | undefined;
}

/**
 * Reads an SSE reply up to the response to `id`; notifications and server
 * requests on the way go to `resume.onMessage`. A stream the server ended
 * early on purpose (SEP-1699) is resumed with GETs to `resume`. Rejects when
 * the stream fails (reset, aborted), for the caller to classify.
 */
export async function streamedResponse(stream: AsyncIterable<Uint8Array | string>, id: number, resume: ResumeTarget): Promise<StreamedResponse> {
  let reply = await readSseReply(stream, id, resume.maxBodyBytes, resume.onMessage);
  if (isResumable(reply)) reply = await resumeSseReply(reply, id, resume);
  return {
    bytes: reply.bytes,
    message: reply.problem === undefined ? reply.response : undefined,
    error: reply.problem === undefined ? undefined : SSE_PROBLEMS[reply.problem],
    rest: reply.rest,
  };
}

/**
 * Lets the rest of a stream end in the background once the response is in
 * (servers end it right after; reading it keeps the socket reusable), then
 * calls `done`.
 */
export function drainInBackground(rest: AsyncIterator<unknown>, done: () => void): void {
  void drainRest(rest).finally(done);
}

/** The JSON-RPC error a non-2xx reply holds (-32022 unsupported protocol version...), if it holds one. */
export function rpcErrorIn(data: Buffer | undefined): { code?: unknown; message?: unknown; data?: unknown } | undefined {
  if (data === undefined) return undefined;
  try {
    const parsed = JSON.parse(data.toString('utf8')) as { error?: unknown };
    return typeof parsed?.error === 'object' && parsed.error !== null ? parsed.error as { code?: unknown } : undefined;
  } catch {
    return undefined; // not JSON: the status alone
  }
}

/**
 * Resuming a Streamable HTTP reply whose SSE stream closed before the
 * response came (MCP 2025-11-25, basic/transports "Resumability and
 * Redelivery", SEP-1699): the server may end a POST's stream early on
 * purpose (polling), after sending an event `id` and a `retry` delay. The
 * client then waits `retry` ms and opens a GET on the same endpoint with
 * `Last-Event-ID`; the server replays what followed that id, the response
 * included.
 *
 * Only the rare path (a stream that ended without its response) comes here,
 * so nothing in it is on the load generator's hot path.
 */
import type { Dispatcher } from 'undici';
import type { Deadline } from './in-flight.js';
import { discardBody } from './read-body.js';
import { isEventStream, readSseReply, type SseReply } from './sse.js';

/** Wait when the server named no `retry` (the spec leaves it to the client). */
export const DEFAULT_RETRY_MS = 1000;
/** Reconnections per request before giving up (each one must bring a new event id). */
const MAX_RESUMES = 5;

export interface ResumeTarget {
  dispatcher: Dispatcher;
  origin: string;
  path: string;
  /** The POST's headers (session id, protocol version, auth); Accept and Content-Type are replaced. */
  headers: Record<string, string>;
  maxBodyBytes: number;
  /** The request's deadline: it bounds the waits and the GETs too. */
  deadline: Deadline;
  /** Notifications and server requests arriving on the resumed stream. */
  onMessage?: (message: Record<string, unknown>) => void;
}

/** True when `reply` is a stream that ended early but can be resumed. */
export function isResumable(reply: SseReply): boolean {
  return reply.problem === 'no response' && reply.lastEventId !== undefined;
}

/**
 * Follows a reply that ended without the response to `id`: waits the
 * server's `retry`, GETs with `Last-Event-ID`, and reads on, as often as the
 * server keeps closing streams after new events. Returns the last reply read
 * (with `bytes` summed over all streams); rejects when the deadline aborts a
 * wait or a request, like the POST would.
 */
export async function resumeSseReply(first: SseReply, id: number | string, target: ResumeTarget): Promise<SseReply> {
  let reply = first;
  let bytes = first.bytes;
  let retryMs = first.retryMs ?? DEFAULT_RETRY_MS;
  let lastEventId = first.lastEventId;
  const headers: Record<string, string> = { ...target.headers, accept: 'text/event-stream' };
  delete headers['content-type'];
  for (let attempt = 0; attempt < MAX_RESUMES && lastEventId !== undefined; attempt++) {
    await sleepUnlessAborted(retryMs, target.deadline);
    const res = await target.dispatcher.request({
      origin: target.origin, path: target.path, method: 'GET',
      headers: { ...headers, 'last-event-id': lastEventId }, signal: target.deadline.signal,
    });
    if (res.statusCode !== 200 || !isEventStream(res.headers['content-type'])) {
      // 405: the server offers no GET stream; nothing more can come.
      bytes += await discardBody(res.body, target.maxBodyBytes);
      return { ...reply, bytes };
    }
    reply = await readSseReply(res.body, id, target.maxBodyBytes - bytes, target.onMessage);
    bytes += reply.bytes;
    // A GET stream is the session's general stream and may stay open: having
    // the response, stop reading it rather than holding the socket.
    if (reply.rest !== undefined) await reply.rest.return?.();
    if (!isResumable(reply) || reply.lastEventId === lastEventId) break;
    lastEventId = reply.lastEventId;
    retryMs = reply.retryMs ?? retryMs;
  }
  return { ...reply, bytes, rest: undefined };
}

/** Waits `ms`, or rejects as soon as the deadline fires (time up, or the user stopped). */
function sleepUnlessAborted(ms: number, deadline: Deadline): Promise<void> {
  if (deadline.aborted) return Promise.reject(new Error('aborted'));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    const timer = setTimeout(() => {
      deadline.off('abort', onAbort);
      resolve();
    }, ms);
    deadline.once('abort', onAbort);
  });
}

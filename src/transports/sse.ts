/**
 * Server-Sent Events (`text/event-stream`) for MCP's Streamable HTTP replies.
 *
 * `SseParser` is an incremental parser after the WHATWG EventSource rules:
 * lines end in CRLF, LF or CR (also when a CRLF is split across chunks);
 * `data:` lines accumulate, `event:`, `id:` and `retry:` are fields, lines
 * starting with `:` are comments, an empty line dispatches. It takes decoded
 * text chunks of any size and calls its sink once per event, with no object
 * allocated per event.
 *
 * `readSseReply` reads an MCP POST's SSE reply until the JSON-RPC response
 * to one request id, collecting the notifications and server requests
 * (progress, logging, sampling...) that arrive before it.
 */

import { TextDecoder } from 'node:util';

/** Receives parsed events. `id` is the last event id seen on the stream (it persists across events). */
export interface SseSink {
  onEvent(type: string, data: string, id: string | undefined): void;
}

const LF = 10;
const CR = 13;

export class SseParser {
  /** Reconnection time from the latest valid `retry:` field, in ms. */
  retryMs: number | undefined = undefined;
  /** The last event id buffer (persists across events, as in EventSource). */
  lastEventId: string | undefined = undefined;

  /** Pieces of a line not yet ended, when a line spans chunks. */
  private pending: string[] | undefined = undefined;
  private skipLeadingLf = false;
  private atStart = true;
  private data = '';
  private hasData = false;
  private eventType = '';

  constructor(private readonly sink: SseSink) {}

  /** Feeds the next decoded chunk. */
  push(chunk: string): void {
    if (chunk.length === 0) return;
    if (this.atStart) {
      this.atStart = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    let lineStart = 0;
    // A CR ended the previous chunk: a LF starting this one belongs to it.
    if (this.skipLeadingLf) {
      this.skipLeadingLf = false;
      if (chunk.charCodeAt(0) === LF) lineStart = 1;
    }
    const end = chunk.length;
    for (let i = lineStart; i < end; i++) {
      const c = chunk.charCodeAt(i);
      if (c !== LF && c !== CR) continue;
      let line = chunk.slice(lineStart, i);
      // Pieces of a line split across chunks are joined once, when it ends,
      // so a long line over many chunks costs linear, not quadratic, time.
      if (this.pending !== undefined) {
        this.pending.push(line);
        line = this.pending.join('');
        this.pending = undefined;
      }
      this.line(line);
      if (c === CR) {
        if (i + 1 < end) { if (chunk.charCodeAt(i + 1) === LF) i++; }
        else this.skipLeadingLf = true;
      }
      lineStart = i + 1;
    }
    if (lineStart < end) (this.pending ??= []).push(chunk.slice(lineStart));
  }

  /** End of stream: an event without its closing blank line is dropped, as the spec says. */
  end(): void {
    this.pending = undefined;
    this.data = '';
    this.hasData = false;
    this.eventType = '';
  }

  private line(line: string): void {
    if (line.length === 0) { this.dispatch(); return; }
    if (line.charCodeAt(0) === 58 /* : */) return; // comment
    const colon = line.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.slice(line.charCodeAt(colon + 1) === 32 /* space */ ? colon + 2 : colon + 1);
    }
    switch (field) {
      case 'data':
        this.data = this.hasData ? `${this.data}\n${value}` : value;
        this.hasData = true;
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  private dispatch(): void {
    if (!this.hasData) { this.eventType = ''; return; }
    const type = this.eventType.length > 0 ? this.eventType : 'message';
    const data = this.data;
    this.data = '';
    this.hasData = false;
    this.eventType = '';
    this.sink.onEvent(type, data, this.lastEventId);
  }
}

/** Why an SSE reply did not yield the expected response. */
/** Whether a reply's Content-Type says it is an event stream. */
export function isEventStream(contentType: string | string[] | undefined): boolean {
  return typeof contentType === 'string' && contentType.startsWith('text/event-stream');
}

export type SseReplyProblem = 'invalid JSON' | 'response too large' | 'wrong response id' | 'no response';

export interface SseReply {
  /** The JSON-RPC response whose id matched, when found. */
  response: Record<string, unknown> | undefined;
  /** Notifications and server-to-client requests received before the response, in order (undefined: none). */
  messages: Record<string, unknown>[] | undefined;
  /** Body bytes read. */
  bytes: number;
  problem: SseReplyProblem | undefined;
  /** Last event id and retry hint, for resuming a stream (later work). */
  lastEventId: string | undefined;
  retryMs: number | undefined;
  /**
   * The unread rest of the stream when reading stopped at the response. The
   * caller should consume it (servers end the stream right after the
   * response) so that the connection can be reused rather than reset.
   */
  rest: AsyncIterator<Uint8Array | string> | undefined;
}

/** The sink that `readSseReply` uses: decides, event by event, whether the response has come. */
class ReplyCollector implements SseSink {
  response: Record<string, unknown> | undefined = undefined;
  messages: Record<string, unknown>[] | undefined = undefined;
  problem: SseReplyProblem | undefined = undefined;

  constructor(
    private readonly id: number | string,
    /** Called as each notification or server request arrives (before the response), e.g. to answer it at once. */
    private readonly onMessage?: (message: Record<string, unknown>) => void,
  ) {}

  get done(): boolean {
    return this.response !== undefined || this.problem !== undefined;
  }

  onEvent(type: string, data: string): void {
    // Once decided, later events in the same chunk are not looked at.
    if (this.done) return;
    // MCP sends its messages as default `message` events; an empty event
    // (2025-11-25 "priming" event that only carries an id) is not a message.
    if (type !== 'message' || data.length === 0) return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      this.problem = 'invalid JSON';
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      this.problem = 'invalid JSON';
      return;
    }
    const m = message as Record<string, unknown>;
    if (typeof m.method === 'string') {
      (this.messages ??= []).push(m); // a notification, or a request from the server
      this.onMessage?.(m);
      return;
    }
    if (m.id === this.id) this.response = m;
    else this.problem = 'wrong response id';
  }
}

/**
 * Reads an SSE reply to the JSON-RPC request `id`. Resolves when the
 * response arrives, the stream ends, or the reply is unusable; rejects only
 * when the stream itself fails (aborted, reset), for the caller to classify.
 */
export async function readSseReply(
  body: AsyncIterable<Uint8Array | string>,
  id: number | string,
  maxBytes: number,
  onMessage?: (message: Record<string, unknown>) => void,
): Promise<SseReply> {
  const collector = new ReplyCollector(id, onMessage);
  const parser = new SseParser(collector);
  // Created only if a chunk ends inside a multi-byte character (rare: events end with a LF).
  let decoder: TextDecoder | undefined;
  const iterator = body[Symbol.asyncIterator]();
  let bytes = 0;
  let rest: AsyncIterator<Uint8Array | string> | undefined;
  for (;;) {
    const step = await iterator.next();
    if (step.done) {
      if (decoder !== undefined) parser.push(decoder.decode());
      parser.end();
      if (!collector.done) collector.problem = 'no response';
      break;
    }
    const chunk = step.value;
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (bytes > maxBytes) {
      collector.problem = 'response too large';
      await iterator.return?.();
      break;
    }
    if (typeof chunk === 'string') parser.push(chunk);
    else if (decoder === undefined && (chunk.byteLength === 0 || chunk[chunk.byteLength - 1]! < 0x80)) {
      // Ends on an ASCII byte, so on a character boundary: decode without a stateful decoder.
      parser.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8'));
    } else parser.push((decoder ??= new TextDecoder()).decode(chunk, { stream: true }));
    if (collector.response !== undefined) { rest = iterator; break; }
    if (collector.problem !== undefined) { await iterator.return?.(); break; }
  }
  return {
    response: collector.response,
    messages: collector.messages,
    bytes,
    problem: collector.problem,
    lastEventId: parser.lastEventId,
    retryMs: parser.retryMs,
    rest,
  };
}

/** Consumes what is left of a stream, ignoring its content and any error. */
export async function drainRest(rest: AsyncIterator<unknown>): Promise<void> {
  try {
    for (;;) if ((await rest.next()).done) return;
  } catch {
    // aborted or reset after the response was already taken: nothing to report
  }
}

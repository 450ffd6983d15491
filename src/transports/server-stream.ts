/**
 * The session's standalone server-to-client stream of Streamable HTTP
 * (basic/transports "Listening for Messages from the Server"): a GET on the
 * MCP endpoint with `Accept: text/event-stream`, which the server uses for
 * requests and notifications that belong to no client request. SDK servers
 * send `elicitation/create` or `sampling/createMessage` there when the tool
 * that asks does not tie the request to its call. The official clients open
 * it right after the handshake; `mcpload client` does the same.
 *
 * Requests arriving on it are answered at once with a POST (recorded as type
 * `reply`, named by the method, as on a call's own stream); notifications are
 * not recorded. A 405 means the server offers no such stream: not an error.
 */
import type { Dispatcher } from 'undici';
import { nowUs, type Recorder, type SampleError } from '../metrics/sample.js';
import { classifyNetworkError, httpStatusError } from './errors.js';
import { discardBody } from './read-body.js';
import { answerServerRequest, type ServerRequestReplies } from './server-messages.js';
import { isEventStream, SseParser } from './sse.js';
import { TextDecoder } from 'node:util';

export interface ServerStreamOptions {
  dispatcher: Dispatcher;
  /** The MCP endpoint. */
  url: string;
  /** Session id, protocol version and auth headers, as on the session's POSTs. */
  headers: Record<string, string>;
  recorder: Recorder;
  replies: ServerRequestReplies | undefined;
  /** Deadline for each answer's POST. */
  timeoutMs: number;
  /** Gets each notification on the stream (e.g. task status); they are not recorded here. */
  onNotification?: (message: { method: string; params?: unknown }) => void;
}

export class ServerStream {
  private readonly abort = new AbortController();
  private reading: Promise<void> | undefined;
  private readonly origin: string;
  private readonly path: string;
  private readonly name: string;

  constructor(private readonly opts: ServerStreamOptions) {
    const url = new URL(opts.url);
    this.origin = url.origin;
    this.path = url.pathname + url.search;
    this.name = url.pathname;
  }

  /**
   * Opens the stream (recorded as type `GET`) and reads it in the
   * background. Resolves once the server has answered the GET, so that the
   * stream is in place before the next request; false when there is none.
   */
  async open(): Promise<boolean> {
    const start = nowUs();
    const headers: Record<string, string> = { ...this.opts.headers, accept: 'text/event-stream' };
    delete headers['content-type'];
    let res: Dispatcher.ResponseData;
    try {
      res = await this.opts.dispatcher.request({ origin: this.origin, path: this.path, method: 'GET', headers, signal: this.abort.signal });
    } catch (err) {
      if (!this.abort.signal.aborted) this.opts.recorder.record('GET', this.name, nowUs() - start, 0, classifyNetworkError(err));
      return false;
    }
    if (res.statusCode !== 200 || !isEventStream(res.headers['content-type'])) {
      const bytes = await discardBody(res.body, 1 << 20).catch(() => 0);
      // 405 (and 400 from servers that accept no GET at all): the server has no such stream, not a failure.
      const error = res.statusCode === 405 || res.statusCode === 400 ? undefined : httpStatusError(res.statusCode);
      this.opts.recorder.record('GET', this.name, nowUs() - start, bytes, error);
      return false;
    }
    this.opts.recorder.record('GET', this.name, nowUs() - start, 0);
    this.reading = this.read(res.body);
    return true;
  }

  /** Closes the stream and waits for its reader to stop. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.reading;
  }

  private async read(body: AsyncIterable<Buffer>): Promise<void> {
    const parser = new SseParser({ onEvent: (type, data) => this.onEvent(type, data) });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) parser.push(decoder.decode(chunk, { stream: true }));
    } catch {
      // closed by us, or reset by the server: the session's calls report their own failures
    }
    parser.end();
  }

  private onEvent(type: string, data: string): void {
    if (type !== 'message' || data.length === 0) return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return;
    const m = message as { id?: unknown; method?: unknown; params?: unknown };
    if (typeof m.method === 'string' && !('id' in m)) {
      this.opts.onNotification?.({ method: m.method, params: m.params });
      return;
    }
    const reply = answerServerRequest(message as Record<string, unknown>, this.opts.replies);
    if (reply !== undefined) void this.answer(reply, String(m.method));
  }

  private async answer(reply: object, method: string): Promise<void> {
    const start = nowUs();
    let error: SampleError | undefined;
    try {
      const res = await this.opts.dispatcher.request({
        origin: this.origin, path: this.path, method: 'POST', body: JSON.stringify(reply),
        headers: { ...this.opts.headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      await discardBody(res.body, 1 << 20);
      if (res.statusCode < 200 || res.statusCode > 299) error = httpStatusError(res.statusCode);
    } catch (err) {
      error = classifyNetworkError(err);
    }
    this.opts.recorder.record('reply', method, nowUs() - start, 0, error);
  }
}

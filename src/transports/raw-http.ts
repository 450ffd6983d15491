/**
 * The lean hot path for `--bench-mode`: one keep-alive HTTP/1.1 connection
 * on a raw `net` socket that sends ONE prebuilt JSON-RPC request over and
 * over and checks each reply (status, JSON-RPC id, error, tool isError),
 * recording one sample per request, as autocannon does for plain HTTP.
 *
 * Why not undici here: measured in bench/ (see README), undici's `request`
 * costs several times autocannon's CPU per request, mostly in per-request
 * objects (handlers, streams, header records). Here the request is one
 * Buffer built once, the parser works on bytes without building header
 * strings, the reply callback and the promise capture are created once per
 * connection, and only the JSON body itself is decoded.
 *
 * It speaks just enough HTTP/1.1: Content-Length, chunked and close-delimited
 * bodies, JSON and SSE replies (the first `data:` event), `Connection: close`.
 * Anything else is an error sample, never a crash. The framing (head, body
 * delimiting, cap) is h1-reply-framing.ts, shared with the general client's
 * pool (h1-pool.ts); this file keeps the fixed request and the JSON-RPC check.
 *
 * Exact as the general client (issue 13): the events of a socket reach the
 * caller only while it is the caller's current socket, so a late 'data',
 * 'error' or 'close' of a socket given up on (timed out, reset, out of step)
 * never lands on the next request; a socket given up on is destroyed at
 * once and never reused. Replies are capped as the general client's
 * (read-body.ts), failures carry the same names (errors.ts), and a 404 on
 * the session is `HTTP 404 (session expired)` and tells the caller to open
 * a new one (`sessionExpired`).
 */
import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { nowUs, type Recorder, type SampleError } from '../metrics/sample.js';
import {
  classifyNetworkError, deadlineError, fixedError, httpStatusError, INVALID_JSON, MALFORMED_HTTP, NO_RESPONSE, SESSION_GONE,
  shortText, TOO_LARGE as TOO_LARGE_ERROR, WRONG_ID,
} from './errors.js';
import { H1ReplyFramer, TOO_LARGE, type FramingFailure, type ReplySink } from './h1-reply-framing.js';
import { DEFAULT_MAX_BODY_BYTES } from './read-body.js';
import type { TlsConnectOptions } from './tls-options.js';

export interface RawCallOptions {
  /** http:// or https:// endpoint URL. */
  url: string;
  /** https: trust and client certificates (--ca-cert, --insecure-skip-tls-verify, --client-cert/--client-key). */
  tls?: TlsConnectOptions;
  /** Extra headers, e.g. mcp-session-id, authorization. */
  headers: Record<string, string>;
  /** The JSON-RPC request, sent as is every time. */
  body: string;
  /** The id in `body`, expected back. */
  id: number;
  recorder: Recorder;
  type: string;
  name: string;
  /** Deadline of each request, from its send to the end of its reply. */
  timeoutMs: number;
  /** Cap on a reply body; default DEFAULT_MAX_BODY_BYTES (16 MiB), as the general client. */
  maxBodyBytes?: number;
}

/** The connection ended before a whole reply: what undici calls UND_ERR_SOCKET, named as classifyNetworkError names it. */
const CLOSED = classifyNetworkError({ code: 'UND_ERR_SOCKET' });

export class RawMcpCaller implements ReplySink {
  private request: Buffer;
  private readonly host: string;
  private readonly port: number;
  private readonly https: boolean;
  private readonly opts: RawCallOptions;
  private readonly maxBodyBytes: number;
  private readonly timeoutError: SampleError;
  /** Whether the request carries a session id (a 404 then means the session is gone). */
  private withSession: boolean;
  private expired = false;
  /** The one socket whose events count; any other socket is one given up on, already destroyed. */
  private socket: Socket | undefined;
  /** One deadline timer for the caller, re-armed (refresh) for each request: calls never overlap. */
  private timer: NodeJS.Timeout | undefined;
  private startUs = 0;
  private pending = false;
  private resolve: (() => void) | undefined;
  private readonly capture = (resolve: () => void): void => {
    this.resolve = resolve;
  };

  /** Frames the replies of the current socket (one reply at a time: calls never overlap). */
  private readonly framer: H1ReplyFramer;
  // The body of the reply being read: most come in one piece, kept as is; more are concatenated at the end.
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;

  constructor(opts: RawCallOptions) {
    const url = new URL(opts.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('--bench-mode speaks http:// and https:// only');
    this.https = url.protocol === 'https:';
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(url.port || (this.https ? 443 : 80));
    this.opts = opts;
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.timeoutError = deadlineError(opts.timeoutMs);
    this.request = EMPTY;
    this.withSession = false;
    this.framer = new H1ReplyFramer(this, this.maxBodyBytes);
    this.useHeaders(opts.headers);
  }

  /** True once a request on the session was answered 404: open a new session, then `useHeaders` with its id. */
  get sessionExpired(): boolean {
    return this.expired;
  }

  /** Sends the following requests with these headers (a new session's id); the connection is kept. */
  useHeaders(headers: Record<string, string>): void {
    const url = new URL(this.opts.url);
    const body = Buffer.from(this.opts.body);
    let head = `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n`
      + `Accept: application/json, text/event-stream\r\nContent-Length: ${body.length}\r\n`;
    let withSession = false;
    for (const [key, value] of Object.entries(headers)) {
      if (/[\r\n]/.test(key + value)) throw new Error(`header ${key} contains a line break`);
      head += `${key}: ${value}\r\n`;
      if (key.toLowerCase() === 'mcp-session-id') withSession = true;
    }
    this.request = Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]);
    this.withSession = withSession;
    this.expired = false;
  }

  /** Sends the request once and resolves when its sample is recorded. Never rejects. */
  call(): Promise<void> {
    const promise = new Promise<void>(this.capture);
    this.pending = true;
    this.first = undefined;
    this.more = undefined;
    this.framer.reset(this.maxBodyBytes);
    const socket = this.socket ?? this.open();
    if (this.timer === undefined) {
      this.timer = setTimeout(this.onDeadline, this.opts.timeoutMs);
      // The socket keeps the process alive while a request waits; the timer need not.
      this.timer.unref();
    } else {
      this.timer.refresh();
    }
    this.startUs = nowUs();
    socket.write(this.request);
    return promise;
  }

  /**
   * Closes the connection. A request still in flight (the user was cut at
   * the stop) resolves unrecorded, as the general client's cut requests do.
   */
  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.drop();
    if (this.pending) {
      this.pending = false;
      const resolve = this.resolve;
      this.resolve = undefined;
      resolve?.();
    }
  }

  private open(): Socket {
    // TLS: the request written before the handshake ends is sent when it does (the first sample includes the handshake, as TCP's connect).
    const socket = this.https
      ? connectTls({ host: this.host, port: this.port, ...(isIP(this.host) ? {} : { servername: this.host }), ...this.opts.tls }).setNoDelay(true)
      : connect({ host: this.host, port: this.port, noDelay: true });
    // Listeners of this socket only: once it is no longer `this.socket`, its events are ignored (one closure set per connection).
    socket.on('data', (chunk: Buffer) => {
      if (socket === this.socket) this.onData(chunk);
    });
    socket.on('error', (err: Error) => {
      if (socket === this.socket) this.fail(classifyNetworkError(err));
    });
    socket.on('close', () => {
      if (socket === this.socket) this.onClose();
    });
    this.socket = socket;
    return socket;
  }

  /** Gives up the current socket: destroyed now, never reused, its later events ignored. */
  private drop(): void {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
  }

  private readonly onDeadline = (): void => {
    if (this.pending) this.fail(this.timeoutError);
  };

  private onData(chunk: Buffer): void {
    if (!this.pending) {
      // Bytes nobody asked for: the server is out of step with us.
      this.drop();
      return;
    }
    this.framer.push(chunk);
  }

  private onClose(): void {
    this.socket = undefined;
    if (!this.pending) return;
    // A body delimited by close is complete now; anything else was cut short.
    if (!this.framer.closed()) this.fail(CLOSED);
  }

  private fail(error: SampleError): void {
    this.framer.stop();
    this.drop();
    if (this.pending) this.finish(this.framer.bodyBytes, error);
  }

  private finish(bytes: number, error: SampleError | undefined): void {
    const us = nowUs() - this.startUs;
    this.pending = false;
    this.first = undefined;
    this.more = undefined;
    this.opts.recorder.record(this.opts.type, this.opts.name, us, bytes, error);
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.();
  }

  /** The framer's sink: a head; read on. */
  onHead(): boolean {
    return true;
  }

  /** The framer's sink: a piece of the body, kept until the reply is whole. */
  onBody(data: Buffer): boolean {
    if (this.first === undefined) this.first = data;
    else (this.more ??= [this.first]).push(data);
    return true;
  }

  /** The framer's sink: the reply is whole; check it. */
  onEnd(extra: boolean): void {
    const framer = this.framer;
    const body = this.more !== undefined ? Buffer.concat(this.more, framer.bodyBytes) : this.first ?? EMPTY;
    const status = framer.status;
    let error: SampleError | undefined;
    if (status === 404 && this.withSession) {
      // The session is gone (expired, or the server restarted): the user opens a new one before its next call.
      this.expired = true;
      error = SESSION_GONE;
    } else {
      error = status < 200 || status > 299 ? httpStatusError(status) : this.check(body, framer.eventStream);
    }
    // Bytes after the reply (the server is out of step with us), a body ended by the close or `Connection: close`: start afresh.
    if (extra || framer.untilClose || framer.connectionClose) this.drop();
    this.finish(body.length, error);
  }

  /** The framer's sink: not HTTP, or past the cap. */
  onFail(failure: FramingFailure): void {
    this.fail(failure === TOO_LARGE ? TOO_LARGE_ERROR : MALFORMED_HTTP);
  }

  /** The JSON-RPC reply: our id, no error, no tool isError. */
  private check(body: Buffer, sse: boolean): SampleError | undefined {
    let text: string;
    if (sse) {
      // A resumable stream (2025-11-25) opens with a priming event whose data is empty: the reply is the first with data.
      text = '';
      for (let at = body.indexOf('data:'); at >= 0 && text === ''; at = body.indexOf('data:', at + 5)) {
        const end = body.indexOf('\n', at);
        text = body.toString('utf8', at + 5, end < 0 ? body.length : end).trim();
      }
      if (text === '') return NO_RESPONSE;
    } else {
      text = body.toString('utf8');
    }
    let message: { id?: unknown; error?: { code?: unknown; message?: unknown }; result?: { isError?: unknown } };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return INVALID_JSON;
    }
    if (message === null || typeof message !== 'object') return INVALID_JSON;
    if (message.id !== this.opts.id) return WRONG_ID;
    if (message.error !== undefined) {
      const code = typeof message.error?.code === 'number' ? String(message.error.code) : 'no code';
      return fixedError('jsonrpc', typeof message.error?.message === 'string' ? `${code} ${shortText(message.error.message)}` : code);
    }
    if (message.result?.isError === true) return fixedError('tool', 'isError');
    return undefined;
  }
}

const EMPTY = Buffer.alloc(0);

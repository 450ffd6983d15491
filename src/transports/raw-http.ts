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
 * Anything else is an error sample, never a crash.
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
  shortText, TOO_LARGE, WRONG_ID,
} from './errors.js';
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

const CRLFCRLF = Buffer.from('\r\n\r\n');
const HTTP_SLASH = Buffer.from('HTTP/');
const CONTENT_LENGTH = Buffer.from('\r\ncontent-length:');
const TRANSFER_CHUNKED = Buffer.from('\r\ntransfer-encoding: chunked');
const EVENT_STREAM = Buffer.from('\r\ncontent-type: text/event-stream');
const CONNECTION_CLOSE = Buffer.from('\r\nconnection: close');
const LAST_CHUNK = Buffer.from('0\r\n\r\n');

// How the body of the reply being read ends: not known yet (or not HTTP), Content-Length, chunked, at close, no body.
const UNKNOWN = 0;
const LENGTH = 1;
const CHUNKED = 2;
const CLOSE = 3;
const EMPTY_BODY = 4;
/** Case-insensitive search of lower-case ASCII `needle` in buf[from, to). */
function findLower(buf: Buffer, needle: Buffer, from: number, to: number): number {
  const last = to - needle.length;
  outer: for (let i = from; i <= last; i++) {
    for (let j = 0; j < needle.length; j++) {
      const c = buf[i + j] as number;
      const lower = c >= 65 && c <= 90 ? c | 0x20 : c;
      if (lower !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

function readDecimal(buf: Buffer, from: number, to: number): number {
  let i = from;
  while (i < to && (buf[i] === 32 || buf[i] === 9)) i++;
  let n = 0;
  let digits = 0;
  for (; i < to; i++) {
    const c = buf[i] as number;
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
    digits++;
  }
  return digits > 0 ? n : -1;
}

export class RawMcpCaller {
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

  // The reply being read: `buf[0, len)` holds it (the first chunk as is, a grown copy once more come).
  private buf: Buffer = EMPTY;
  private len = 0;
  private headEnd = -1;
  private framing = UNKNOWN;
  /** Framing LENGTH: where the body ends. */
  private total = 0;
  /** `buf` is a copy of ours (it may be written into), not a chunk the socket gave. */
  private owned = false;
  /** Bytes already searched for the end of the head (a long head is not searched again from the start). */
  private scanned = 0;

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
    this.buf = EMPTY;
    this.len = 0;
    this.headEnd = -1;
    this.scanned = 0;
    this.framing = UNKNOWN;
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
    this.append(chunk);
    this.tryParse(false);
  }

  private onClose(): void {
    this.socket = undefined;
    if (!this.pending) return;
    // A body delimited by close is complete now; anything else was cut short.
    if (this.framing === CLOSE) this.tryParse(true);
    else this.fail(CLOSED);
  }

  private fail(error: SampleError): void {
    this.drop();
    if (this.pending) this.finish(this.headEnd < 0 ? 0 : Math.max(0, this.len - this.headEnd - 4), error);
  }

  private finish(bytes: number, error: SampleError | undefined): void {
    const us = nowUs() - this.startUs;
    this.pending = false;
    this.buf = EMPTY;
    this.len = 0;
    this.opts.recorder.record(this.opts.type, this.opts.name, us, bytes, error);
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.();
  }

  /** Adds a chunk to the reply: the first one is kept as is, later ones go into a buffer that doubles when full. */
  private append(chunk: Buffer): void {
    if (this.len === 0) {
      this.buf = chunk;
      this.len = chunk.length;
      this.owned = false;
      return;
    }
    const need = this.len + chunk.length;
    if (!this.owned || need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, Math.min(this.buf.length * 2, this.maxBodyBytes + 65536), 4096));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
      this.owned = true;
    }
    chunk.copy(this.buf, this.len);
    this.len = need;
  }

  /** Parses the reply once it is complete; waits for more data otherwise. `closed`: the connection ended (a close-delimited body is whole). */
  private tryParse(closed: boolean): void {
    const buf = this.buf;
    const len = this.len;
    if (this.headEnd < 0) {
      // Not HTTP: say so at once rather than wait for a blank line that may never come.
      for (let i = 0; i < HTTP_SLASH.length && i < len; i++) {
        if (buf[i] !== HTTP_SLASH[i]) {
          this.fail(MALFORMED_HTTP);
          return;
        }
      }
      const headEnd = buf.subarray(0, len).indexOf(CRLFCRLF, Math.max(0, this.scanned - 3));
      if (headEnd < 0) {
        this.scanned = len;
        if (len > this.maxBodyBytes) this.fail(TOO_LARGE);
        return;
      }
      this.headEnd = headEnd;
      this.framing = this.framingOf(buf, headEnd);
      if (this.framing === LENGTH && this.total - headEnd - 4 > this.maxBodyBytes) {
        // Content-Length says past the cap: no need to read it to know.
        this.fail(TOO_LARGE);
        return;
      }
      if (this.framing === UNKNOWN) {
        this.fail(MALFORMED_HTTP);
        return;
      }
    }
    const headEnd = this.headEnd;
    const bodyStart = headEnd + 4;
    if (len - bodyStart > this.maxBodyBytes + (this.framing === CHUNKED ? 65536 : 0)) {
      this.fail(TOO_LARGE);
      return;
    }
    let body: Buffer;
    let total: number;
    switch (this.framing) {
      case LENGTH:
        total = this.total;
        if (len < total) return;
        body = buf.subarray(bodyStart, total);
        break;
      case CHUNKED: {
        // Decoded only once the last chunk may be in: the data ends with "0\r\n\r\n".
        if (len < bodyStart + LAST_CHUNK.length || buf.compare(LAST_CHUNK, 0, LAST_CHUNK.length, len - LAST_CHUNK.length, len) !== 0) return;
        const decoded = decodeChunked(buf.subarray(0, len), bodyStart);
        if (decoded === undefined) return;
        if (decoded === null) {
          this.fail(MALFORMED_HTTP);
          return;
        }
        [body, total] = decoded;
        if (body.length > this.maxBodyBytes) {
          this.fail(TOO_LARGE);
          return;
        }
        break;
      }
      case CLOSE:
        if (!closed) return;
        body = buf.subarray(bodyStart, len);
        total = len;
        break;
      default: // EMPTY_BODY
        body = EMPTY;
        total = bodyStart;
    }
    const status = readDecimal(buf, 9, 12);
    const sse = findLower(buf, EVENT_STREAM, 0, headEnd + 2) >= 0;
    let error: SampleError | undefined;
    if (status === 404 && this.withSession) {
      // The session is gone (expired, or the server restarted): the user opens a new one before its next call.
      this.expired = true;
      error = SESSION_GONE;
    } else {
      error = status < 200 || status > 299 ? httpStatusError(status) : this.check(body, sse);
    }
    // Bytes after the reply (the server is out of step with us) or `Connection: close`: start afresh.
    if (total < len || this.framing === CLOSE || findLower(buf, CONNECTION_CLOSE, 0, headEnd + 2) >= 0) this.drop();
    this.finish(body.length, error);
  }

  /** How the body ends, from the head; LENGTH sets `total`. */
  private framingOf(buf: Buffer, headEnd: number): number {
    const status = readDecimal(buf, 9, 12);
    if (status < 100) return UNKNOWN;
    const lengthAt = findLower(buf, CONTENT_LENGTH, 0, headEnd + 2);
    if (lengthAt >= 0) {
      const length = readDecimal(buf, lengthAt + CONTENT_LENGTH.length, headEnd);
      if (length < 0) return UNKNOWN;
      this.total = headEnd + 4 + length;
      return LENGTH;
    }
    if (findLower(buf, TRANSFER_CHUNKED, 0, headEnd + 2) >= 0) return CHUNKED;
    if (status === 204 || status === 304 || status < 200) return EMPTY_BODY;
    return CLOSE;
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

/** [body, end offset] of a complete chunked body; undefined while incomplete; null when malformed. */
function decodeChunked(buf: Buffer, from: number): [Buffer, number] | undefined | null {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = parseInt(buf.toString('latin1', at, lineEnd), 16);
    if (!Number.isFinite(size) || size < 0) return null;
    if (size === 0) {
      // Last chunk; no trailers expected: "0\r\n\r\n".
      if (buf.length < lineEnd + 4) return undefined;
      return [parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts), lineEnd + 4];
    }
    const dataEnd = lineEnd + 2 + size;
    if (buf.length < dataEnd + 2) return undefined;
    parts.push(buf.subarray(lineEnd + 2, dataEnd));
    at = dataEnd + 2;
  }
}

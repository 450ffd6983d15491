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
 * It speaks just enough HTTP/1.1: Content-Length and chunked bodies, JSON
 * and SSE replies (the first `data:` event), `Connection: close`. Anything
 * else is an error sample, never a crash.
 */
import { connect, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { nowUs, type Recorder, type SampleError } from '../metrics/sample.js';
import { classifyNetworkError, deadlineError, fixedError, httpStatusError, shortText } from './errors.js';
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
  timeoutMs: number;
}

const INVALID_JSON = fixedError('jsonrpc', 'invalid JSON');
const WRONG_ID = fixedError('jsonrpc', 'wrong response id');
const BAD_HTTP = fixedError('http', 'malformed HTTP response');
const NO_RESPONSE = fixedError('jsonrpc', 'no response');
const CLOSED = fixedError('connect', 'connection closed mid-response');

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = Buffer.from('\r\ncontent-length:');
const TRANSFER_CHUNKED = Buffer.from('\r\ntransfer-encoding: chunked');
const EVENT_STREAM = Buffer.from('\r\ncontent-type: text/event-stream');
const CONNECTION_CLOSE = Buffer.from('\r\nconnection: close');

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
  private readonly request: Buffer;
  private readonly host: string;
  private readonly port: number;
  private readonly https: boolean;
  private readonly opts: RawCallOptions;
  private readonly timeoutError: SampleError;
  private socket: Socket | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private startUs = 0;
  private pending = false;
  private resolve: (() => void) | undefined;
  private readonly capture = (resolve: () => void): void => {
    this.resolve = resolve;
  };

  constructor(opts: RawCallOptions) {
    const url = new URL(opts.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('--bench-mode speaks http:// and https:// only');
    this.https = url.protocol === 'https:';
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(url.port || (this.https ? 443 : 80));
    const body = Buffer.from(opts.body);
    let head = `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n`
      + `Accept: application/json, text/event-stream\r\nContent-Length: ${body.length}\r\n`;
    for (const [key, value] of Object.entries(opts.headers)) {
      if (/[\r\n]/.test(key + value)) throw new Error(`header ${key} contains a line break`);
      head += `${key}: ${value}\r\n`;
    }
    this.request = Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]);
    this.opts = opts;
    this.timeoutError = deadlineError(opts.timeoutMs);
  }

  /** Sends the request once and resolves when its sample is recorded. Never rejects. */
  call(): Promise<void> {
    const promise = new Promise<void>(this.capture);
    this.pending = true;
    this.buf = EMPTY;
    const socket = this.socket ?? this.open();
    this.startUs = nowUs();
    socket.write(this.request);
    return promise;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(): Socket {
    // TLS: the request written before the handshake ends is sent when it does (the first sample includes the handshake, as TCP's connect).
    const socket = this.https
      ? connectTls({ host: this.host, port: this.port, ...(isIP(this.host) ? {} : { servername: this.host }), ...this.opts.tls }).setNoDelay(true)
      : connect({ host: this.host, port: this.port, noDelay: true });
    socket.setTimeout(this.opts.timeoutMs);
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('timeout', this.onTimeout);
    socket.on('close', this.onClose);
    this.socket = socket;
    return socket;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (!this.pending) return;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    this.tryParse();
  };

  private readonly onError = (err: Error): void => {
    this.fail(classifyNetworkError(err));
  };

  private readonly onTimeout = (): void => {
    this.fail(this.timeoutError);
  };

  private readonly onClose = (): void => {
    this.socket = undefined;
    this.fail(CLOSED);
  };

  private fail(error: SampleError): void {
    this.socket?.destroy();
    this.socket = undefined;
    if (this.pending) this.finish(0, error);
  }

  private finish(bytes: number, error: SampleError | undefined): void {
    const us = nowUs() - this.startUs;
    this.pending = false;
    this.opts.recorder.record(this.opts.type, this.opts.name, us, bytes, error);
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.();
  }

  /** Parses the reply once it is complete; waits for more data otherwise. */
  private tryParse(): void {
    const buf = this.buf;
    const headEnd = buf.indexOf(CRLFCRLF);
    if (headEnd < 0) return;
    if (buf.length < 12 || buf[0] !== 72 /* H */) {
      this.fail(BAD_HTTP);
      return;
    }
    const status = readDecimal(buf, 9, 12);
    const bodyStart = headEnd + 4;
    let body: Buffer;
    let total: number;
    const lengthAt = findLower(buf, CONTENT_LENGTH, 0, headEnd + 2);
    if (lengthAt >= 0) {
      const length = readDecimal(buf, lengthAt + CONTENT_LENGTH.length, headEnd);
      if (length < 0) {
        this.fail(BAD_HTTP);
        return;
      }
      total = bodyStart + length;
      if (buf.length < total) return;
      body = buf.subarray(bodyStart, total);
    } else if (findLower(buf, TRANSFER_CHUNKED, 0, headEnd + 2) >= 0) {
      const decoded = decodeChunked(buf, bodyStart);
      if (decoded === undefined) return;
      if (decoded === null) {
        this.fail(BAD_HTTP);
        return;
      }
      [body, total] = decoded;
    } else {
      body = buf.subarray(bodyStart);
      total = buf.length;
      if (status !== 204 && status !== 304 && status >= 200) {
        // A body delimited by close: not something a keep-alive benchmark can use.
        this.fail(BAD_HTTP);
        return;
      }
    }
    const closeAfter = findLower(buf, CONNECTION_CLOSE, 0, headEnd + 2) >= 0;
    const sse = findLower(buf, EVENT_STREAM, 0, headEnd + 2) >= 0;
    const error = status < 200 || status > 299 ? httpStatusError(status) : this.check(body, sse);
    if (total < buf.length) {
      // Bytes after the reply: the server is out of step with us; start afresh.
      this.socket?.destroy();
      this.socket = undefined;
    } else if (closeAfter) {
      this.socket?.destroy();
      this.socket = undefined;
    }
    this.buf = EMPTY;
    this.finish(body.length, error);
  }

  /** The JSON-RPC reply: our id, no error, no tool isError. */
  private check(body: Buffer, sse: boolean): SampleError | undefined {
    let text: string;
    if (sse) {
      const at = body.indexOf('data:');
      if (at < 0) return NO_RESPONSE;
      const end = body.indexOf('\n', at);
      text = body.toString('utf8', at + 5, end < 0 ? body.length : end);
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

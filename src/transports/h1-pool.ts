/**
 * The general client's POSTs to a plain http:// origin, on keep-alive
 * HTTP/1.1 sockets of our own: the lean path that `--bench-mode` proves
 * (raw-http.ts), made general. Any headers, any body; a JSON reply is
 * gathered as it comes, and an event-stream reply is handed to the SSE
 * reader as a stream at once (chunked bodies decoded on the way), the socket
 * going back to the pool when that stream ends.
 *
 * Why not undici here: measured with `npm run bench` (nginx, 50 users), its
 * request object, header validation, parser callbacks and writev cost the
 * general client about half of its CPU per call. HTTPS stays on undici
 * (http-pool.ts): the TLS options live there and TLS costs dwarf the rest.
 *
 * As undici's Agent (http-pool.ts says why): shared by every user, no cap on
 * connections, one request per socket at a time (no pipelining), idle
 * sockets kept 4 s or as the server's `Keep-Alive: timeout=` hint says, less
 * 2 s, and never keeping the process alive (the request's deadline timer
 * does that while one is in flight). Failures carry the codes undici would
 * give, so errors.ts names them the same: UND_ERR_SOCKET for a connection
 * closed before the reply was whole, HPE_* for bytes that are not HTTP.
 */
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { nowUs } from '../metrics/sample.js';
import type { LeanPost, LeanReply } from './post-reply.js';
import type { BodyRead } from './read-body.js';

class CodedError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

// Shared: a failing target produces them thousands of times a second.
const SOCKET_CLOSED = new CodedError('UND_ERR_SOCKET', 'connection closed before the whole reply');
const NOT_HTTP = new CodedError('HPE_INVALID_CONSTANT', 'reply is not HTTP/1.x');
const ABORTED = new CodedError('UND_ERR_ABORTED', 'request aborted');
const CONNECT_TIMEOUT = new CodedError('UND_ERR_CONNECT_TIMEOUT', 'connect timeout');
const BAD_HEADER = new CodedError('UND_ERR_INVALID_ARG', 'invalid request header');

const DEFAULT_KEEP_ALIVE_MS = 4000;
const KEEP_ALIVE_MARGIN_MS = 2000;
const MAX_KEEP_ALIVE_MS = 600_000;
/** A head longer than this is not a reply we can use. */
const MAX_HEAD_BYTES = 64 * 1024;

const CRLFCRLF = Buffer.from('\r\n\r\n');
const HTTP_SLASH = Buffer.from('HTTP/');

// Reading state of a connection.
const HEAD = 0;
const LENGTH = 1;
const CHUNKED = 2;
const UNTIL_CLOSE = 3;
// Inside a chunked body.
const CHUNK_SIZE = 0;
const CHUNK_EXTENSION = 1;
const CHUNK_DATA = 2;
const CHUNK_DATA_END = 3;
const TRAILER = 4;

/** One socket; one request at a time. */
class H1Connection {
  readonly socket: Socket;
  /** Closed, or given up on: never reused. */
  dead = false;
  idleSince = 0;
  keepAliveMs = DEFAULT_KEEP_ALIVE_MS;

  private busy = false;
  private request: LeanPost | undefined;
  private resolve: ((reply: LeanReply) => void) | undefined;
  private reject: ((err: Error) => void) | undefined;
  private state = HEAD;
  private pendingHead: Buffer | undefined;
  private statusCode = 0;
  /** The reply's head in lower case (where the pool finds what it needs), and as sent (for the caller's headers). */
  private lowerHead = '';
  private head = '';
  private firstByteAt = 0;
  private reusable = true;
  /** LENGTH: body bytes still to come; CHUNKED: bytes left in the current chunk. */
  private remaining = 0;
  private chunkState = CHUNK_SIZE;
  private chunkSize = 0;
  /** TRAILER: characters on the current trailer line. */
  private lineLength = 0;
  private stream: Readable | undefined;
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;
  private bytes = 0;

  /** Callbacks made once per connection, not per request. */
  private readonly onAbort = (): void => this.fail(ABORTED);
  readonly capture = (resolve: (reply: LeanReply) => void, reject: (err: Error) => void): void => {
    this.resolve = resolve;
    this.reject = reject;
  };

  constructor(private readonly pool: H1Pool, host: string, port: number, connectTimeoutMs: number) {
    const socket = connect({ host, port, noDelay: true });
    this.socket = socket;
    // In-flight requests keep the process alive through their deadline timer; an idle socket must not.
    socket.unref();
    socket.setTimeout(connectTimeoutMs);
    socket.once('connect', () => socket.setTimeout(0));
    socket.on('timeout', () => this.fail(CONNECT_TIMEOUT));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: Error) => this.fail(err));
    socket.on('close', () => this.onClose());
  }

  send(request: LeanPost, text: string): void {
    this.busy = true;
    this.request = request;
    this.state = HEAD;
    this.reusable = true;
    this.bytes = 0;
    if (request.signal.aborted) {
      this.fail(ABORTED);
      return;
    }
    request.signal.onAbort = this.onAbort;
    this.socket.write(text);
  }

  private onData(chunk: Buffer): void {
    if (!this.busy) {
      // Bytes nobody asked for: the server is out of step with us.
      this.kill();
      return;
    }
    let at = 0;
    if (this.state === HEAD) {
      at = this.readHead(chunk);
      if (at < 0) return;
    }
    if (at < chunk.length) this.readBody(chunk, at);
    else if (this.state === LENGTH && this.remaining === 0) this.complete();
  }

  /** Reads the head; returns where the body starts in `chunk`, or -1 while the head is incomplete (or failed). */
  private readHead(chunk: Buffer): number {
    let buf = chunk;
    let offset = 0;
    if (this.pendingHead !== undefined) {
      offset = this.pendingHead.length;
      buf = Buffer.concat([this.pendingHead, chunk]);
      this.pendingHead = undefined;
    }
    for (let i = 0; i < HTTP_SLASH.length && i < buf.length; i++) {
      if (buf[i] !== HTTP_SLASH[i]) {
        this.fail(NOT_HTTP);
        return -1;
      }
    }
    const end = buf.indexOf(CRLFCRLF, Math.max(0, offset - 3));
    if (end < 0) {
      if (buf.length > MAX_HEAD_BYTES) this.fail(NOT_HTTP);
      else this.pendingHead = buf;
      return -1;
    }
    const head = buf.toString('latin1', 0, end);
    const status = statusOf(head);
    if (status < 0) {
      this.fail(NOT_HTTP);
      return -1;
    }
    const bodyAt = end + 4 - offset;
    if (status < 200 && status !== 101) {
      // An interim reply (100 Continue, 103 Early Hints): the real one follows.
      const rest = chunk.subarray(bodyAt);
      const at = rest.length > 0 ? this.readHead(rest) : -1;
      return at < 0 ? -1 : at + bodyAt;
    }
    // HTTP/1.0 closes after the reply.
    if (buf[7] === 48 /* 0 */) this.reusable = false;
    this.statusCode = status;
    this.head = head;
    this.lowerHead = head.toLowerCase();
    this.firstByteAt = nowUs();
    return this.startBody(bodyAt);
  }

  /** Sets how the body is framed and whether the socket may serve again; hands an event stream over. */
  private startBody(bodyAt: number): number {
    const lower = this.lowerHead;
    const request = this.request as LeanPost;
    const connection = headerValue(lower, CONNECTION);
    if (connection !== undefined && connection.includes('close')) this.reusable = false;
    const hint = headerValue(lower, KEEP_ALIVE);
    if (hint !== undefined) this.keepAliveFrom(hint);
    const length = headerValue(lower, CONTENT_LENGTH);
    const encoding = headerValue(lower, TRANSFER_ENCODING);
    if (encoding !== undefined && encoding.endsWith('chunked')) {
      this.state = CHUNKED;
      this.chunkState = CHUNK_SIZE;
      this.chunkSize = 0;
    } else if (length !== undefined) {
      const n = Number(length);
      if (!Number.isSafeInteger(n) || n < 0) {
        this.fail(NOT_HTTP);
        return -1;
      }
      this.state = LENGTH;
      this.remaining = n;
    } else if (this.statusCode === 204 || this.statusCode === 304) {
      this.state = LENGTH;
      this.remaining = 0;
    } else {
      this.state = UNTIL_CLOSE;
      this.reusable = false;
    }
    const contentType = headerValue(lower, CONTENT_TYPE);
    if (contentType !== undefined && contentType.startsWith('text/event-stream')) {
      // The reader pulls at its own pace: a full stream pauses the socket until read() asks again.
      // Both callbacks act only while this stream is the connection's current one (the socket may serve others later).
      const stream: Readable = new Readable({
        read: () => {
          if (this.stream === stream) this.socket.resume();
        },
        destroy: (err, done) => {
          // The reader gave up on the stream before its end: the socket goes with it.
          if (this.stream === stream) this.giveUp();
          done(err);
        },
      });
      this.stream = stream;
      this.settle(this.reply(undefined, stream));
    } else if (this.state === LENGTH && this.remaining > request.maxBodyBytes) {
      // Content-Length says past the cap: no need to read it to know.
      this.tooLarge();
      return -1;
    }
    return bodyAt;
  }

  private keepAliveFrom(hint: string): void {
    const match = /timeout=(\d+)/i.exec(hint);
    if (match === null) return;
    const ms = Number(match[1]) * 1000 - KEEP_ALIVE_MARGIN_MS;
    if (ms <= 0) this.reusable = false;
    else this.keepAliveMs = Math.min(ms, MAX_KEEP_ALIVE_MS);
  }

  private readBody(chunk: Buffer, from: number): void {
    switch (this.state) {
      case LENGTH: {
        const end = Math.min(chunk.length, from + this.remaining);
        this.remaining -= end - from;
        // Bytes past the reply: the server is out of step; this socket serves no more.
        if (end < chunk.length) this.reusable = false;
        if (end > from && !this.deliver(from === 0 && end === chunk.length ? chunk : chunk.subarray(from, end))) return;
        if (this.remaining === 0) this.complete();
        return;
      }
      case CHUNKED:
        this.readChunked(chunk, from);
        return;
      case UNTIL_CLOSE:
        this.deliver(from === 0 ? chunk : chunk.subarray(from));
        return;
      default: // a reply already given up on (too large): the socket is on its way out
    }
  }

  /** Decodes chunked framing as bytes come, delivering the data parts. */
  private readChunked(chunk: Buffer, from: number): void {
    let i = from;
    const n = chunk.length;
    while (i < n) {
      switch (this.chunkState) {
        case CHUNK_SIZE: {
          const c = chunk[i++] as number;
          const digit = c >= 48 && c <= 57 ? c - 48 : (c | 0x20) >= 97 && (c | 0x20) <= 102 ? (c | 0x20) - 87 : -1;
          if (digit >= 0) {
            this.chunkSize = this.chunkSize * 16 + digit;
            if (this.chunkSize > Number.MAX_SAFE_INTEGER / 16) return this.fail(NOT_HTTP);
          } else if (c === 10) this.endOfSize();
          else if (c === 59 /* ; */ || c === 13 || c === 32 || c === 9) this.chunkState = CHUNK_EXTENSION;
          else return this.fail(NOT_HTTP);
          break;
        }
        case CHUNK_EXTENSION: {
          const lf = chunk.indexOf(10, i);
          if (lf < 0) return;
          i = lf + 1;
          this.endOfSize();
          break;
        }
        case CHUNK_DATA: {
          const end = Math.min(n, i + this.remaining);
          this.remaining -= end - i;
          if (!this.deliver(chunk.subarray(i, end))) return;
          i = end;
          if (this.remaining === 0) this.chunkState = CHUNK_DATA_END;
          break;
        }
        case CHUNK_DATA_END: {
          // The CRLF after a chunk's data.
          const c = chunk[i++];
          if (c === 10) this.chunkState = CHUNK_SIZE;
          else if (c !== 13) return this.fail(NOT_HTTP);
          break;
        }
        default: { // TRAILER: lines until an empty one
          const c = chunk[i++];
          if (c === 10) {
            if (this.lineLength === 0) {
              if (i < n) this.reusable = false;
              this.complete();
              return;
            }
            this.lineLength = 0;
          } else if (c !== 13) this.lineLength++;
        }
      }
    }
  }

  private endOfSize(): void {
    if (this.chunkSize === 0) {
      this.chunkState = TRAILER;
      this.lineLength = 0;
    } else {
      this.chunkState = CHUNK_DATA;
      this.remaining = this.chunkSize;
      this.chunkSize = 0;
    }
  }

  /** One piece of the body: into the stream, or gathered up to the cap. False when the reply was given up on. */
  private deliver(data: Buffer): boolean {
    if (this.stream !== undefined) {
      if (!this.stream.push(data)) this.socket.pause();
      return true;
    }
    this.bytes += data.length;
    if (this.bytes > (this.request as LeanPost).maxBodyBytes) {
      this.tooLarge();
      return false;
    }
    // Most replies arrive in one piece: keep it as is, concatenate only when needed.
    if (this.first === undefined) this.first = data;
    else (this.more ??= [this.first]).push(data);
    return true;
  }

  private tooLarge(): void {
    const reply = this.reply({ data: undefined, bytes: this.bytes, tooLarge: true }, undefined);
    this.giveUp();
    this.settle(reply);
  }

  /** The reply is whole. */
  private complete(): void {
    const stream = this.stream;
    let reply: LeanReply | undefined;
    if (stream === undefined) {
      const data = this.more !== undefined ? Buffer.concat(this.more, this.bytes) : this.first;
      reply = this.reply({ data, bytes: this.bytes, tooLarge: false }, undefined);
    }
    this.endRequest();
    if (this.reusable && !this.dead) {
      // A stream's reader may have paused the socket; the next request needs it flowing.
      if (stream !== undefined) this.socket.resume();
      this.pool.release(this);
    } else {
      this.kill();
    }
    if (stream !== undefined) stream.push(null);
    else this.settle(reply as LeanReply);
  }

  private onClose(): void {
    this.dead = true;
    this.pool.forget(this);
    if (!this.busy) return;
    // A body delimited by the close is whole now; anything else was cut short.
    if (this.state === UNTIL_CLOSE) this.complete();
    else this.fail(SOCKET_CLOSED);
  }

  /** The request failed: the socket goes, the caller (or the stream's reader) gets `err`. */
  private fail(err: Error): void {
    if (!this.busy) {
      this.kill();
      return;
    }
    const stream = this.stream;
    const reject = this.reject;
    this.giveUp();
    if (stream !== undefined) stream.destroy(err);
    else reject?.(err);
  }

  /** Ends the request without a reply to give: the socket is destroyed, never reused. */
  private giveUp(): void {
    this.endRequest();
    this.kill();
  }

  private endRequest(): void {
    this.busy = false;
    const signal = this.request?.signal;
    if (signal?.onAbort === this.onAbort) signal.onAbort = undefined;
    this.request = undefined;
    this.stream = undefined;
    this.first = undefined;
    this.more = undefined;
    this.pendingHead = undefined;
    this.state = HEAD;
  }

  private reply(body: BodyRead | undefined, stream: Readable | undefined): LeanReply {
    return new H1Reply(this.statusCode, this.firstByteAt, this.head, body, stream) as LeanReply;
  }

  private settle(reply: LeanReply): void {
    const resolve = this.resolve;
    this.resolve = undefined;
    this.reject = undefined;
    resolve?.(reply);
  }

  kill(): void {
    this.dead = true;
    this.socket.destroy();
  }
}

/** The status of a reply head (latin1), or -1 when it is not HTTP/1.x. */
function statusOf(head: string): number {
  if (!head.startsWith('HTTP/1.')) return -1;
  const status = Number(head.slice(9, 12));
  if (!(status >= 100 && status <= 999) || (head.length > 12 && head.charCodeAt(12) !== 32)) return -1;
  return status;
}

const CONNECTION = '\r\nconnection:';
const KEEP_ALIVE = '\r\nkeep-alive:';
const CONTENT_LENGTH = '\r\ncontent-length:';
const TRANSFER_ENCODING = '\r\ntransfer-encoding:';
const CONTENT_TYPE = '\r\ncontent-type:';

/** The value of the first header `marker` names, in a lower-cased head. */
function headerValue(lowerHead: string, marker: string): string | undefined {
  const at = lowerHead.indexOf(marker);
  if (at < 0) return undefined;
  const from = at + marker.length;
  const end = lowerHead.indexOf('\r\n', from);
  return lowerHead.slice(from, end < 0 ? undefined : end).trim();
}

/** Every header of a head: names lower-cased, repeated ones as a list (as undici gives them). */
function parseHeaders(head: string): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (let at = head.indexOf('\r\n'); at >= 0;) {
    const next = head.indexOf('\r\n', at + 2);
    const line = next < 0 ? head.slice(at + 2) : head.slice(at + 2, next);
    const colon = line.indexOf(':');
    if (colon > 0) {
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      const had = headers[name];
      if (had === undefined) headers[name] = value;
      else if (Array.isArray(had)) had.push(value);
      else headers[name] = [had, value];
    }
    at = next;
  }
  return headers;
}

/** A reply as the client gets it; its headers are parsed only if it asks for them (most replies need none). */
class H1Reply {
  private parsed: Record<string, string | string[]> | undefined = undefined;

  constructor(
    readonly statusCode: number,
    readonly firstByteAt: number,
    private readonly head: string,
    readonly body: BodyRead | undefined,
    readonly stream: Readable | undefined,
  ) {}

  get headers(): Record<string, string | string[]> {
    this.parsed ??= parseHeaders(this.head);
    return this.parsed;
  }
}

/** The idle connections to one origin. */
class H1Pool {
  private readonly idle: H1Connection[] = [];
  private readonly host: string;
  private readonly port: number;
  private readonly hostHeader: string;
  /**
   * The request head up to the Content-Length value, per headers object a
   * client sends (a client rebuilds the object only when it changes, and
   * posts to one path).
   */
  private readonly heads = new WeakMap<Record<string, string>, { path: string; head: string }>();

  constructor(origin: string, private readonly connectTimeoutMs: number) {
    const url = new URL(origin);
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(url.port || 80);
    this.hostHeader = url.host;
  }

  post(request: LeanPost): Promise<LeanReply> {
    const head = this.headOf(request.path, request.headers);
    if (head === undefined) return Promise.reject(BAD_HEADER);
    const text = `${head}${Buffer.byteLength(request.body)}\r\n\r\n${request.body}`;
    const connection = this.take();
    const reply = new Promise<LeanReply>(connection.capture);
    connection.send(request, text);
    return reply;
  }

  release(connection: H1Connection): void {
    connection.idleSince = performance.now();
    this.idle.push(connection);
  }

  forget(connection: H1Connection): void {
    const at = this.idle.indexOf(connection);
    if (at >= 0) this.idle.splice(at, 1);
  }

  close(): void {
    for (const connection of this.idle.splice(0)) connection.kill();
  }

  /** The most recently used live idle socket, else a new one. */
  private take(): H1Connection {
    const now = performance.now();
    for (let connection = this.idle.pop(); connection !== undefined; connection = this.idle.pop()) {
      if (!connection.dead && now - connection.idleSince < connection.keepAliveMs) return connection;
      connection.kill();
    }
    return new H1Connection(this, this.host, this.port, this.connectTimeoutMs);
  }

  private headOf(path: string, headers: Record<string, string>): string | undefined {
    const known = this.heads.get(headers);
    if (known !== undefined && known.path === path) return known.head;
    let lines = headers.host === undefined ? `host: ${this.hostHeader}\r\n` : '';
    for (const key in headers) {
      const value = headers[key] as string;
      if (/[\r\n:]/.test(key) || /[\r\n]/.test(value) || key.length === 0) return undefined;
      if (key.toLowerCase() === 'content-length') continue;
      lines += `${key}: ${value}\r\n`;
    }
    const head = `POST ${path} HTTP/1.1\r\n${lines}content-length: `;
    this.heads.set(headers, { path, head });
    return head;
  }
}

/** The pools of one dispatcher, one per plain http:// origin. */
export class H1Pools {
  private readonly pools = new Map<string, H1Pool>();
  private closed = false;

  constructor(private readonly connectTimeoutMs: number) {}

  /** POSTs over the pool of `request.origin` (an http:// origin). */
  post(request: LeanPost): Promise<LeanReply> {
    let pool = this.pools.get(request.origin);
    if (pool === undefined) {
      if (this.closed) return Promise.reject(new CodedError('UND_ERR_CLOSED', 'pool closed'));
      this.pools.set(request.origin, pool = new H1Pool(request.origin, this.connectTimeoutMs));
    }
    return pool.post(request);
  }

  /** Closes the idle sockets; busy ones end with their requests (their deadlines bound them). */
  close(): void {
    this.closed = true;
    for (const pool of this.pools.values()) pool.close();
  }
}

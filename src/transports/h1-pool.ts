/**
 * The general client's POSTs to a plain http:// origin, on keep-alive
 * HTTP/1.1 sockets of our own: the lean path that `--bench-mode` proves
 * (raw-http.ts), made general. Any headers, any body; a JSON reply is
 * gathered as it comes, and an event-stream reply is handed to the SSE
 * reader as a stream at once (chunked bodies decoded on the way), the socket
 * going back to the pool when that stream ends. Replies are framed by
 * h1-reply-framing.ts (as `--bench-mode`'s); this file keeps pooling,
 * keep-alive and the streams.
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
import { H1ReplyFramer, TOO_LARGE, type FramingFailure, type ReplySink } from './h1-reply-framing.js';

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

/** One socket; one request at a time. */
class H1Connection implements ReplySink {
  readonly socket: Socket;
  /** Closed, or given up on: never reused. */
  dead = false;
  idleSince = 0;
  keepAliveMs = DEFAULT_KEEP_ALIVE_MS;

  private busy = false;
  private request: LeanPost | undefined;
  private resolve: ((reply: LeanReply) => void) | undefined;
  private reject: ((err: Error) => void) | undefined;
  /** Frames this socket's replies: head, body delimiting, cap. */
  private readonly framer = new H1ReplyFramer(this, 0);
  private firstByteAt = 0;
  private reusable = true;
  private stream: Readable | undefined;
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;

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
    this.reusable = true;
    this.framer.reset(request.maxBodyBytes);
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
    this.framer.push(chunk);
  }

  /** The framer's sink: the head is whole. Sets whether the socket may serve again; hands an event stream over. */
  onHead(framer: H1ReplyFramer): boolean {
    this.firstByteAt = nowUs();
    // HTTP/1.0 closes after the reply, as does a body delimited by the close.
    if (framer.http10 || framer.connectionClose || framer.untilClose) this.reusable = false;
    if (framer.keepAliveSeconds >= 0) this.keepAliveFrom(framer.keepAliveSeconds);
    if (framer.eventStream) {
      // A stream is not gathered: no cap on it (the reader's deadline bounds it).
      framer.maxBodyBytes = Infinity;
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
    }
    return true;
  }

  private keepAliveFrom(seconds: number): void {
    const ms = seconds * 1000 - KEEP_ALIVE_MARGIN_MS;
    if (ms <= 0) this.reusable = false;
    else this.keepAliveMs = Math.min(ms, MAX_KEEP_ALIVE_MS);
  }

  /** The framer's sink: one piece of the body, into the stream or gathered (the framer keeps the cap). */
  onBody(data: Buffer): boolean {
    if (this.stream !== undefined) {
      if (!this.stream.push(data)) this.socket.pause();
    } else if (this.first === undefined) {
      // Most replies arrive in one piece: keep it as is, concatenate only when needed.
      this.first = data;
    } else {
      (this.more ??= [this.first]).push(data);
    }
    // The reply may have been given up on meanwhile.
    return this.busy;
  }

  /** The framer's sink: the reply is whole; bytes past it mean the server is out of step, and this socket serves no more. */
  onEnd(extra: boolean): void {
    if (extra) this.reusable = false;
    this.complete();
  }

  /** The framer's sink: not HTTP, or past the cap. */
  onFail(failure: FramingFailure): void {
    if (failure === TOO_LARGE) this.tooLarge();
    else this.fail(NOT_HTTP);
  }

  private tooLarge(): void {
    const reply = this.reply({ data: undefined, bytes: this.framer.bodyBytes, tooLarge: true }, undefined);
    this.giveUp();
    this.settle(reply);
  }

  /** The reply is whole. */
  private complete(): void {
    const stream = this.stream;
    let reply: LeanReply | undefined;
    if (stream === undefined) {
      const bytes = this.framer.bodyBytes;
      const data = this.more !== undefined ? Buffer.concat(this.more, bytes) : this.first;
      reply = this.reply({ data, bytes, tooLarge: false }, undefined);
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
    if (!this.framer.closed()) this.fail(SOCKET_CLOSED);
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
    this.framer.stop();
  }

  private reply(body: BodyRead | undefined, stream: Readable | undefined): LeanReply {
    const framer = this.framer;
    return new H1Reply(framer.status, this.firstByteAt, framer.head, framer.headEnd, body, stream) as LeanReply;
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
    private readonly head: Buffer,
    private readonly headEnd: number,
    readonly body: BodyRead | undefined,
    readonly stream: Readable | undefined,
  ) {}

  get headers(): Record<string, string | string[]> {
    this.parsed ??= parseHeaders(this.head.toString('latin1', 0, this.headEnd));
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

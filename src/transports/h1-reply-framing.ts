/**
 * HTTP/1.1 reply framing, shared by both lean clients: `--bench-mode`'s
 * RawMcpCaller (raw-http.ts) and the general client's pool (h1-pool.ts).
 * It finds the head (status line, end of head, "not HTTP" at the first
 * wrong byte), skips interim 1xx replies, chooses the framing (chunked,
 * Content-Length, no body, until close), delimits the body as bytes come and
 * caps it. What the reply means (JSON-RPC, SSE, keep-alive, pooling) is the
 * caller's.
 *
 * Hot path: the head is read on bytes, in one pass over its lines, and only
 * the headers framing and the callers need are looked at (no header strings);
 * body pieces are views into the socket's chunks, and the sink's callbacks
 * are methods of one object per connection (no closures per reply).
 */

/** Why a reply failed: its bytes are not HTTP/1.x, or its body is past the cap. */
export const NOT_HTTP = 1;
export const TOO_LARGE = 2;
export type FramingFailure = typeof NOT_HTTP | typeof TOO_LARGE;

/** What the framer tells its owner, for the reply being read. */
export interface ReplySink {
  /** The head is whole (the framer's status and header fields are set); false: stop, the reply was given up on. */
  onHead(framer: H1ReplyFramer): boolean;
  /** A piece of the body (a view into the chunk, decoded from chunked); false: stop. */
  onBody(data: Buffer): boolean;
  /** The reply is whole; `extra`: bytes that came after it in the same chunk. */
  onEnd(extra: boolean): void;
  onFail(failure: FramingFailure): void;
}

/** A head longer than this is not a reply we can use. */
export const MAX_HEAD_BYTES = 64 * 1024;

// Reading state.
const HEAD = 0;
const LENGTH = 1;
const CHUNKED = 2;
const UNTIL_CLOSE = 3;
/** The reply ended, failed or was given up on: bytes are not read until `reset`. */
const DONE = 4;
// Inside a chunked body.
const CHUNK_SIZE = 0;
const CHUNK_EXTENSION = 1;
const CHUNK_DATA = 2;
const CHUNK_DATA_END = 3;
const TRAILER = 4;

const CRLFCRLF = Buffer.from('\r\n\r\n');
const HTTP_1 = Buffer.from('HTTP/1.');
const CONTENT_LENGTH = Buffer.from('content-length');
const TRANSFER_ENCODING = Buffer.from('transfer-encoding');
const CONTENT_TYPE = Buffer.from('content-type');
const CONNECTION = Buffer.from('connection');
const KEEP_ALIVE = Buffer.from('keep-alive');
const CHUNKED_VALUE = Buffer.from('chunked');
const EVENT_STREAM = Buffer.from('text/event-stream');
const CLOSE_VALUE = Buffer.from('close');
const TIMEOUT_IS = Buffer.from('timeout=');

/** Whether buf[at, at + lower.length) is `lower` (lower-case ASCII), case-insensitively. */
function matchesLower(buf: Buffer, at: number, lower: Buffer): boolean {
  if (at < 0 || at + lower.length > buf.length) return false;
  for (let j = 0; j < lower.length; j++) {
    const c = buf[at + j] as number;
    if ((c >= 65 && c <= 90 ? c | 0x20 : c) !== lower[j]) return false;
  }
  return true;
}

/** Where `lower` first occurs in buf[from, to), case-insensitively; -1 if nowhere. */
function findLower(buf: Buffer, lower: Buffer, from: number, to: number): number {
  for (let i = from; i <= to - lower.length; i++) if (matchesLower(buf, i, lower)) return i;
  return -1;
}

/** The decimal number at buf[from, to) (digits only), or -1. */
function decimalAt(buf: Buffer, from: number, to: number): number {
  if (from >= to) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = buf[i] as number;
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return Number.isSafeInteger(n) ? n : -1;
}

/** Reads one HTTP/1.x reply after another from a connection's chunks; one object per connection. */
export class H1ReplyFramer {
  /** Cap on the body (decoded); the owner may raise it in `onHead` (a streamed reply is not gathered). */
  maxBodyBytes: number;

  // The head of the reply, once `onHead` is called.
  status = 0;
  /** The head's bytes ([0, headEnd) of `head`, without the blank line): a view, valid until the next reply. */
  head: Buffer = EMPTY;
  headEnd = 0;
  /** An HTTP/1.0 reply: the server closes after it unless it says otherwise. */
  http10 = false;
  /** Content-Length, or -1 when there is none. */
  contentLength = -1;
  chunked = false;
  eventStream = false;
  connectionClose = false;
  /** `Keep-Alive: timeout=` in seconds, or -1 when there is none. */
  keepAliveSeconds = -1;
  /** The body ends with the connection (neither chunked nor Content-Length): the socket serves no more. */
  untilClose = false;
  /** Body bytes read so far (decoded). */
  bodyBytes = 0;

  private state = HEAD;
  private pendingHead: Buffer | undefined;
  /** LENGTH: body bytes still to come; CHUNKED: bytes left in the current chunk. */
  private remaining = 0;
  private chunkState = CHUNK_SIZE;
  private chunkSize = 0;
  /** TRAILER: characters on the current trailer line. */
  private lineLength = 0;

  constructor(private readonly sink: ReplySink, maxBodyBytes: number) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Whether a reply is being read (its head has begun or not): false once it ended, failed or was given up on. */
  get reading(): boolean {
    return this.state !== DONE;
  }

  /** Starts on the next reply, with this cap. */
  reset(maxBodyBytes: number): void {
    this.state = HEAD;
    this.pendingHead = undefined;
    this.maxBodyBytes = maxBodyBytes;
    this.bodyBytes = 0;
    this.head = EMPTY;
  }

  /** Stops reading the current reply (the owner gave up on it). */
  stop(): void {
    this.state = DONE;
    this.pendingHead = undefined;
  }

  /** Reads a chunk of the connection; returns where the current reply ended in it (chunk.length if it did not, or failed). */
  push(chunk: Buffer): number {
    let at = 0;
    if (this.state === HEAD) {
      at = this.readHead(chunk);
      if (at < 0) return chunk.length;
    }
    switch (this.state) {
      case LENGTH: {
        const end = Math.min(chunk.length, at + this.remaining);
        this.remaining -= end - at;
        if (end > at && !this.deliver(at === 0 && end === chunk.length ? chunk : chunk.subarray(at, end))) return chunk.length;
        if (this.remaining === 0) this.end(end < chunk.length);
        return end;
      }
      case CHUNKED:
        return this.readChunked(chunk, at);
      case UNTIL_CLOSE:
        if (at < chunk.length) this.deliver(at === 0 ? chunk : chunk.subarray(at));
        return chunk.length;
      default: // DONE: a reply given up on, or a failed one
        return chunk.length;
    }
  }

  /** The connection closed: true if that ended the reply (a body delimited by the close), false if it cut it short. */
  closed(): boolean {
    if (this.state !== UNTIL_CLOSE) return false;
    this.end(false);
    return true;
  }

  private end(extra: boolean): void {
    this.state = DONE;
    this.sink.onEnd(extra);
  }

  private fail(failure: FramingFailure): void {
    this.state = DONE;
    this.pendingHead = undefined;
    this.sink.onFail(failure);
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
    // Not HTTP: say so at the first wrong byte rather than wait for a blank line that may never come.
    for (let i = offset; i < HTTP_1.length && i < buf.length; i++) {
      if (buf[i] !== HTTP_1[i]) {
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
    const status = end >= 12 && (end === 12 || buf[12] === 32) && buf[8] === 32 ? decimalAt(buf, 9, 12) : -1;
    if (status < 100) {
      this.fail(NOT_HTTP);
      return -1;
    }
    const bodyAt = end + 4 - offset;
    if (status < 200 && status !== 101) {
      // An interim reply (100 Continue, 103 Early Hints): the real one follows.
      if (bodyAt >= chunk.length) return -1;
      const at = this.readHead(chunk.subarray(bodyAt));
      return at < 0 ? -1 : at + bodyAt;
    }
    this.status = status;
    this.head = buf;
    this.headEnd = end;
    this.http10 = buf[7] === 48;
    if (!this.readHeaders(buf, end)) {
      this.fail(NOT_HTTP);
      return -1;
    }
    if (this.chunked) {
      this.state = CHUNKED;
      this.chunkState = CHUNK_SIZE;
      this.chunkSize = 0;
    } else if (this.contentLength >= 0 || status === 204 || status === 304) {
      this.state = LENGTH;
      this.remaining = this.contentLength >= 0 ? this.contentLength : 0;
    } else {
      this.state = UNTIL_CLOSE;
    }
    this.untilClose = this.state === UNTIL_CLOSE;
    if (!this.sink.onHead(this)) {
      this.state = DONE;
      return -1;
    }
    if (this.state === LENGTH && this.remaining > this.maxBodyBytes) {
      // Content-Length says past the cap: no need to read it to know.
      this.fail(TOO_LARGE);
      return -1;
    }
    return bodyAt;
  }

  /** The headers framing and the owners need, from the head's lines (the first of each counts); false if malformed. */
  private readHeaders(buf: Buffer, end: number): boolean {
    this.contentLength = -1;
    this.chunked = false;
    this.eventStream = false;
    this.connectionClose = false;
    this.keepAliveSeconds = -1;
    let seen = 0;
    // One pass over the head's bytes (no native call per line): a line whose first letter may begin a header we need is looked at.
    for (let i = 0; i < end; i++) {
      if (buf[i] !== 10) continue;
      const line = i + 1;
      const c = (buf[line] as number) | 0x20;
      if (c !== 99 /* c */ && c !== 116 /* t */ && c !== 107 /* k */) continue;
      let colon = line;
      while (colon < end && buf[colon] !== 58 && buf[colon] !== 10) colon++;
      if (buf[colon] !== 58) continue;
      let from = colon + 1;
      let to = from;
      while (to < end && buf[to] !== 10) to++;
      i = to - 1;
      while (from < to && (buf[from] === 32 || buf[from] === 9)) from++;
      while (to > from && (buf[to - 1] === 13 || buf[to - 1] === 32 || buf[to - 1] === 9)) to--;
      switch (colon - line) {
        case 14:
          if ((seen & 1) === 0 && matchesLower(buf, line, CONTENT_LENGTH)) {
            seen |= 1;
            this.contentLength = decimalAt(buf, from, to);
            if (this.contentLength < 0) return false;
          }
          break;
        case 17:
          if ((seen & 2) === 0 && matchesLower(buf, line, TRANSFER_ENCODING)) {
            seen |= 2;
            this.chunked = to - from >= CHUNKED_VALUE.length && matchesLower(buf, to - CHUNKED_VALUE.length, CHUNKED_VALUE);
          }
          break;
        case 12:
          if ((seen & 4) === 0 && matchesLower(buf, line, CONTENT_TYPE)) {
            seen |= 4;
            this.eventStream = to - from >= EVENT_STREAM.length && matchesLower(buf, from, EVENT_STREAM);
          }
          break;
        case 10:
          if ((seen & 8) === 0 && matchesLower(buf, line, CONNECTION)) {
            seen |= 8;
            this.connectionClose = findLower(buf, CLOSE_VALUE, from, to) >= 0;
          } else if ((seen & 16) === 0 && matchesLower(buf, line, KEEP_ALIVE)) {
            seen |= 16;
            const at = findLower(buf, TIMEOUT_IS, from, to);
            if (at >= 0) {
              let digitsEnd = at + TIMEOUT_IS.length;
              while (digitsEnd < to && (buf[digitsEnd] as number) >= 48 && (buf[digitsEnd] as number) <= 57) digitsEnd++;
              this.keepAliveSeconds = decimalAt(buf, at + TIMEOUT_IS.length, digitsEnd);
            }
          }
          break;
        default:
      }
    }
    return true;
  }

  /** One piece of the body, within the cap. False when the reply ended here (past the cap, or given up on). */
  private deliver(data: Buffer): boolean {
    this.bodyBytes += data.length;
    if (this.bodyBytes > this.maxBodyBytes) {
      this.fail(TOO_LARGE);
      return false;
    }
    if (this.sink.onBody(data)) return true;
    this.state = DONE;
    return false;
  }

  /** Decodes chunked framing as bytes come, delivering the data parts; returns where the reply ended (or chunk.length). */
  private readChunked(chunk: Buffer, from: number): number {
    let i = from;
    const n = chunk.length;
    while (i < n) {
      switch (this.chunkState) {
        case CHUNK_SIZE: {
          const c = chunk[i++] as number;
          const digit = c >= 48 && c <= 57 ? c - 48 : (c | 0x20) >= 97 && (c | 0x20) <= 102 ? (c | 0x20) - 87 : -1;
          if (digit >= 0) {
            this.chunkSize = this.chunkSize * 16 + digit;
            if (this.chunkSize > Number.MAX_SAFE_INTEGER / 16) return this.failAt(n, NOT_HTTP);
          } else if (c === 10) this.endOfSize();
          else if (c === 59 /* ; */ || c === 13 || c === 32 || c === 9) this.chunkState = CHUNK_EXTENSION;
          else return this.failAt(n, NOT_HTTP);
          break;
        }
        case CHUNK_EXTENSION: {
          const lf = chunk.indexOf(10, i);
          if (lf < 0) return n;
          i = lf + 1;
          this.endOfSize();
          break;
        }
        case CHUNK_DATA: {
          const end = Math.min(n, i + this.remaining);
          this.remaining -= end - i;
          if (!this.deliver(chunk.subarray(i, end))) return n;
          i = end;
          if (this.remaining === 0) this.chunkState = CHUNK_DATA_END;
          break;
        }
        case CHUNK_DATA_END: {
          // The CRLF after a chunk's data.
          const c = chunk[i++];
          if (c === 10) this.chunkState = CHUNK_SIZE;
          else if (c !== 13) return this.failAt(n, NOT_HTTP);
          break;
        }
        default: { // TRAILER: lines until an empty one
          const c = chunk[i++];
          if (c === 10) {
            if (this.lineLength === 0) {
              this.end(i < n);
              return i;
            }
            this.lineLength = 0;
          } else if (c !== 13) this.lineLength++;
        }
      }
    }
    return n;
  }

  private failAt(n: number, failure: FramingFailure): number {
    this.fail(failure);
    return n;
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
}

const EMPTY = Buffer.alloc(0);

/**
 * How a failed request is told apart, shared by every transport.
 *
 * Details are short and stable so that equal failures group together in the
 * failure table: an error code or a status, never a message that carries a
 * URL, an id, a header value or a token. The objects are built once and
 * reused, because a server that is down produces the same error thousands of
 * times a second.
 */
import type { ErrorKind, SampleError } from '../metrics/sample.js';

function frozen(kind: ErrorKind, detail: string): SampleError {
  return Object.freeze({ kind, detail });
}

/** Error codes (Node's and undici's) that mean the connection failed or broke. */
const CONNECT_DETAILS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'ECONNREFUSED',
  ECONNRESET: 'ECONNRESET',
  ECONNABORTED: 'ECONNABORTED',
  EPIPE: 'EPIPE',
  EHOSTUNREACH: 'EHOSTUNREACH',
  ENETUNREACH: 'ENETUNREACH',
  EHOSTDOWN: 'EHOSTDOWN',
  ENOTFOUND: 'ENOTFOUND',
  EAI_AGAIN: 'EAI_AGAIN',
  EADDRNOTAVAIL: 'EADDRNOTAVAIL',
  EMFILE: 'EMFILE (too many open files)',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  UND_ERR_SOCKET: 'socket closed by peer',
  UND_ERR_CLOSED: 'client closed',
  UND_ERR_DESTROYED: 'client destroyed',
  UND_ERR_INFO: 'protocol error',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'content-length mismatch',
  UND_ERR_REQ_CONTENT_LENGTH_MISMATCH: 'content-length mismatch',
  UND_ERR_INVALID_ARG: 'invalid request argument',
  UND_ERR_NOT_SUPPORTED: 'not supported',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate name mismatch',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS self-signed certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
};

/** Error codes that mean the server did not answer in time. */
const TIMEOUT_DETAILS: Readonly<Record<string, string>> = {
  UND_ERR_HEADERS_TIMEOUT: 'headers timeout',
  UND_ERR_BODY_TIMEOUT: 'body timeout',
  ETIMEDOUT: 'ETIMEDOUT',
  UND_ERR_ABORTED: 'aborted',
  ABORT_ERR: 'aborted',
};

const cache = new Map<string, SampleError>();

function cached(kind: ErrorKind, detail: string): SampleError {
  const key = `${kind}\0${detail}`;
  let error = cache.get(key);
  if (error === undefined) {
    error = frozen(kind, detail);
    // Details come from fixed tables or error codes, so the map stays small;
    // the cap only guards against a library inventing codes without end.
    if (cache.size < 1000) cache.set(key, error);
  }
  return error;
}

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.length > 0) return code;
  // Happy-eyeballs connects fail with an AggregateError whose parts carry the code.
  const errors = (err as { errors?: unknown }).errors;
  if (Array.isArray(errors)) for (const part of errors) { const c = codeOf(part); if (c) return c; }
  const cause = (err as { cause?: unknown }).cause;
  if (cause !== undefined && cause !== err) return codeOf(cause);
  return undefined;
}

/**
 * Classifies an exception thrown while sending a request or reading its reply
 * (not a status code or a protocol problem: those are classified by the
 * transport that understood them). Never looks at the message.
 */
export function classifyNetworkError(err: unknown): SampleError {
  const code = codeOf(err);
  const name = typeof err === 'object' && err !== null ? (err as { name?: unknown }).name : undefined;
  // Bytes that are not HTTP are the reply's fault, named as the lean client names them (undici's parser may give no code).
  if (code?.startsWith('HPE_') === true || name === 'HTTPParserError') return MALFORMED_HTTP;
  if (code !== undefined) {
    const timeout = TIMEOUT_DETAILS[code];
    if (timeout !== undefined) return cached('timeout', timeout);
    const connect = CONNECT_DETAILS[code];
    if (connect !== undefined) return cached('connect', connect);
    // An unknown code is still a stable, secret-free word: keep it.
    if (/^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return cached('connect', code);
  }
  if (name === 'AbortError') return cached('timeout', 'aborted');
  if (name === 'TimeoutError') return cached('timeout', 'timed out');
  if (typeof name === 'string' && /^[A-Za-z]{1,40}$/.test(name)) return cached('connect', name);
  return cached('connect', 'unknown network error');
}

/** `http: HTTP 503`; one object per status. */
export function httpStatusError(status: number): SampleError {
  return cached('http', `HTTP ${status}`);
}

/** A fixed error, built once (for the details a transport uses again and again). */
export function fixedError(kind: ErrorKind, detail: string): SampleError {
  return cached(kind, detail);
}

/**
 * Folds free text that a server or a caller chose (a JSON-RPC error message,
 * a tool's error text) to one line of at most `max` characters: long enough
 * to keep the end, which often says why ("... received \"bravo\" at nextThoughtNeeded").
 */
export function shortText(text: string, max = 2048): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** The per-request timeout, e.g. `timeout: no reply within 30000 ms`. */
export function deadlineError(timeoutMs: number): SampleError {
  return cached('timeout', `no reply within ${timeoutMs} ms`);
}

/**
 * What an MCP reply can be wrong with, named once for every MCP client over
 * HTTP (mcp-http.ts, and raw-http.ts for --bench-mode), so that the same
 * fault reads the same in both.
 */
export const INVALID_JSON = fixedError('jsonrpc', 'invalid JSON');
export const WRONG_ID = fixedError('jsonrpc', 'wrong response id');
export const NO_RESPONSE = fixedError('jsonrpc', 'no response');
/** A reply body past the cap (read-body.ts DEFAULT_MAX_BODY_BYTES): given up on, its connection closed. */
export const TOO_LARGE = fixedError('http', 'response too large');
/** 404 to a request that carried a session id: the session is gone; the user starts a new one. */
export const SESSION_GONE = fixedError('http', 'HTTP 404 (session expired)');
/** Bytes that are not an HTTP/1.1 response. */
export const MALFORMED_HTTP = fixedError('http', 'malformed HTTP response');

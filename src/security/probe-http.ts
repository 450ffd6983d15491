/**
 * Raw HTTP for security checks. The load client (McpHttpClient) always sends
 * well-formed requests; a check must be able to send wrong headers, broken
 * JSON, 10 MB bodies and forged session ids, and then see exactly what came
 * back. Every exchange is also turned into redacted evidence.
 */
import type { Dispatcher } from 'undici';
import type { Evidence } from './evidence.js';

export interface RawRequest {
  method: string;
  /** Absolute URL. */
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** How the body is shown in evidence when it should not be printed (e.g. "<10 MB of JSON>"). */
  bodyLabel?: string;
}

export interface RawResponse {
  /** 0 when no response came (the error says why). */
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Network error or timeout text, when status is 0. */
  error?: string;
}

/** What a check reads of a reply; larger bodies are cut (a check never needs more). */
const MAX_READ_BYTES = 256 * 1024;
const EVIDENCE_BODY_CHARS = 300;
const EVIDENCE_REQUEST_BODY_CHARS = 160;
/** Reply headers worth keeping as evidence. */
const EVIDENCE_HEADERS = ['www-authenticate', 'mcp-session-id', 'content-type', 'location', 'allow', 'retry-after'];
/** Request headers shown in evidence (Authorization is shown by scheme only). */
const SHOWN_REQUEST_HEADERS = ['origin', 'host', 'accept', 'content-type', 'mcp-session-id', 'mcp-protocol-version'];

export const REDACTED = '[redacted]';

/** Replaces every occurrence of each secret in `text`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join(REDACTED);
  }
  return out;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** `cancel` (e.g. a virtual user's stop signal) aborts the request besides the deadline. */
export async function sendRaw(dispatcher: Dispatcher, req: RawRequest, timeoutMs: number, cancel?: AbortSignal): Promise<RawResponse> {
  const url = new URL(req.url);
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = cancel ? AbortSignal.any([deadline, cancel]) : deadline;
  try {
    const res = await dispatcher.request({
      origin: url.origin,
      path: url.pathname + url.search,
      method: req.method as Dispatcher.HttpMethod,
      headers: req.headers,
      body: req.body,
      signal,
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      const v = headerValue(value);
      if (v !== undefined) headers[name.toLowerCase()] = v;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > MAX_READ_BYTES) {
          // undici's body, destroyed before its end, emits RequestAbortedError: it must not go unheard.
          res.body.on('error', () => undefined);
          res.body.destroy();
          break;
        }
        chunks.push(chunk);
      }
    } catch {
      // A reply cut short still has a status; what arrived is enough evidence.
    }
    return { status: res.statusCode, headers, text: Buffer.concat(chunks).toString('utf8') };
  } catch (err) {
    const e = err as { code?: string; name?: string; message?: string };
    const error = cancel?.aborted ? 'cancelled' : deadline.aborted ? `no reply within ${timeoutMs} ms` : (e.code ?? e.name ?? 'error') + (e.message ? `: ${e.message}` : '');
    return { status: 0, headers: {}, text: '', error };
  }
}

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}… (${text.length} chars)` : flat;
}

/** The exchange as evidence: request line, the headers that matter, start of each body; secrets redacted. */
export function toEvidence(req: RawRequest, res: RawResponse, secrets: readonly string[]): Evidence {
  const url = new URL(req.url);
  const shown: string[] = [];
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) lower[k.toLowerCase()] = v;
  const auth = lower.authorization;
  shown.push(auth === undefined ? 'no Authorization' : `Authorization: ${auth.split(' ')[0] ?? ''} ${REDACTED}`);
  for (const name of SHOWN_REQUEST_HEADERS) {
    const v = lower[name];
    if (v !== undefined) shown.push(`${name}: ${name === 'mcp-session-id' ? shorten(v, 16) : v}`);
  }
  let body = '';
  if (req.bodyLabel !== undefined) body = ` ${req.bodyLabel}`;
  else if (req.body !== undefined) body = ` ${shorten(req.body.toString(), EVIDENCE_REQUEST_BODY_CHARS)}`;
  const request = redact(`${req.method} ${url.pathname}${url.search} [${shown.join('; ')}]${body}`, secrets);
  const headers: Record<string, string> = {};
  for (const name of EVIDENCE_HEADERS) {
    const v = res.headers[name];
    if (v !== undefined) headers[name] = redact(name === 'mcp-session-id' ? shorten(v, 16) : v, secrets);
  }
  const replyBody = res.status === 0 ? (res.error ?? 'no reply') : shorten(res.text, EVIDENCE_BODY_CHARS);
  const evidence: Evidence = { request, status: res.status, body: redact(replyBody, secrets) };
  if (Object.keys(headers).length > 0) evidence.headers = headers;
  return evidence;
}

/**
 * The JSON-RPC messages in a reply: a JSON body (object or array) or the
 * `data:` lines of an SSE stream. Anything unparsable is left out.
 */
export function jsonRpcMessages(res: RawResponse): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const add = (value: unknown) => {
    if (Array.isArray(value)) for (const item of value) add(item);
    else if (typeof value === 'object' && value !== null) out.push(value as Record<string, unknown>);
  };
  const type = res.headers['content-type'] ?? '';
  if (type.startsWith('text/event-stream')) {
    for (const event of res.text.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data.length === 0) continue;
      try {
        add(JSON.parse(data));
      } catch {
        // not JSON: not a JSON-RPC message
      }
    }
    return out;
  }
  if (res.text.length === 0) return out;
  try {
    add(JSON.parse(res.text));
  } catch {
    // not JSON
  }
  return out;
}

/** The JSON-RPC error code in a reply (first message carrying one), if any. */
export function jsonRpcErrorCode(res: RawResponse): number | undefined {
  for (const message of jsonRpcMessages(res)) {
    const code = (message.error as { code?: unknown } | undefined)?.code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** The first JSON-RPC `result` in a reply, if any. */
export function jsonRpcResult(res: RawResponse): unknown {
  for (const message of jsonRpcMessages(res)) {
    if ('result' in message) return message.result;
  }
  return undefined;
}

/**
 * Small helpers for answering over plain node:http: JSON replies, JSON-RPC
 * error replies, and reading a request body under a byte limit.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Sends `body` as JSON unless a reply has already started (then the socket is ended). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: OutgoingHttpHeaders): void {
  sendRawJson(res, status, JSON.stringify(body), headers);
}

/** Like sendJson, for a body serialised once and reused (health answers, discovery). */
export function sendRawJson(res: ServerResponse, status: number, json: string, headers?: OutgoingHttpHeaders): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

/** JSON-RPC error codes the server uses outside the SDK. */
export const JSONRPC_PARSE_ERROR = -32700;
export const JSONRPC_SERVER_ERROR = -32000;
export const JSONRPC_SESSION_NOT_FOUND = -32001;

/** A JSON-RPC error object with a null id, as the Streamable HTTP spec answers transport-level failures. */
export function sendJsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers?: OutgoingHttpHeaders,
): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null }, headers);
}

export type BodyResult =
  | { kind: 'ok'; body: Buffer }
  | { kind: 'too-large' }
  | { kind: 'aborted' };

/**
 * Reads the whole body, refusing more than `maxBytes`: a declared
 * Content-Length over the limit is refused before reading anything, and a
 * chunked body is counted as it streams in and abandoned once it passes.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) return Promise.resolve({ kind: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (result: BodyResult) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        // Stop buffering; the caller answers 413 and closes the connection.
        req.pause();
        finish({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ kind: 'ok', body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received) });
    const onAbort = () => finish({ kind: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    // 'close' before 'end' means the client went away mid-body.
    req.on('close', onAbort);
  });
}

/**
 * Answers 413 and closes the connection, so an oversized upload is not read
 * to its end just to keep the socket alive.
 */
export function sendTooLarge(res: ServerResponse, maxBytes: number, jsonRpc: boolean): void {
  const message = `Payload Too Large: request body must not exceed ${maxBytes} bytes`;
  const headers = { connection: 'close' };
  if (jsonRpc) sendJsonRpcError(res, 413, JSONRPC_SERVER_ERROR, message, headers);
  else sendJson(res, 413, { error: 'payload too large', message }, headers);
}

/** Splits `/a/b?x=1` into path and query without building a URL object (hot path). */
export function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/** Replaces (or, with undefined, removes) a request header in both views: the SDK (through @hono/node-server) reads rawHeaders. */
export function setRequestHeader(req: IncomingMessage, name: string, value: string | undefined): void {
  if (value === undefined) delete req.headers[name];
  else req.headers[name] = value;
  const raw: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() !== name) raw.push(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  }
  if (value !== undefined) raw.push(name, value);
  req.rawHeaders = raw;
}

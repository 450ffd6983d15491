/**
 * The Streamable HTTP recording proxy of `mcpload record`: a node:http
 * listener that forwards every request (POST with JSON or SSE replies, GET
 * streams, DELETE, the client's answers to server requests) to the upstream
 * MCP endpoint with undici, streaming each reply chunk by chunk as it
 * arrives, and writes every JSON-RPC message it carries to the recording.
 *
 * Sessions: a request with an `Mcp-Session-Id` belongs to the session the
 * server named; a handshake without one starts a session, and a server
 * that gives no id (stateless) keeps later requests of the same connection
 * (or, failing that, the latest such session) in it. The server's session
 * id is never written.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { TextDecoder } from 'node:util';
import { Agent, request } from 'undici';
import { SseParser } from '../transports/sse.js';
import type { JsonRpcMessage } from '../protocol/recording.js';
import type { Redactor } from '../protocol/recording-redaction.js';
import type { LiveSession, RecordingWriter } from './recording-writer.js';

/**
 * Not forwarded: they describe one hop, not the message. Accept-Encoding
 * too: the proxy must read the replies it records, so it asks for them
 * uncompressed.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length', 'accept-encoding']);
/** A JSON-RPC body larger than this is forwarded but not parsed for the recording. */
const MAX_RECORDED_BODY = 16 * 1024 * 1024;

export interface RecordProxyOptions {
  host: string;
  port: number;
  upstream: URL;
  writer: RecordingWriter;
  redactor: Redactor;
  log: (line: string) => void;
}

export interface RunningRecordProxy {
  /** The proxy's MCP endpoint (same path as the upstream's). */
  url: string;
  port: number;
  close(): Promise<void>;
}

function messagesOf(value: unknown): JsonRpcMessage[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((m): m is JsonRpcMessage => typeof m === 'object' && m !== null && !Array.isArray(m));
}

function parseJson(text: string): JsonRpcMessage[] {
  try {
    return messagesOf(JSON.parse(text));
  } catch {
    return [];
  }
}

/** Resolves when the client has taken what was written (or is gone); both listeners are removed either way. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

class SessionBook {
  private readonly byServerId = new Map<string, LiveSession>();
  private readonly bySocket = new WeakMap<Socket, LiveSession>();
  /** The latest session the server gave no id to (stateless): requests without an id on a new connection go there. */
  private latestWithoutId: LiveSession | undefined;
  private readonly withServerId = new WeakSet<LiveSession>();

  constructor(private readonly writer: RecordingWriter) {}

  /** The session a request belongs to, started when it is the first of one. */
  forRequest(req: IncomingMessage, messages: JsonRpcMessage[]): LiveSession {
    const sid = headerValue(req.headers['mcp-session-id']);
    if (sid !== undefined) {
      let session = this.byServerId.get(sid);
      if (session === undefined || session.ended) {
        // A session opened before the proxy started (or the server's id reused): recorded from here.
        session = this.writer.startSession('unknown-session');
        this.adoptServerId(session, sid);
      }
      return session;
    }
    const socket = req.socket;
    if (messages.some((m) => m.method === 'initialize' && 'id' in m)) {
      const session = this.writer.startSession('initialize');
      this.bySocket.set(socket, session);
      this.latestWithoutId = session;
      return session;
    }
    const own = this.bySocket.get(socket);
    if (own !== undefined && !own.ended && !this.withServerId.has(own)) return own;
    if (this.latestWithoutId !== undefined && !this.latestWithoutId.ended) return this.latestWithoutId;
    const session = this.writer.startSession('connection');
    this.bySocket.set(socket, session);
    this.latestWithoutId = session;
    socket.once('close', () => this.writer.endSession(session, 'connection-closed'));
    return session;
  }

  adoptServerId(session: LiveSession, sid: string): void {
    if (this.byServerId.get(sid) === session) return;
    this.byServerId.set(sid, session);
    this.withServerId.add(session);
    if (this.latestWithoutId === session) this.latestWithoutId = undefined;
  }

  end(session: LiveSession, reason: string, sid: string | undefined): void {
    if (sid !== undefined) this.byServerId.delete(sid);
    this.writer.endSession(session, reason);
  }
}

export async function startRecordProxy(opts: RecordProxyOptions): Promise<RunningRecordProxy> {
  const { writer, redactor, upstream } = opts;
  // No body timeout: a GET stream may stay quiet for minutes; the client decides when it is done.
  const agent = new Agent({ bodyTimeout: 0, headersTimeout: 0 });
  const book = new SessionBook(writer);
  let exchanges = 0;
  const inFlight = new Set<Promise<void>>();

  function upstreamUrl(req: IncomingMessage): URL {
    const incoming = new URL(req.url ?? '/', 'http://proxy');
    // The MCP endpoint is wherever the client points (/, /mcp, ...); other paths (OAuth metadata) keep theirs.
    const sameEndpoint = incoming.pathname === '/' || incoming.pathname === upstream.pathname;
    const target = new URL(sameEndpoint ? upstream.pathname : incoming.pathname, upstream);
    target.search = incoming.search || upstream.search;
    return target;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = performance.now();
    const exchange = ++exchanges;
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    let requestBytes = 0;
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
      requestBytes += (chunk as Buffer).length;
    }
    const body = Buffer.concat(chunks);
    const requestHeaders = redactor.headers(req.headers);
    const sent = method === 'POST' && requestBytes <= MAX_RECORDED_BODY ? parseJson(body.toString('utf8')) : [];
    const target = upstreamUrl(req);
    const isEndpoint = target.pathname === upstream.pathname;
    // Only the MCP endpoint's traffic is recorded; other routes are passed through.
    const session = isEndpoint ? book.forRequest(req, sent) : undefined;
    if (session !== undefined) for (const m of sent) writer.message(session, 'client->server', m, exchange, arrived);

    const forwardHeaders: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) forwardHeaders[name] = value;
    }
    const abort = new AbortController();
    const clientGone = () => { if (!res.writableFinished) abort.abort(); };
    res.once('close', clientGone);

    let status = 0;
    let contentType: string | undefined;
    let headersMs = 0;
    let replyBytes = 0;
    let error: string | undefined;
    try {
      const reply = await request(target, {
        method: method as 'GET', headers: forwardHeaders, body: method === 'GET' || method === 'HEAD' ? undefined : body,
        dispatcher: agent, signal: abort.signal,
      });
      status = reply.statusCode;
      headersMs = performance.now() - arrived;
      contentType = headerValue(reply.headers['content-type']);
      const sid = headerValue(reply.headers['mcp-session-id']);
      if (session !== undefined && sid !== undefined && status < 300) book.adoptServerId(session, sid);
      const outHeaders: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(reply.headers)) {
        if (value !== undefined && (!HOP_BY_HOP.has(name) || name === 'content-length')) outHeaders[name] = value;
      }
      res.writeHead(status, outHeaders);
      res.flushHeaders();

      const sse = contentType?.includes('text/event-stream') === true;
      const decoder = new TextDecoder();
      const parser = session === undefined || !sse ? undefined : new SseParser({
        onEvent: (_type, data) => {
          const at = performance.now();
          for (const m of parseJson(data)) writer.message(session, 'server->client', m, exchange, at);
        },
      });
      const jsonChunks: Buffer[] | undefined = session !== undefined && !sse && contentType?.includes('json') === true ? [] : undefined;
      for await (const chunk of reply.body) {
        const buf = chunk as Buffer;
        replyBytes += buf.length;
        // Forwarded before it is parsed: the client sees each event as soon as the proxy does.
        if (!res.write(buf)) await drained(res);
        parser?.push(decoder.decode(buf, { stream: true }));
        if (jsonChunks !== undefined && replyBytes <= MAX_RECORDED_BODY) jsonChunks.push(buf);
      }
      if (jsonChunks !== undefined && session !== undefined) {
        for (const m of parseJson(Buffer.concat(jsonChunks).toString('utf8'))) writer.message(session, 'server->client', m, exchange);
      }
      res.end();
      if (session !== undefined && method === 'DELETE' && status < 300) book.end(session, 'delete', headerValue(req.headers['mcp-session-id']));
      if (session !== undefined && status === 404 && headerValue(req.headers['mcp-session-id']) !== undefined) {
        book.end(session, 'upstream-404', headerValue(req.headers['mcp-session-id']));
      }
    } catch (err) {
      error = abort.signal.aborted ? 'client closed the connection' : `upstream: ${redactor.text((err as Error).message)}`;
      if (!res.headersSent) {
        status = 502;
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: `mcpload record: ${error}` } }));
      } else {
        res.destroy();
      }
    } finally {
      res.off('close', clientGone);
    }
    if (session !== undefined) {
      writer.event({
        type: 'exchange', session: session.id, t: writer.since(session, arrived), exchange, method, status,
        ...(contentType === undefined ? {} : { contentType }),
        requestHeaders, requestBytes, replyBytes,
        headersMs: Math.round(headersMs * 1000) / 1000, durationMs: Math.round((performance.now() - arrived) * 1000) / 1000,
        ...(error === undefined ? {} : { error }),
      });
    }
  }

  const server: Server = createServer((req, res) => {
    const done = handle(req, res).catch((err: unknown) => {
      opts.log(`proxy error: ${redactor.text((err as Error).message)}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  });
  // Long tool calls and quiet GET streams: no server-side timeout of our own.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as { port: number }).port;
  const hostPart = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${hostPart}:${port}${upstream.pathname}`,
    port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Open GET streams would hold the close forever: cut them (the exchange is recorded with its error).
      server.closeAllConnections();
      await closed;
      await Promise.allSettled([...inFlight]);
      await agent.close().catch(() => undefined);
    },
  };
}

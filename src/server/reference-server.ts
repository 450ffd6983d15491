/**
 * The reference MCP server (`mcpload serve`): the default system under test.
 * Plain node:http, so the order of checks stays in our hands and cheap:
 * guard (Host, Origin, deny rules) → bearer auth → route (/mcp or REST).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DenyRule } from '../protocol/sensitive-routes.js';
import { BearerAuth, PROTECTED_RESOURCE_MCP_PATH, PROTECTED_RESOURCE_PATH } from './bearer-auth.js';
import { sendJson, splitUrl } from './http-util.js';
import { McpEndpoint } from './mcp-endpoint.js';
import { OAuthIssuer, type OAuthIssuerOptions } from './oauth-issuer.js';
import { HIDDEN_TOOL, INSECURE_MAX_BODY_BYTES, LaxBearerAuth } from './insecure-demo.js';
import { HEALTH_PATHS, RestApi } from './rest-api.js';
import { RouteGuard } from './route-guard.js';

export interface ReferenceServerOptions {
  /** Default 8000; 0 picks a free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  bind?: string;
  stateless?: boolean;
  authToken?: string;
  /** A second accepted token (another principal): sessions opened with one token are refused to the other. */
  authTokenB?: string;
  /** Be an OAuth 2.1 authorization server too (client credentials) and accept only the tokens it issued (oauth-issuer.ts). */
  oauth?: OAuthIssuerOptions;
  /** Default 'sse', like the SDK. */
  responseMode?: 'sse' | 'json';
  /** Default 10000. */
  maxSessions?: number;
  /** Default 600000 (10 min). */
  sessionIdleMs?: number;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  extraDenyRules?: DenyRule[];
  allowedOrigins?: string[];
  /** Default true. false is a TEST-ONLY switch that makes the server vulnerable (denied routes answer 200). */
  guard?: boolean;
  /** Turns every protection off (see insecure-demo.ts): shows what failing `mcpload probe` checks look like. Never expose it. */
  insecureDemo?: boolean;
  /** Wait this long (ms) before answering each request: a slower server on purpose, e.g. to see `mcpload compare` catch it. Default 0. */
  delayMs?: number;
  quiet?: boolean;
  /** Where log lines go; default stderr. Never given the token or the Authorization header. */
  log?: (line: string) => void;
}

export interface RunningReferenceServer {
  /** e.g. http://127.0.0.1:8000 (no trailing slash, no /mcp). */
  url: string;
  port: number;
  openSessions(): number;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8000;
export const DEFAULT_BIND = '127.0.0.1';
export const DEFAULT_MAX_SESSIONS = 10_000;
export const DEFAULT_SESSION_IDLE_MS = 600_000;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Longer than the usual 60 s idle timeout of proxies and clients, so the server is not the one to drop a pooled socket. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** How long close() lets in-flight replies (slow tools, open streams) finish before cutting connections. */
const CLOSE_GRACE_MS = 2_000;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${String(value)}`);
  return v;
}

function portNumber(value: number | undefined): number {
  const port = value ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`port must be an integer from 0 to 65535, got ${String(value)}`);
  return port;
}

function defaultLog(line: string): void {
  process.stderr.write(`[mcpload serve] ${line}\n`);
}

export async function startReferenceServer(opts: ReferenceServerOptions = {}): Promise<RunningReferenceServer> {
  const port = portNumber(opts.port);
  const bind = opts.bind ?? DEFAULT_BIND;
  const stateless = opts.stateless ?? false;
  const demo = opts.insecureDemo === true;
  const maxBodyBytes = demo ? INSECURE_MAX_BODY_BYTES : positiveInteger('maxBodyBytes', opts.maxBodyBytes, DEFAULT_MAX_BODY_BYTES);
  // The demo holds every session for a day: no cap, no expiry worth the name.
  const maxSessions = demo ? Number.MAX_SAFE_INTEGER : positiveInteger('maxSessions', opts.maxSessions, DEFAULT_MAX_SESSIONS);
  const sessionIdleMs = demo ? 86_400_000 : positiveInteger('sessionIdleMs', opts.sessionIdleMs, DEFAULT_SESSION_IDLE_MS);
  if (opts.responseMode !== undefined && opts.responseMode !== 'sse' && opts.responseMode !== 'json') {
    throw new Error(`responseMode must be 'sse' or 'json', got ${JSON.stringify(opts.responseMode)}`);
  }
  const log = opts.quiet ? () => undefined : (opts.log ?? defaultLog);

  const guard = new RouteGuard({
    bind,
    allowedOrigins: opts.allowedOrigins,
    extraDenyRules: opts.extraDenyRules,
    enforceDenyRules: !demo && (opts.guard ?? true),
    checkOriginAndHost: !demo,
  });
  const mcp = new McpEndpoint({
    stateless,
    jsonResponse: opts.responseMode === 'json',
    maxBodyBytes,
    maxSessions,
    sessionIdleMs,
    log,
    insecureDemo: demo,
  });
  const rest = new RestApi({ maxBodyBytes, stateless, openSessions: () => mcp.openSessions(), served: () => mcp.served.snapshot(), ...(demo ? { extraTools: [HIDDEN_TOOL] } : {}) });
  // The origin is known only after listen(); the auth object reads it lazily through `url`.
  let url = '';
  const tokens = [opts.authToken, opts.authTokenB].filter((t): t is string => t !== undefined);
  if (opts.authTokenB !== undefined && opts.authToken === undefined) throw new Error('a second token (--auth-token-b) needs a first one (--auth-token)');
  if (opts.oauth !== undefined && tokens.length > 0) throw new Error('--oauth and --auth-token are two ways to protect the server; give one');
  const issuer = opts.oauth !== undefined && !demo ? new OAuthIssuer(opts.oauth, () => url) : undefined;
  const auth = issuer ?? (tokens.length > 0 && !demo ? new BearerAuth(tokens, () => url) : undefined);
  const laxAuth = tokens.length > 0 && demo ? new LaxBearerAuth() : undefined;

  // A load test repeats the same refused routes thousands of times: log each route once.
  const refusedSeen = new Set<string>();
  function logFirstRefusal(route: string, status: number, reason: string): void {
    if (refusedSeen.has(route) || refusedSeen.size >= 1000) return;
    refusedSeen.add(route);
    log(`${route} → ${status}: ${reason} (logged once per route)`);
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const { path, query } = splitUrl(req.url ?? '/');

    const verdict = guard.check(req.headers, method, path);
    if (verdict) {
      logFirstRefusal(`${method} ${path}`, verdict.status, verdict.reason);
      return sendJson(res, verdict.status, verdict.body);
    }

    if (issuer?.handles(path)) return issuer.handle(req, res, method, path);
    if (auth) {
      // Under --oauth the protected resource is the MCP endpoint (RFC 9728 names /mcp); the classic REST face stays open.
      const open = HEALTH_PATHS.has(path) || path === PROTECTED_RESOURCE_PATH || path === PROTECTED_RESOURCE_MCP_PATH || (issuer !== undefined && path !== '/mcp');
      const refusal = auth.check(req.headers, query, !open);
      if (refusal) return sendJson(res, refusal.status, refusal.body, refusal.headers);
      if (path === PROTECTED_RESOURCE_PATH || path === PROTECTED_RESOURCE_MCP_PATH) {
        return sendJson(res, 200, auth.metadata(req.headers));
      }
    }
    // The demo checks a token on /mcp only, and hardly.
    const refusal = laxAuth && path === '/mcp' ? laxAuth.check(req.headers, query) : undefined;
    if (refusal) return sendJson(res, refusal.status, refusal.body, refusal.headers);

    if (path === '/mcp') return mcp.handle(req, res, method, auth?.principal(req.headers));
    return rest.handle(req, res, method, path);
  }

  const delayMs = opts.delayMs ?? 0;
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new Error(`delayMs must be a number of milliseconds >= 0, got ${String(opts.delayMs)}`);
  const server = createServer((req, res) => {
    if (delayMs > 0) setTimeout(() => answer(req, res), delayMs);
    else answer(req, res);
  });
  function answer(req: IncomingMessage, res: ServerResponse): void {
    dispatch(req, res).catch((err: unknown) => {
      // A handler bug answers 500 and is logged; it never takes the server down.
      log(`internal error on ${req.method ?? '?'} ${splitUrl(req.url ?? '/').path}: ${err instanceof Error ? err.message : String(err)}`);
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: 'internal error' });
    });
  }
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, bind, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await mcp.close();
    throw new Error(`cannot listen on ${bind}:${port}: ${err instanceof Error ? err.message : String(err)}`);
  }
  server.on('error', (err) => log(`server error: ${err.message}`));

  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    openSessions: () => mcp.openSessions(),
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Closing sessions ends their SSE streams, which lets those connections go idle.
        await mcp.close();
        server.closeIdleConnections();
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        cut.unref();
        await closed;
        clearTimeout(cut);
      })();
      return closing;
    },
  };
}

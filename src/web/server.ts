/**
 * The web UI's HTTP server (node:http): access checks, then the API routes,
 * then the built front end. Binds 127.0.0.1 unless told otherwise.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkCredentials, hostAllowed, sameOriginCommand, TOKEN_COOKIE, type WebCredentials } from './access.js';
import { BASE_HEADERS, sendJson, sendText } from './http-io.js';
import { ROUTES, type RouteContext } from './routes.js';
import { uiAsset } from '../report/ui-assets.js';

/** The page loads its script, styles and stream from this server only. */
const UI_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

export interface WebServerOptions extends RouteContext {
  host: string;
  port: number;
  credentials: WebCredentials;
  onError?: (message: string) => void;
}

export interface WebServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

async function serveAsset(res: ServerResponse, path: string): Promise<boolean> {
  const asset = await uiAsset(path);
  if (!asset) return false;
  const headers: Record<string, string> = { ...BASE_HEADERS, 'content-type': asset.contentType };
  if (asset.contentType.startsWith('text/html')) headers['content-security-policy'] = UI_CSP;
  res.writeHead(200, headers);
  res.end(asset.body);
  return true;
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: WebServerOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://mcpload.local');
  if (!hostAllowed(req, opts.host)) {
    sendText(res, 403, 'forbidden: this UI answers only loopback addresses (Host header)\n');
    return;
  }
  const access = checkCredentials(req, url, opts.credentials);
  if (!access.ok) {
    const headers: Record<string, string> = access.challenge ? { 'www-authenticate': 'Basic realm="mcpload", charset="UTF-8"' } : {};
    sendText(res, 401, 'unauthorized: log in (--web-login) or add ?token=... (--web-token)\n', 'text/plain; charset=utf-8', headers);
    return;
  }
  if (access.setTokenCookie && req.method === 'GET') {
    // Keep the token out of the address bar (and history): cookie, then the same page without it.
    url.searchParams.delete('token');
    res.writeHead(303, {
      ...BASE_HEADERS,
      'set-cookie': `${TOKEN_COOKIE}=${encodeURIComponent(opts.credentials.token ?? '')}; HttpOnly; SameSite=Strict; Path=/`,
      location: `${url.pathname}${url.search}`,
    });
    res.end();
    return;
  }

  const route = ROUTES[`${req.method} ${url.pathname}`];
  if (route) {
    if (route.command && !sameOriginCommand(req)) {
      sendJson(res, 403, { success: false, message: 'forbidden: commands from another site are refused' });
      return;
    }
    await route.handle(req, res, url, opts);
    return;
  }
  if ((req.method === 'GET' || req.method === 'HEAD') && (url.pathname === '/' || url.pathname.startsWith('/assets/'))) {
    if (await serveAsset(res, url.pathname)) return;
    if (url.pathname === '/') {
      sendText(res, 500, 'the web UI is not built: run "npm run build"\n');
      return;
    }
  }
  sendText(res, 404, `not found: ${req.method} ${url.pathname}\n`);
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const server = createServer((req, res) => {
    handle(req, res, opts).catch((err: Error) => {
      opts.onError?.(`web UI: ${req.method} ${req.url}: ${err.message}`);
      if (!res.headersSent) sendText(res, 500, `internal error: ${err.message}\n`);
      else res.destroy();
    });
  });
  // Keep-alive sockets of closed pages must not hold the process at exit.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${shownHost}:${port}`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

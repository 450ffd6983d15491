/**
 * A loopback target that counts GET /hit and notes when each arrived (ms, monotonic): the server's own count of a run;
 * `all` holds every request it served, whatever its path (`METHOD /path`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingServer {
  server: Server;
  hits: number[];
  all: string[];
  url: () => string;
  listen: () => Promise<void>;
  close: () => Promise<void>;
}

export function countingServer(): CountingServer {
  const hits: number[] = [];
  const all: string[] = [];
  const server = createServer((req, res) => {
    all.push(`${req.method ?? ''} ${req.url ?? ''}`);
    if (req.url === '/hit') hits.push(performance.now());
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  return {
    server,
    hits,
    all,
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    listen: () => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

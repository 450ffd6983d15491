/** @modelcontextprotocol/server-everything over Streamable HTTP, on a free loopback port, for tests that need a legacy server we did not write. */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** server-everything in Streamable HTTP mode (it reads PORT; it logs its ready line on stderr). */
export async function startEverything(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const bin = path.join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
  const child = spawn(process.execPath, [bin, 'streamableHttp'], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => { err += c; if (/listening on port/.test(err)) resolve(); });
    void exited.then(() => reject(new Error(`server-everything exited: ${err}`)));
  });
  return { url: `http://127.0.0.1:${port}/mcp`, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

/**
 * Starting servers we did not write (or fixtures written with their
 * frameworks) as child processes on a free loopback port: they read PORT
 * and say "listening on port" on stderr or stdout once up. The child is
 * killed by stop(), which waits for its exit.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { ROOT } from './cli-helpers.js';

export const EVERYTHING_BIN = path.join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningServer {
  /** http://127.0.0.1:PORT */
  origin: string;
  stop(): Promise<void>;
}

/** `node script ...args` with PORT set; resolves once it logs that it listens. */
export async function startNodeServer(script: string, args: string[] = []): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const watch = (c: string) => { log += c; if (/listening on port|running on/i.test(log)) resolve(); };
    child.stdout!.setEncoding('utf8').on('data', watch);
    child.stderr!.setEncoding('utf8').on('data', watch);
    void exited.then(() => reject(new Error(`${path.basename(script)} exited before listening: ${log}`)));
  });
  return { origin: `http://127.0.0.1:${port}`, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

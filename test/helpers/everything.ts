/**
 * Servers we did not write (server-everything and the other third-party
 * servers of the corpus, or fixtures written with their frameworks) as child
 * processes on a free loopback port, and the rows of a run's JSON result:
 * what the tests that load them share.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, ROOT } from '../integration/cli-helpers.js';

export const EVERYTHING_BIN = path.join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

export interface Entry { type: string; name: string; requests: number; failures: number; sumUs: number; cut?: number }

/** The stats rows of a `--json` result file. */
export function readEntries(file: string): Entry[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { entries: Entry[] } }).snapshot.entries;
}

export interface RunningServer {
  /** http://127.0.0.1:PORT */
  origin: string;
  /** Kills the child and waits for its exit. */
  stop(): Promise<void>;
}

/** `node script ...args` with PORT set; resolves once it logs (stdout or stderr) that it listens. */
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

/** server-everything in Streamable HTTP mode. */
export async function startEverything(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = await startNodeServer(EVERYTHING_BIN, ['streamableHttp']);
  return { url: `${server.origin}/mcp`, stop: server.stop };
}

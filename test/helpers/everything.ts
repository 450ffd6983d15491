/**
 * server-everything (@modelcontextprotocol/server-everything, a third-party
 * MCP server from node_modules) over Streamable HTTP on a free loopback
 * port, and the rows of a run's JSON result: what the tests that load it share.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, ROOT } from '../integration/cli-helpers.js';

export interface Entry { type: string; name: string; requests: number; failures: number; sumUs: number; cut?: number }

/** The stats rows of a `--json` result file. */
export function readEntries(file: string): Entry[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { entries: Entry[] } }).snapshot.entries;
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

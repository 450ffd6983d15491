/**
 * Starts the reference server as a child process on a free loopback port, so
 * the system under test never shares the generator's event loop.
 *
 * The child dies with this process however this process dies: it gets an IPC
 * channel, and `mcpload serve` shuts down when that channel closes, which the
 * kernel does for a SIGKILL too (Node cannot ask for PR_SET_PDEATHSIG).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const READY = /^mcpload reference server listening on (http:\/\/\S+)$/;

export interface EmbeddedServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

function binPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '../../bin/mcpload.js');
}

export async function startEmbeddedServer(opts: { authToken?: string; extraArgs?: string[]; timeoutMs?: number } = {}): Promise<EmbeddedServer> {
  const env = { ...process.env };
  // The token goes by environment, never argv, so `ps` does not show it.
  if (opts.authToken) env.MCPLOAD_AUTH_TOKEN = opts.authToken;
  else {
    delete env.MCPLOAD_AUTH_TOKEN;
    // A second token alone would make `serve` refuse to start.
    delete env.MCPLOAD_AUTH_TOKEN_B;
  }
  const child = spawn(process.execPath, [binPath(), 'serve', '--port', '0', '--bind', '127.0.0.1', '--quiet', ...(opts.extraArgs ?? [])], {
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // The channel is only a lifeline, never a reason for this process to stay up.
  child.channel?.unref();
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('the embedded server did not start within 15 s')), opts.timeoutMs ?? 15_000);
    const lines = createInterface({ input: child.stdout! });
    function fail(err: Error) {
      clearTimeout(timer);
      lines.close();
      child.kill('SIGKILL');
      reject(err);
    }
    lines.on('line', (line) => {
      const m = READY.exec(line.trim());
      if (m) {
        clearTimeout(timer);
        lines.close();
        child.stdout!.resume();
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => fail(new Error(`the embedded server exited (${code}) before it was ready: ${stderr.trim().split('\n').pop() ?? ''}`)));
    child.once('error', (err) => fail(err));
  });
  return { url, pid: child.pid!, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

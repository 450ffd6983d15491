import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(ROOT, 'bin/mcpload.js');

/**
 * `--threshold` flags that lift the classic suite's latency rules (avg, p95, and its per-row avg on
 * the REST status and health; its error rate still judges): on a busy CI box they can fail a run whose
 * test is about something else. No test asserts a duration. The per-row ones retune the scenario's
 * rules, so a short run that never drew the row leaves them unjudged, as the scenario's would be.
 */
export const LIFT_CLASSIC_LATENCY: readonly string[] = ['avg<60s', 'p(95)<60s', 'name=/api/v1/mcp/status:avg<60s', 'name=/api/v1/mcp/health:avg<60s']
  .flatMap((rule) => ['--threshold', rule]);

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment without MCPLOAD_* variables that could leak into a test. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('MCPLOAD_') && !k.startsWith('MCP_TEST_')) env[k] = v;
  }
  return { ...env, ...extra };
}

/** `cwd`: the working folder of the CLI (default: the repository root). */
export function startCli(args: string[], env: Record<string, string> = {}, opts: { cwd?: string } = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  // Every CLI run in the tests is bounded; this is the safety net if one hangs.
  const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

export function runCli(args: string[], env: Record<string, string> = {}, opts: { cwd?: string } = {}): Promise<CliResult> {
  return startCli(args, env, opts).done;
}

/** Starts `mcpload serve` on a free port and returns its URL. */
export async function startServeProcess(extraArgs: string[] = []): Promise<{ url: string; stop: () => Promise<void> }> {
  const { child, done } = startCli(['serve', '--port', '0', '--quiet', ...extraArgs]);
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    void done.then((r) => reject(new Error(`serve exited early: ${r.stderr}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await done;
    },
  };
}

/** A loopback port free right now (for a server that must come back on the same port, or a second listener). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

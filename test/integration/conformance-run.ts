/**
 * Runs one client scenario of an official conformance suite (`conformance
 * client --command ... --scenario ...`) and collects its output.
 */
import { spawn } from 'node:child_process';
import { cleanEnv, ROOT } from './cli-helpers.js';

export interface SuiteRun {
  /** The Node 22 binary the suite needs. */
  node22: string;
  /** The suite's dist/index.js. */
  suite: string;
  /** The client command; the suite splits it on spaces and appends the server URL. */
  command: string;
  scenario: string;
  /** The suite's own deadline for the client. */
  timeoutMs: number;
  /** Our safety net: the suite is killed after this. */
  killAfterMs: number;
}

export function runConformanceClient(run: SuiteRun): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(run.node22, [run.suite, 'client', '--command', run.command, '--scenario', run.scenario, '--timeout', String(run.timeoutMs)], {
      cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const guard = setTimeout(() => child.kill('SIGKILL'), run.killAfterMs);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, out });
    });
  });
}

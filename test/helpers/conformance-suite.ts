/**
 * Runs an official MCP conformance suite (the 0.1.x one, or the 0.2.x one
 * installed as `conformance-2026`) on the Node 22 that scripts/node-version.sh
 * provides, and reads its summary: one line per scenario, `✓ name: N passed,
 * M failed` or `✗ ...`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, ROOT } from '../integration/cli-helpers.js';
import { nodeBinary } from './node-version.js';

export const SUITE_01 = path.join(ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
export const SUITE_2026 = path.join(ROOT, 'node_modules/conformance-2026/dist/index.js');

/** Why the suite at `suite` cannot run here, or undefined when it can. */
export function suiteMissing(suite: string): string | undefined {
  const node22 = nodeBinary(22);
  return node22.missing ?? (!existsSync(suite) ? `no conformance suite at ${suite} (a dev dependency)` : undefined);
}

export function runSuite(suite: string, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  const node22 = nodeBinary(22).path ?? '';
  return new Promise((resolve) => {
    const child = spawn(node22, [suite, ...args], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(guard);
      resolve({ code, out });
    });
  });
}

export interface ScenarioLine { name: string; passed: boolean; checksPassed: number; checksFailed: number }

/** The `=== SUMMARY ===` block and its scenario lines. */
export function summaryOf(out: string): { text: string; scenarios: Map<string, ScenarioLine> } {
  const text = out.slice(out.indexOf('=== SUMMARY ==='));
  const scenarios = new Map<string, ScenarioLine>();
  for (const line of text.split('\n')) {
    const m = /^([✓✗]) (\S+): (\d+) passed, (\d+) failed/.exec(line);
    if (m) scenarios.set(m[2]!, { name: m[2]!, passed: m[1] === '✓', checksPassed: Number(m[3]), checksFailed: Number(m[4]) });
  }
  return { text, scenarios };
}

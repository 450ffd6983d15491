// node-matrix: the built loader and tsx's import hooks, which Node's module loader drives
/**
 * The built loader (dist/, as `mcpload run` uses it, with no tsx registered
 * before it) in a process whose working folder has a tsconfig.json mapping
 * 'mcpload' through "paths" to some other file, as an editor set-up might:
 * the scenario still gets the running mcpload, not the mapped copy. And a
 * scenario in a folder with no package.json runs through the CLI.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { BIN, cleanEnv, ROOT } from './cli-helpers.js';

const run = promisify(execFile);
const root = mkdtempSync(path.join(tmpdir(), 'mcpload-anywhere-'));
after(() => rmSync(root, { recursive: true, force: true }));

const SCENARIO = `import { defineScenario, McpHttpClient } from 'mcpload';
export default defineScenario({ name: 'paths', probe: McpHttpClient, userClasses: [{ name: 'U', tasks: [{ name: 't', run: async () => {} }] }] });
`;

test('built loader: a tsconfig "paths" entry for mcpload does not swap in another copy', async () => {
  const dir = path.join(root, 'with-paths');
  mkdirSync(dir, { recursive: true });
  // An ES module folder: the scenario's import goes through the import hooks, where tsx maps "paths".
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { paths: { mcpload: ['./fake.ts'] } } }));
  writeFileSync(path.join(dir, 'fake.ts'), `export const McpHttpClient = 'a stale copy';\nexport const defineScenario = (s: unknown) => s;\n`);
  writeFileSync(path.join(dir, 'scenario.ts'), SCENARIO);
  const loader = pathToFileURL(path.join(ROOT, 'dist/scenarios/loader.js')).href;
  const api = pathToFileURL(path.join(ROOT, 'dist/index.js')).href;
  const script =
    `const { importScenarioModule, resolveScenario } = await import(${JSON.stringify(loader)});` +
    `const { McpHttpClient } = await import(${JSON.stringify(api)});` +
    `const s = await resolveScenario(await importScenarioModule('scenario.ts'), {}, 'scenario.ts');` +
    `console.log(s.probe === McpHttpClient ? 'same copy' : 'another copy: ' + String(s.probe));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, env: cleanEnv() });
  assert.equal(stdout.trim(), 'same copy');
});

test('mcpload run: a .ts scenario in a folder with no package.json runs and shows its requests', { timeout: 60_000 }, async () => {
  const dir = path.join(root, 'plain');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'my-scenario.ts'), `import { between, defineScenario, type VirtualUser } from 'mcpload';
export default defineScenario({
  userClasses: [{
    name: 'Caller',
    wait: between(0.05, 0.1),
    onStart: async (user: VirtualUser) => { await user.mcp.initialize(); },
    tasks: [{ name: 'list', run: async (user: VirtualUser) => { await user.mcp.listTools(); } }],
  }],
});
`);
  const { stdout } = await run(process.execPath, [BIN, 'run', 'my-scenario.ts', '--headless', '-u', '2', '-r', '2', '-t', '2s'], {
    cwd: dir, env: cleanEnv(), timeout: 50_000,
  });
  assert.match(stdout, /tools\/list/);
  assert.match(stdout, /Aggregated\s+[1-9]/);
});

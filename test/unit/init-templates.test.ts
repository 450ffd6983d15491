/**
 * What `mcpload init` writes: the starter scenarios load through the real
 * scenario loader with the tasks they promise, tools left out are really
 * commented out, and names and descriptions cannot break the file.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ScenarioEnv } from '../../src/index.js';
import { exampleScenario, hostScenario, tsconfigJson, type HostScenarioInput } from '../../src/app/init-templates.js';
import { importScenarioModule, resolveScenario } from '../../src/scenarios/loader.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-init-templates-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const env = { host: 'http://127.0.0.1:1' } as ScenarioEnv;

async function load(name: string, text: string) {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return resolveScenario(await importScenarioModule(file), env, file);
}

test('init example: loads, one Agent class with its four tasks and the thresholds', async () => {
  const scenario = await load('example.ts', exampleScenario('example.ts'));
  assert.equal(scenario.name, 'example');
  assert.deepEqual(scenario.userClasses.map((c) => c.name), ['Agent']);
  assert.deepEqual(scenario.userClasses[0]!.tasks.map((t) => t.name), ['list tools', 'echo', 'add', 'read info']);
  assert.deepEqual(scenario.thresholds, ['error_rate<0.01', 'p(95)<500']);
});

const input: HostScenarioInput = {
  file: 'from-host.ts',
  host: 'http://127.0.0.1:8000',
  mcpUrl: 'http://127.0.0.1:8000/mcp',
  hasResources: true,
  hasPrompts: false,
  tools: [
    { name: 'search', description: 'Finds things */ and more', args: { query: 'alpha', limit: 3 }, status: { kind: 'active' } },
    { name: "it's-quoted", args: {}, status: { kind: 'active' } },
    { name: 'delete_all', description: 'Deletes\neverything', args: { confirm: true, nested: { a: [1, 2] } }, status: { kind: 'commented', reason: 'it may delete data' } },
  ],
};

test('init from a host: active tools are tasks, left-out ones only comments', async () => {
  const text = hostScenario(input);
  const scenario = await load('from-host.ts', text);
  assert.equal(scenario.name, 'from-host');
  assert.deepEqual(scenario.userClasses[0]!.tasks.map((t) => t.name), ['tools/list', 'resources/list', 'search', "it's-quoted"]);
  // Every line of the left-out call is a comment, its arguments included.
  const start = text.indexOf("call('delete_all'");
  assert.ok(start > 0, text);
  const block = text.slice(text.lastIndexOf('\n', start) + 1, text.indexOf('}),', start) + 3).split('\n');
  assert.ok(block.length >= 4, block.join('\n'));
  for (const line of block) assert.match(line, /^\s*\/\/ /);
  assert.match(text, /\/\/ Left out: it may delete data/);
  // A description's newline and comment end cannot leak out of its comment.
  assert.match(text, /\/\/ Deletes everything\n/);
  assert.doesNotMatch(text, /things \*\//);
  assert.match(text, /mcpload run from-host\.ts --host http:\/\/127\.0\.0\.1:8000 /);
});

test('init from a host with no tools: still a scenario (the list calls)', async () => {
  const scenario = await load('no-tools.ts', hostScenario({ ...input, file: 'no-tools.ts', tools: [], hasResources: false }));
  assert.deepEqual(scenario.userClasses[0]!.tasks.map((t) => t.name), ['tools/list']);
});

test('init tsconfig: "paths" maps mcpload only when the folder cannot resolve it', () => {
  const mapped = JSON.parse(tsconfigJson('C:\\g\\node_modules\\mcpload\\dist\\index.d.ts'));
  assert.deepEqual(mapped.compilerOptions.paths, { mcpload: ['C:/g/node_modules/mcpload/dist/index.d.ts'] });
  assert.equal(mapped.compilerOptions.strict, true);
  const local = JSON.parse(tsconfigJson(undefined));
  assert.equal(local.compilerOptions.paths, undefined);
});

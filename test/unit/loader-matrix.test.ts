/**
 * Scenario files load from any folder: every extension (.ts .mts .js .mjs)
 * in a folder with no package.json, a "type": "commonjs" one and a
 * "type": "module" one, exporting a plain object, defineScenario(...) or a
 * factory, and in CommonJS syntax where the folder makes that legal. The
 * folders live under os.tmpdir(), away from this repository's package.json,
 * and every scenario hands back the McpHttpClient it imported from 'mcpload',
 * which must be the very class this process runs (a second copy of mcpload
 * breaks class identities and undici's brand checks).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { McpHttpClient } from '../../src/index.js';
import type { ScenarioEnv } from '../../src/index.js';
import { importScenarioModule, resolveScenario, ScenarioError } from '../../src/scenarios/loader.js';

const root = mkdtempSync(path.join(tmpdir(), 'mcpload-loader-'));
after(() => rmSync(root, { recursive: true, force: true }));

type Folder = 'no-package-json' | 'commonjs' | 'module';
type Style = 'object' | 'defineScenario' | 'factory' | 'require';

const FOLDERS: Folder[] = ['no-package-json', 'commonjs', 'module'];
const EXTENSIONS = ['ts', 'mts', 'js', 'mjs'] as const;
const STYLES: Style[] = ['object', 'defineScenario', 'factory', 'require'];

const TASKS = `[{ name: 't', run: async () => {} }]`;

function source(style: Style): string {
  switch (style) {
    case 'object':
      return `import { McpHttpClient } from 'mcpload';\n` +
        `export default { name: 'object', probe: McpHttpClient, userClasses: [{ name: 'U', tasks: ${TASKS} }] };\n`;
    case 'defineScenario':
      return `import { defineScenario, McpHttpClient } from 'mcpload';\n` +
        `export default defineScenario({ name: 'defined', probe: McpHttpClient, userClasses: [{ name: 'U', tasks: ${TASKS} }] });\n`;
    case 'factory':
      return `import { defineScenario, McpHttpClient } from 'mcpload';\n` +
        `export default (env) => defineScenario({ name: 'factory ' + env.host, probe: McpHttpClient, userClasses: [{ name: 'U', tasks: ${TASKS} }] });\n`;
    case 'require':
      return `const { defineScenario, McpHttpClient } = require('mcpload');\n` +
        `module.exports = defineScenario({ name: 'required', probe: McpHttpClient, userClasses: [{ name: 'U', tasks: ${TASKS} }] });\n`;
  }
}

/** CommonJS syntax is legal only where Node treats the file as CommonJS. */
function isCommonJsScope(folder: Folder, ext: string): boolean {
  return folder !== 'module' && (ext === 'ts' || ext === 'js');
}

function write(folder: Folder, style: Style, ext: string): string {
  const dir = path.join(root, folder);
  mkdirSync(dir, { recursive: true });
  if (folder !== 'no-package-json') writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: folder }));
  const file = path.join(dir, `${style}.${ext}`);
  // Types stay out of the .js files; in .ts they would be the user's own business.
  const text = ext.endsWith('ts') ? source(style).replace('(env) =>', '(env: { host: string }) =>') : source(style);
  writeFileSync(file, text);
  return file;
}

const env = { host: 'http://127.0.0.1:1' } as ScenarioEnv;

for (const folder of FOLDERS) {
  for (const ext of EXTENSIONS) {
    for (const style of STYLES) {
      if (style === 'require' && !isCommonJsScope(folder, ext)) continue;
      test(`loader: ${style} in a .${ext} file, ${folder} folder`, async () => {
        const file = write(folder, style, ext);
        const scenario = await resolveScenario(await importScenarioModule(file), env, file);
        assert.equal(scenario.userClasses.length, 1);
        assert.equal(scenario.userClasses[0]!.name, 'U');
        if (style === 'factory') assert.equal(scenario.name, `factory ${env.host}`);
        assert.equal((scenario as unknown as { probe: unknown }).probe, McpHttpClient, 'the scenario got another copy of mcpload');
      });
    }
  }
}

test('loader: require() in an ES module scope fails with one line naming the file', async () => {
  const file = write('module', 'require', 'ts');
  await assert.rejects(importScenarioModule(file), (err: unknown) => {
    assert.ok(err instanceof ScenarioError);
    assert.match(err.message, /require\.ts:\d+:\d+: require is not defined in ES module scope/);
    assert.match(err.message, /write import \{ \.\.\. \} from 'mcpload' instead/);
    assert.doesNotMatch(err.message, /\n/);
    return true;
  });
});

test('loader: a file with no default export says so', async () => {
  const file = path.join(root, 'no-default.ts');
  writeFileSync(file, `export const x = 1;\n`);
  await assert.rejects(importScenarioModule(file), /no default export/);
});

test('loader: top-level await in a file Node treats as CommonJS says how to make it an ES module', async () => {
  const file = path.join(root, 'no-package-json', 'tla.ts');
  writeFileSync(file, `import { defineScenario } from 'mcpload';\nconst n = await Promise.resolve(1);\nexport default defineScenario({ name: 'n' + n, userClasses: [] });\n`);
  await assert.rejects(importScenarioModule(file), /tla\.ts:2:\d+: Top-level await .*rename it to \.mts/);
});

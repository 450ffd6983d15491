// node-matrix: npm pack and npm install (npm run by that Node), and the loader in an installed copy
/**
 * mcpload outside its clone, as a user gets it: `npm pack`, then the tarball
 * installed globally (`npm i -g --prefix`) and into a fresh project
 * (`npm i -D`), both under os.tmpdir(). From folders outside the repository:
 * the built-in run, scenario files in a folder with no package.json, a
 * "type": "commonjs" one and a "type": "module" project, `mcpload init`
 * (with --host) and the written scenario, and the types an editor gets.
 *
 * The tarball is packed with --ignore-scripts from the dist/ that `npm test`
 * has just built (prepack would rebuild it, and delete it first, under the
 * feet of other test files). One install of each kind is shared by all
 * cases. Dependencies come from npm's cache (--prefer-offline): `npm ci`
 * filled it. The two installs run at once, and so do the cases, three at a
 * time, each in a folder of its own (the project's two, which share its
 * folder, one after the other): most of their time is npm and 3 s runs.
 */
import { after, before, describe, it as test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { LIFT_CLASSIC_LATENCY, ROOT, startServeProcess } from './cli-helpers.js';

const exec = promisify(execFile);
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const NPM_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

const root = mkdtempSync(path.join(tmpdir(), 'mcpload-install-'));
const globalPrefix = path.join(root, 'global');
const project = path.join(root, 'project');
const globalBin = path.join(globalPrefix, 'bin/mcpload');
let server: { url: string; stop: () => Promise<void> } | undefined;

/**
 * The environment for child npm and mcpload processes: without npm's own
 * variables (under `npm test` they name this repository as the prefix) and
 * without MCPLOAD_* settings of the caller.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm_|MCPLOAD_|MCP_TEST_)/i.test(k)) env[k] = v;
  }
  return env;
}

interface Result { code: number; stdout: string; stderr: string }

async function sh(file: string, args: string[], cwd: string, timeout = 90_000): Promise<Result> {
  try {
    const { stdout, stderr } = await exec(file, args, { cwd, env: userEnv(), timeout, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: `${e.stderr ?? ''}${e.message}` };
  }
}

async function npm(args: string[], cwd: string): Promise<void> {
  const started = Date.now();
  const out = await sh('npm', [...args, ...NPM_FLAGS], cwd, 240_000);
  assert.equal(out.code, 0, `npm ${args.join(' ')} failed:\n${out.stderr}`);
  process.stdout.write(`npm ${args[0]}${args.includes('-g') ? ' -g' : ' -D'} took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** A scenario file that fails its run if it got another copy of mcpload than the one running it. */
const SCENARIO = `import { between, defineScenario, McpHttpClient } from 'mcpload';

export default defineScenario({
  name: 'load',
  userClasses: [{
    name: 'Caller',
    wait: between(0.05, 0.1),
    onStart: async (user) => { await user.mcp.initialize(); },
    tasks: [{
      name: 'list',
      run: async (user) => {
        if (!(user.mcp instanceof McpHttpClient)) throw new Error('the scenario got a second copy of mcpload');
        await user.mcp.listTools();
      },
    }],
  }],
});
`;

function scenarioFolder(name: string, packageJson: object | undefined, file = 'load.ts'): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  if (packageJson !== undefined) writeFileSync(path.join(dir, 'package.json'), JSON.stringify(packageJson));
  // .ts files stay untyped here (no annotations), so the same text is valid .js too.
  writeFileSync(path.join(dir, file), SCENARIO);
  return dir;
}

function assertRan(out: Result, what: string): void {
  assert.equal(out.code, 0, `${what}: exit ${out.code}\n${out.stdout.slice(-3000)}\n${out.stderr.slice(-2000)}`);
  assert.match(out.stdout, /Aggregated\s+[1-9]/, `${what}: no requests in the summary`);
  assert.match(out.stdout, /PASSED/, what);
}

before(async () => {
  const packed = await sh('npm', ['pack', '--ignore-scripts', '--pack-destination', root, '--loglevel=error'], ROOT, 120_000);
  assert.equal(packed.code, 0, packed.stderr);
  const tarball = path.join(root, packed.stdout.trim().split('\n').pop()!);
  assert.ok(existsSync(tarball), `no tarball at ${tarball}`);
  mkdirSync(project);
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'my-load-tests', private: true, type: 'module' }));
  await Promise.all([npm(['install', '-g', '--prefix', globalPrefix, tarball], root), npm(['install', '-D', tarball], project)]);
});

after(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('mcpload installed from its tarball', { concurrency: 3 }, () => {
  test('the tarball holds the built package: dist, web UI, types, examples; no sources, tests or caches', () => {
    const pkg = path.join(project, 'node_modules/mcpload');
    for (const file of ['bin/mcpload.js', 'dist/index.js', 'dist/index.d.ts', 'dist/web/ui/index.html', 'examples/classic-suite.ts', 'package.json']) {
      assert.ok(existsSync(path.join(pkg, file)), `${file} is missing from the installed package`);
    }
    for (const absent of ['src', 'test', '.cache', 'bench', 'dist/index.js.map', 'dist/tsconfig.build.tsbuildinfo', 'dist/tsconfig.classic.tsbuildinfo']) {
      assert.ok(!existsSync(path.join(pkg, absent)), `${absent} should not be in the package`);
    }
    const manifest = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8'));
    assert.equal(manifest.exports['.'].types, './dist/index.d.ts');
    assert.ok(!('node' in (manifest.devDependencies ?? {})) && !('node' in (manifest.dependencies ?? {})), 'a node package would shadow the user\'s node');
  });

  describe('project install (npm i -D), one case after the other in its folder', { concurrency: 1 }, () => {
    test('project install (npm i -D): npx mcpload runs a .ts scenario of a "type": "module" project', { timeout: 120_000 }, async () => {
      writeFileSync(path.join(project, 'load.ts'), SCENARIO);
      assertRan(await sh('npx', ['--no', '--', 'mcpload', 'run', 'load.ts', '--headless', '-u', '2', '-r', '2', '-t', '3s'], project), 'type module project');
    });

    test('project install: mcpload init writes a tsconfig without paths, and the starter type-checks against node_modules', { timeout: 120_000 }, async () => {
      const out = await sh('npx', ['--no', '--', 'mcpload', 'init', '--file', 'starter.ts'], project);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /types in node_modules/);
      const tsconfig = JSON.parse(readFileSync(path.join(project, 'tsconfig.json'), 'utf8'));
      assert.equal(tsconfig.compilerOptions.paths, undefined);
      const tsc = await sh(process.execPath, [TSC, '--noEmit', '-p', '.'], project);
      assert.equal(tsc.code, 0, tsc.stdout);
    });
  });

  test('global install: mcpload run --headless from an empty folder passes, with an HTML report that has the UI inlined', { timeout: 120_000 }, async () => {
    const dir = path.join(root, 'empty');
    mkdirSync(dir);
    const out = await sh(globalBin, ['run', '--headless', '-u', '3', '-r', '3', '-t', '3s', '--html', 'report.html', ...LIFT_CLASSIC_LATENCY], dir);
    assertRan(out, 'mcpload run');
    // The embedded server is dual-era: the default negotiates 2026-07-28, where server/discover stands in for the handshake.
    assert.match(out.stdout, /server\/discover\s+\/mcp\s+[1-9]/);
    const report = readFileSync(path.join(dir, 'report.html'), 'utf8');
    assert.match(report, /<script/);
    assert.ok(statSync(path.join(dir, 'report.html')).size > 20_000, 'the HTML report is too small to hold the UI');
  });

  test('global install: a .ts scenario in a folder with no package.json', { timeout: 120_000 }, async () => {
    const dir = scenarioFolder('no-package-json', undefined);
    assertRan(await sh(globalBin, ['run', 'load.ts', '--headless', '-u', '2', '-r', '2', '-t', '3s'], dir), 'no package.json');
  });

  test('global install: .ts and .js scenarios in a "type": "commonjs" folder', { timeout: 150_000 }, async () => {
    const dir = scenarioFolder('commonjs', { type: 'commonjs' });
    writeFileSync(path.join(dir, 'load.js'), SCENARIO);
    assertRan(await sh(globalBin, ['run', 'load.ts', '--headless', '-u', '2', '-r', '2', '-t', '3s'], dir), 'commonjs .ts');
    assertRan(await sh(globalBin, ['run', 'load.js', '--headless', '-u', '2', '-r', '2', '-t', '3s'], dir), 'commonjs .js');
  });

  test('global install: mcpload init --host writes a scenario that type-checks and runs against that server', { timeout: 180_000 }, async () => {
    server = await startServeProcess();
    const dir = path.join(root, 'init-host');
    mkdirSync(dir);
    const init = await sh(globalBin, ['init', '--host', server.url, '--request-timeout', '3s'], dir);
    assert.equal(init.code, 0, init.stderr);
    const tsconfig = JSON.parse(readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'));
    // A global install: the types come through "paths", from the install itself.
    const mapped: string = tsconfig.compilerOptions.paths.mcpload[0];
    assert.ok(mapped.startsWith(globalPrefix) || mapped.includes('/lib/node_modules/mcpload/'), mapped);
    const tsc = await sh(process.execPath, [TSC, '--noEmit', '-p', '.'], dir);
    assert.equal(tsc.code, 0, tsc.stdout);
    const run = await sh(globalBin, ['run', 'my-scenario.ts', '--headless', '--host', server.url, '-u', '3', '-r', '3', '-t', '3s'], dir);
    assertRan(run, 'the scenario init wrote');
    assert.match(run.stdout, /tools\/call\s+\S+\s+[1-9]/);
  });

  test('inside the clone, npx runs the Node on the PATH: nothing in node_modules/.bin shadows node', async () => {
    assert.ok(!existsSync(path.join(ROOT, 'node_modules/.bin/node')), 'node_modules/.bin/node exists: a dependency provides its own node');
    const direct = await sh('node', ['-p', 'process.execPath'], ROOT);
    const viaNpx = await sh('npx', ['--no', '--', 'node', '-p', 'process.execPath'], ROOT);
    assert.equal(viaNpx.code, 0, viaNpx.stderr);
    assert.equal(viaNpx.stdout.trim(), direct.stdout.trim());
    // And mcpload's bin under npx is a script run by that same node (#!/usr/bin/env node).
    assert.match(readFileSync(path.join(ROOT, 'bin/mcpload.js'), 'utf8'), /^#!\/usr\/bin\/env node\n/);
    const version = await sh('npx', ['--no', '--', 'mcpload', '--version'], ROOT);
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });
});

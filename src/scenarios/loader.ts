/**
 * Loads a scenario written in TypeScript or JavaScript, from any folder, with
 * no build step: `.ts`, `.mts`, `.js`, `.mjs`, with or without a package.json
 * beside it, in "type": "module" and "type": "commonjs" folders alike.
 *
 * tsx compiles the file on import. Where Node would treat it as CommonJS
 * (a `.ts` or `.js` with no package.json, or in a "commonjs" folder), tsx
 * compiles `import … from 'mcpload'` to `require('mcpload')`, so the bare
 * name must resolve for both loaders, and to the very module instances this
 * process runs: a second copy of mcpload (and of undici under it) breaks
 * class identities and undici's brand checks ("TypeError: Illegal
 * constructor"). Hence:
 *
 * - tsx is registered process-wide, not under a tsImport namespace: a
 *   namespace appends `?namespace=…` to every URL it loads, which gives every
 *   dependency of the scenario its own copy.
 * - Our resolve hooks are registered after tsx's, so they run first, before
 *   tsx can map 'mcpload' through the user's tsconfig "paths" to some other copy.
 *   `import` goes through a module.register hook (and module.registerHooks
 *   where Node has it: from 22.15 tsx's own hooks are synchronous ones, which
 *   run before any asynchronous hook); `require` through
 *   Module._resolveFilename, answered from a Module._cache entry that holds
 *   the namespace this process already imported.
 */
import { existsSync } from 'node:fs';
import Module, { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Scenario, ScenarioEnv, ScenarioExport } from './api.js';
import { listenersProblem } from '../metrics/events.js';

export class ScenarioError extends Error {}

/** The bare name scenarios import us by. */
const PUBLIC_NAME = 'mcpload';

let hooksReady: Promise<void> | undefined;

/** The package's public entry file (dist/index.js when built, src/index.ts under tsx). */
function publicEntryFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of ['../index.js', '../index.ts']) {
    const file = path.resolve(here, candidate);
    if (existsSync(file)) return file;
  }
  throw new ScenarioError('mcpload is not built: run npm ci (or npm run build) first');
}

/** Node's CommonJS loader internals we hook; typed here because @types/node does not list them. */
interface CjsLoader {
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _cache: Record<string, unknown>;
}

/** module.registerHooks (Node >= 22.15, 23.5): synchronous hooks for both import and require. */
type SyncResolve = (specifier: string, context: unknown, next: (s: string, c: unknown) => unknown) => unknown;
type RegisterHooks = (hooks: { resolve: SyncResolve }) => unknown;

/** `require('mcpload')` returns the namespace this process imported, never a copy. */
function shareWithRequire(entryFile: string, namespace: object): void {
  const cjs = Module as unknown as CjsLoader;
  const cached = new Module(entryFile);
  cached.filename = entryFile;
  cached.exports = namespace;
  cached.loaded = true;
  cjs._cache[entryFile] = cached;
  const resolveFilename = cjs._resolveFilename;
  cjs._resolveFilename = function (this: unknown, request, ...rest) {
    return request === PUBLIC_NAME ? entryFile : resolveFilename.call(this, request, ...rest);
  };
}

/** `import … from 'mcpload'` resolves to the running package's entry. */
function shareWithImport(entryUrl: string): void {
  const hook =
    `export async function resolve(specifier, context, next) {` +
    ` if (specifier === ${JSON.stringify(PUBLIC_NAME)}) return { url: ${JSON.stringify(entryUrl)}, shortCircuit: true };` +
    ` return next(specifier, context); }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  const registerHooks = (Module as unknown as { registerHooks?: RegisterHooks }).registerHooks;
  registerHooks?.({
    resolve: (specifier, context, next) =>
      specifier === PUBLIC_NAME ? { url: entryUrl, shortCircuit: true } : next(specifier, context),
  });
}

async function registerHooksOnce(): Promise<void> {
  const entryFile = publicEntryFile();
  const entryUrl = pathToFileURL(entryFile).href;
  const namespace = (await import(entryUrl)) as object;
  const [tsxEsm, tsxCjs] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
  tsxEsm.register();
  tsxCjs.register();
  // After tsx, so that these run first.
  shareWithImport(entryUrl);
  shareWithRequire(entryFile, namespace);
}

function registerHooks(): Promise<void> {
  hooksReady ??= registerHooksOnce();
  return hooksReady;
}

/**
 * A CommonJS module compiled from ESM syntax arrives as
 * `{ __esModule: true, default: X }` under the namespace's default: unwrap it.
 */
function unwrapDefault(mod: Record<string, unknown>): unknown {
  let exported = mod.default ?? mod.scenario;
  for (let depth = 0; depth < 2 && isInteropWrapper(exported); depth++) {
    const wrapper = exported as Record<string, unknown>;
    exported = wrapper.default ?? wrapper.scenario;
  }
  return exported;
}

function isInteropWrapper(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || 'userClasses' in value) return false;
  return 'default' in value || 'scenario' in value;
}

/** file:line:column of the first stack frame inside the scenario file, if any. */
function locate(err: unknown, file: string): string {
  const fileUrl = pathToFileURL(file).href;
  const esbuild = (err as { errors?: Array<{ location?: { line: number; column: number } }> }).errors?.[0]?.location;
  if (esbuild) return `${path.relative(process.cwd(), file)}:${esbuild.line}:${esbuild.column + 1}`;
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
  for (const line of stack.split('\n')) {
    const at = line.indexOf(fileUrl) >= 0 ? line.slice(line.indexOf(fileUrl) + fileUrl.length) : line.indexOf(file) >= 0 ? line.slice(line.indexOf(file) + file.length) : null;
    const m = at?.match(/^:(\d+):(\d+)/);
    if (m) return `${path.relative(process.cwd(), file)}:${m[1]}:${m[2]}`;
  }
  return path.relative(process.cwd(), file);
}

function firstLine(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  // esbuild prefixes "Transform failed with 1 error:\n<file>:<l>:<c>: ERROR: <text>"
  const esbuildText = raw.match(/ERROR: (.*)/);
  return (esbuildText?.[1] ?? raw).split('\n')[0]!.trim();
}

/** What to do about the two errors a file's module kind (CommonJS or ES module) causes. */
function moduleKindHint(message: string): string {
  if (/top-level await/i.test(message)) {
    return ' (Node treats this file as CommonJS here: rename it to .mts, or put a package.json with "type": "module" beside it)';
  }
  if (/require is not defined in ES module scope/.test(message)) return " (write import { ... } from 'mcpload' instead)";
  return '';
}

export async function importScenarioModule(file: string): Promise<ScenarioExport> {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) throw new ScenarioError(`scenario file not found: ${file}`);
  await registerHooks();
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (err) {
    const message = firstLine(err);
    throw new ScenarioError(`${locate(err, absolute)}: ${message}${moduleKindHint(message)}`);
  }
  const exported = unwrapDefault(mod);
  if (exported === undefined) {
    throw new ScenarioError(`${path.relative(process.cwd(), absolute)}: no default export (export default defineScenario({...}))`);
  }
  if (typeof exported !== 'function' && typeof exported !== 'object') {
    throw new ScenarioError(`${path.relative(process.cwd(), absolute)}: the default export is not a scenario`);
  }
  return exported as ScenarioExport;
}

/** Builds the scenario (factories run once, with the target known) and checks its shape. */
export async function resolveScenario(exported: ScenarioExport, env: ScenarioEnv, file: string): Promise<Scenario> {
  let scenario: Scenario;
  try {
    scenario = typeof exported === 'function' ? await exported(env) : exported;
  } catch (err) {
    throw new ScenarioError(`${locate(err, path.resolve(file))}: ${firstLine(err)}`);
  }
  const where = path.relative(process.cwd(), path.resolve(file));
  if (!scenario || !Array.isArray(scenario.userClasses) || scenario.userClasses.length === 0) {
    throw new ScenarioError(`${where}: the scenario has no userClasses`);
  }
  for (const cls of scenario.userClasses) {
    if (!cls || typeof cls.name !== 'string' || !Array.isArray(cls.tasks)) {
      throw new ScenarioError(`${where}: every user class needs a name and a tasks array`);
    }
    for (const t of cls.tasks) {
      if (!t || typeof t.run !== 'function') throw new ScenarioError(`${where}: a task of ${cls.name} has no run function`);
    }
  }
  const eventsProblem = scenario.events === undefined ? undefined : listenersProblem(scenario.events);
  if (eventsProblem !== undefined) throw new ScenarioError(`${where}: ${eventsProblem}`);
  return { ...scenario, name: scenario.name || path.basename(file) };
}

/** The built-in classic suite is the example file itself: one source for both. */
function classicScenarioFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // src/scenarios → ../../examples, dist/scenarios → ../../examples
  return path.resolve(here, '../../examples/classic-suite.ts');
}

/**
 * The classic suite's module. The build compiles it to dist/examples/ (see
 * tsconfig.classic.json): that copy imports 'mcpload' from inside this
 * package, which Node resolves to this very entry by itself, so it needs
 * neither tsx nor our resolve hooks, and a run starts without loading them
 * (measured: about half a second of a run's start under load). From source
 * (tsx), or a build without it, the example file is loaded as any other.
 */
export async function importClassicScenario(): Promise<{ file: string; exported: ScenarioExport }> {
  const compiled = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../examples/classic-suite.js');
  if (!existsSync(compiled)) {
    const file = classicScenarioFile();
    return { file, exported: await importScenarioModule(file) };
  }
  const mod = (await import(pathToFileURL(compiled).href)) as { default: ScenarioExport };
  return { file: compiled, exported: mod.default };
}

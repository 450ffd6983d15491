/**
 * Loads a scenario written in TypeScript (or JavaScript) with no build step:
 * tsx compiles it on import, and a resolve hook maps the bare specifier
 * 'mcpload' to this very package, so a scenario anywhere on disk can
 * `import { ... } from 'mcpload'` and share our module instances.
 */
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Scenario, ScenarioEnv, ScenarioExport } from './api.js';

export class ScenarioError extends Error {}

let hookRegistered = false;

/** The package's public entry (dist/index.js when built, src/index.ts under tsx). */
function publicEntryUrl(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of ['../index.js', '../index.ts']) {
    const file = path.resolve(here, candidate);
    if (existsSync(file)) return pathToFileURL(file).href;
  }
  throw new ScenarioError('mcpload is not built: run npm ci (or npm run build) first');
}

function registerHooks(): void {
  if (hookRegistered) return;
  hookRegistered = true;
  const entry = publicEntryUrl();
  const hook =
    `export async function resolve(specifier, context, next) {` +
    ` if (specifier === 'mcpload') return { url: ${JSON.stringify(entry)}, shortCircuit: true };` +
    ` return next(specifier, context); }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
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

export async function importScenarioModule(file: string): Promise<ScenarioExport> {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) throw new ScenarioError(`scenario file not found: ${file}`);
  registerHooks();
  const { tsImport } = await import('tsx/esm/api');
  let mod: { default?: unknown };
  try {
    mod = await tsImport(pathToFileURL(absolute).href, import.meta.url);
  } catch (err) {
    throw new ScenarioError(`${locate(err, absolute)}: ${firstLine(err)}`);
  }
  const exported = mod.default ?? (mod as { scenario?: unknown }).scenario;
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
  return { ...scenario, name: scenario.name || path.basename(file) };
}

/** The built-in classic suite is the example file itself: one source for both. */
export function classicScenarioFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // src/scenarios → ../../examples, dist/scenarios → ../../examples
  return path.resolve(here, '../../examples/classic-suite.ts');
}

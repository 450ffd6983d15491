/**
 * `mcpload init`: a starter scenario and a tsconfig.json in the current
 * folder, like `k6 new`. Without a host the scenario is a documented example
 * that runs against the built-in reference server; with one, init opens an
 * MCP session (Streamable HTTP), lists the server's tools and writes one task
 * per tool with arguments generated from its input schema.
 *
 * Which tools run by default follows the discovery scenario's rule: only
 * tools annotated read-only. Those are tried once with their generated
 * arguments (a read-only call changes nothing), and one that fails is left
 * commented out with the server's answer, so the starter passes as written.
 * Writes, destructive and unannotated tools are never called by init and
 * stay commented out.
 */
import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorLabel } from '../metrics/sample.js';
import { planToolArguments } from '../scenarios/discover.js';
import { listCatalog, openProbeSession, type ListedToolInfo } from '../scenarios/discovery-probe.js';
import { createRng } from '../engine/rng.js';
import { classifyTool } from '../scenarios/tool-selection.js';
import type { McpClient } from '../transports/mcp-client.js';
import type { TlsOptions } from '../transports/tls-options.js';
import { exampleScenario, hostScenario, tsconfigJson, type InitTool } from './init-templates.js';
import { RunSetupError } from './scenario-setup.js';
import { openTarget } from './target.js';

export interface InitOptions {
  /** The folder to write into (the current folder). */
  dir: string;
  /** The scenario's file name, relative to `dir`. */
  file: string;
  force: boolean;
  host?: string;
  authToken?: string;
  headers: Record<string, string>;
  requestTimeoutMs: number;
  tls?: TlsOptions;
}

export interface InitIo {
  out(text: string): void;
}

const TSCONFIG = 'tsconfig.json';
/** Same seed, same arguments: init run twice on one server writes the same file. */
const ARGS_SEED = 1;

/** This package's folder (…/mcpload), from dist/app or src/app. */
function packageRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
}

/** The .d.ts editors should read for 'mcpload' from `dir`; undefined when the folder resolves the package itself. */
export function typesMapping(dir: string): string | undefined {
  try {
    // A local install (or this clone, by self-reference) gives editors the package's own "types".
    createRequire(path.join(dir, 'noop.js')).resolve('mcpload/package.json');
    return undefined;
  } catch {
    const root = realpathSync(packageRoot());
    const built = path.join(root, 'dist/index.d.ts');
    return existsSync(built) ? built : path.join(root, 'src/index.ts');
  }
}

function checkFileName(file: string): void {
  if (!/\.m?ts$/.test(file)) throw new RunSetupError(`--file ${file}: the starter is TypeScript, so the name must end in .ts or .mts`);
}

/** Tries a read-only tool once; the failure's text, or undefined when it answered. */
async function tryTool(client: McpClient, name: string, args: Record<string, unknown>): Promise<string | undefined> {
  const out = await client.callTool(name, args);
  return out.ok ? undefined : errorLabel(out.error);
}

const LEFT_OUT: Record<string, string> = {
  write: 'it changes data on the server (annotations: readOnlyHint false, destructiveHint false)',
  destructive: 'it may delete or overwrite data on the server (annotations: destructiveHint true)',
  unannotated: 'it has no annotations, and MCP then assumes a tool may delete or overwrite data',
};

async function planTool(client: McpClient, tool: ListedToolInfo, rng: ReturnType<typeof createRng>): Promise<InitTool> {
  const listed = (tool as { description?: unknown }).description;
  const description = typeof listed === 'string' && listed.trim() !== '' ? listed : undefined;
  const plan = planToolArguments(tool, rng);
  const args = 'argSets' in plan ? plan.argSets[0]! : {};
  const base = { name: tool.name, args, ...(description ? { description } : {}) };
  const kind = classifyTool(tool);
  if (kind !== 'read-only') return { ...base, status: { kind: 'commented', reason: LEFT_OUT[kind]! } };
  if ('problem' in plan) return { ...base, status: { kind: 'commented', reason: `mcpload could not generate arguments: ${plan.problem}; write them by hand` } };
  const failure = await tryTool(client, tool.name, args);
  if (failure !== undefined) return { ...base, status: { kind: 'commented', reason: `init tried it with these arguments and it failed (${failure}); fix them, then uncomment` } };
  return { ...base, status: { kind: 'active' } };
}

/** Connects, lists and plans the server's tools. */
async function scenarioForHost(opts: InitOptions & { host: string }): Promise<{ text: string; summary: string }> {
  const target = await openTarget({
    host: opts.host, authToken: opts.authToken, headers: opts.headers, requestTimeoutMs: opts.requestTimeoutMs, tls: opts.tls,
  });
  try {
    let client: McpClient;
    try {
      // The version the run will negotiate too: the catalog (and which tools pass their trial call) can differ between eras.
      client = await openProbeSession({ ...target.env, protocolVersion: target.protocolVersion });
    } catch (err) {
      throw new RunSetupError(`${(err as Error).message.replace(/^discover: /, 'init: ')} (init speaks MCP over Streamable HTTP; point --host at the MCP endpoint)`);
    }
    try {
      const catalog = await listCatalog(client);
      const rng = createRng(ARGS_SEED);
      const tools: InitTool[] = [];
      for (const tool of catalog.tools) tools.push(await planTool(client, tool, rng));
      const has = (name: string) => typeof catalog.capabilities[name] === 'object' && catalog.capabilities[name] !== null;
      const text = hostScenario({
        file: opts.file, host: opts.host, mcpUrl: target.env.mcpUrl, tools,
        hasResources: has('resources'), hasPrompts: has('prompts'), writtenOn: new Date().toISOString().slice(0, 10),
      });
      const active = tools.filter((t) => t.status.kind === 'active').length;
      return { text, summary: `${catalog.tools.length} tools listed by ${target.env.mcpUrl}, ${active} called by the scenario, ${catalog.tools.length - active} left commented out (see why in the file)` };
    } finally {
      await client.close();
    }
  } finally {
    await target.close();
  }
}

/** Writes the files; returns the exit code (0). Bad input and unreachable hosts throw RunSetupError (exit 2). */
export async function runInit(opts: InitOptions, io: InitIo): Promise<number> {
  checkFileName(opts.file);
  const scenarioPath = path.resolve(opts.dir, opts.file);
  const tsconfigPath = path.join(path.dirname(scenarioPath), TSCONFIG);
  if (!existsSync(path.dirname(scenarioPath))) throw new RunSetupError(`--file ${opts.file}: no folder ${path.dirname(scenarioPath)}`);
  if (existsSync(scenarioPath) && !opts.force) {
    throw new RunSetupError(`${opts.file} already exists: choose another name with --file, or overwrite it with --force`);
  }
  // Before any file is written: a host that cannot be reached leaves the folder as it was.
  const built = opts.host === undefined
    ? { text: exampleScenario(opts.file), summary: 'an example that runs against the built-in reference server' }
    : await scenarioForHost({ ...opts, host: opts.host });
  writeFileSync(scenarioPath, built.text);
  io.out(`wrote ${opts.file}: ${built.summary}\n`);
  // An existing tsconfig.json is the user's project set-up: replaced only when asked.
  if (existsSync(tsconfigPath) && !opts.force) {
    io.out(`kept the existing ${TSCONFIG} (--force replaces it with one that finds mcpload's types)\n`);
  } else {
    const mapped = typesMapping(path.dirname(scenarioPath));
    writeFileSync(tsconfigPath, tsconfigJson(mapped));
    io.out(`wrote ${TSCONFIG}: ${mapped === undefined ? "editors find mcpload's types in node_modules" : `editors find mcpload's types at ${mapped}`}\n`);
  }
  const hostFlag = opts.host === undefined ? '' : ` --host ${opts.host}`;
  io.out(`\nNext:\n  mcpload run ${opts.file}${hostFlag} --headless -u 10 -r 2 -t 30s\n`);
  return 0;
}

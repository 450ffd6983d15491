/**
 * Looks at an MCP server before a discovery run: one unrecorded session
 * lists everything it offers (following `nextCursor`), and finds argument
 * values that its prompts and resource templates accept. Prompt arguments
 * and URI variables carry no schema, so values come from the server's own
 * `completion/complete` when it offers completions, else from a few plain
 * guesses; each candidate set is tried once and only accepted ones are kept.
 */
import type { Dispatcher } from 'undici';
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type { Recorder, SampleError } from '../metrics/sample.js';
import { errorLabel } from '../metrics/sample.js';
import { createMcpClient } from '../transports/create-client.js';
import type { McpClient, McpConnector } from '../transports/mcp-client.js';
import { startupTimeoutReason } from '../transports/startup-deadline.js';
import { clientCapabilities, type ServerRequestReplies } from '../transports/server-messages.js';

/** Pages followed per list before giving up (a server that loops its cursor must not hang the setup). */
const MAX_PAGES = 100;
/** Candidate argument sets tried per prompt or template. */
const MAX_CANDIDATES = 4;

export interface ListedToolInfo {
  name: string;
  inputSchema?: unknown;
  outputSchema?: unknown;
  /** 2025-11-25: `{ taskSupport }`, whether the tool is called as a task (task-call.ts). */
  execution?: unknown;
  annotations?: { readOnlyHint?: unknown; destructiveHint?: unknown };
}

export interface ListedPrompt {
  name: string;
  arguments?: Array<{ name: string; required?: boolean }>;
}

export interface Catalog {
  capabilities: Record<string, unknown>;
  tools: ListedToolInfo[];
  resources: Array<{ uri: string }>;
  templates: Array<{ uriTemplate: string }>;
  prompts: ListedPrompt[];
}

/** Keeps the last error, so a failed setup can say why. */
class LastErrorRecorder implements Recorder {
  last: string | undefined;
  record(_type: string, _name: string, _latencyUs: number, _bytes: number, error?: SampleError): void {
    if (error !== undefined) this.last = errorLabel(error);
  }
  exception(): void {}
}

export interface ProbeTarget {
  mcpUrl: string;
  dispatcher: Dispatcher;
  headers: Record<string, string>;
  timeoutMs: number;
  protocolVersion?: string;
  mcpConnector?: McpConnector;
  /** Start-up's deadline for a silent target (ScenarioEnv.startupSignal). */
  startupSignal?: AbortSignal;
}

/**
 * An unrecorded session on the target, for discovery. Throws when the
 * handshake fails. `startupSignal` bounds the handshake only: a target that
 * answered it may take its time over the listing that follows. `replies` are
 * the answers the virtual users give, so the session declares the same client
 * capabilities they do (servers may list more to a client that can answer
 * sampling, elicitation or roots).
 */
export async function openProbeSession(target: ProbeTarget, replies?: ServerRequestReplies): Promise<McpClient> {
  const where = target.mcpConnector?.description ?? target.mcpUrl;
  const silent = () => new Error(`discover: no MCP handshake with ${where}: ${startupTimeoutReason(target.startupSignal)}`);
  if (target.startupSignal?.aborted === true) throw silent();
  const recorder = new LastErrorRecorder();
  const handshake = new AbortController();
  const cut = () => handshake.abort();
  target.startupSignal?.addEventListener('abort', cut, { once: true });
  // Its own process under --stdio-shared: the run's first user must make (and record) the shared handshake.
  const client = createMcpClient(target, { recorder, protocolVersion: target.protocolVersion, ownProcess: true, signal: handshake.signal, serverRequests: replies });
  const ok = await client.initialize();
  target.startupSignal?.removeEventListener('abort', cut);
  if (handshake.signal.aborted) throw silent();
  if (!ok) throw new Error(`discover: the MCP handshake with ${where} failed (${recorder.last ?? 'no reply'})`);
  return client;
}

/** Every item of a paginated list; stops at MAX_PAGES or a repeated cursor. */
export async function listAll<T>(client: McpClient, method: string, key: string): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await client.request(method, cursor === undefined ? {} : { cursor });
    if (!out.ok) {
      if (page === 0) throw new Error(`discover: ${method} failed (${errorLabel(out.error)})`);
      break; // keep what the earlier pages gave
    }
    const list = (out.result as Record<string, unknown> | undefined)?.[key];
    if (Array.isArray(list)) items.push(...(list as T[]));
    const next = (out.result as { nextCursor?: unknown } | undefined)?.nextCursor;
    if (typeof next !== 'string' || next.length === 0 || seen.has(next)) break;
    seen.add(next);
    cursor = next;
  }
  return items;
}

/** Lists what the server announces in its capabilities. */
export async function listCatalog(client: McpClient): Promise<Catalog> {
  const capabilities = client.serverCapabilities ?? {};
  const has = (name: string) => typeof capabilities[name] === 'object' && capabilities[name] !== null;
  const catalog: Catalog = { capabilities, tools: [], resources: [], templates: [], prompts: [] };
  if (has('tools')) catalog.tools = (await listAll<ListedToolInfo>(client, 'tools/list', 'tools')).filter((t) => typeof t?.name === 'string');
  if (has('resources')) {
    catalog.resources = (await listAll<{ uri: string }>(client, 'resources/list', 'resources')).filter((r) => typeof r?.uri === 'string');
    catalog.templates = (await listAll<{ uriTemplate: string }>(client, 'resources/templates/list', 'resourceTemplates'))
      .filter((t) => typeof t?.uriTemplate === 'string');
  }
  if (has('prompts')) catalog.prompts = (await listAll<ListedPrompt>(client, 'prompts/list', 'prompts')).filter((p) => typeof p?.name === 'string');
  return catalog;
}

/** The names in each list of a catalog, for comparing two of them. */
function catalogNames(catalog: Catalog): Record<string, string[]> {
  return {
    tools: catalog.tools.map((t) => t.name),
    resources: catalog.resources.map((r) => r.uri),
    'resource templates': catalog.templates.map((t) => t.uriTemplate),
    prompts: catalog.prompts.map((p) => p.name),
  };
}

/** What `asUsers` lists that `bare` does not, and the reverse, as note lines; none when both are the same. */
export function describeCatalogDifference(asUsers: Catalog, bare: Catalog, declared: readonly string[]): string[] {
  const users = catalogNames(asUsers);
  const plain = catalogNames(bare);
  const lines: string[] = [];
  for (const [list, names] of Object.entries(users)) {
    const other = new Set(plain[list]);
    const only = names.filter((n) => !other.has(n));
    const missing = plain[list]!.filter((n) => !names.includes(n));
    if (only.length === 0 && missing.length === 0) continue;
    const parts = [`${names.length} ${list} to clients declaring ${declared.join(', ')}, ${plain[list]!.length} to a client declaring none`];
    if (only.length > 0) parts.push(`only with the capabilities: ${only.join(', ')}`);
    if (missing.length > 0) parts.push(`only without them: ${missing.join(', ')}`);
    lines.push(`discover: the server offers different catalogs to different client capabilities: ${parts.join('; ')} (the run uses the users' catalog)`);
  }
  return lines;
}

/**
 * The catalog as a client that declares no capabilities sees it, or
 * undefined when it cannot be listed (best effort: it only feeds a note).
 * Its session is closed before the users' one opens, so that no two setup
 * sessions (over stdio: processes) are open at once.
 */
export async function listBareCatalog(target: ProbeTarget): Promise<Catalog | undefined> {
  let bare: McpClient | undefined;
  try {
    bare = await openProbeSession(target);
    return await listCatalog(bare);
  } catch {
    return undefined;
  } finally {
    await bare?.close();
  }
}

/** Notes on how the users' catalog differs from the bare one; none when the same, unknown, or no capability is declared. */
export function catalogDifferenceNotes(asUsers: Catalog, bare: Catalog | undefined, replies: ServerRequestReplies): string[] {
  const declared = Object.keys(clientCapabilities(replies));
  return bare === undefined || declared.length === 0 ? [] : describeCatalogDifference(asUsers, bare, declared);
}

/** Plain guesses for a value with no schema: ids get small numbers, the rest a word or a number. */
function fallbackValues(argName: string): string[] {
  return /(id|count|number|num|index|page|limit|size)$/i.test(argName) ? ['1', '2', '3'] : ['example', '1', 'test'];
}

async function completions(client: McpClient, ref: object, argName: string): Promise<string[]> {
  const out = await client.request('completion/complete', { ref, argument: { name: argName, value: '' } });
  const values = out.ok ? (out.result as { completion?: { values?: unknown } } | undefined)?.completion?.values : undefined;
  return Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string').slice(0, MAX_CANDIDATES) : [];
}

/** Up to MAX_CANDIDATES argument sets: set k takes the k-th value of each argument's list (cycling). */
async function candidateSets(
  client: McpClient, argNames: string[], ref: object, useCompletions: boolean,
): Promise<Array<Record<string, string>>> {
  const lists: string[][] = [];
  for (const name of argNames) {
    const offered = useCompletions ? await completions(client, ref, name) : [];
    lists.push(offered.length > 0 ? offered : fallbackValues(name));
  }
  const sets: Array<Record<string, string>> = [];
  const seen = new Set<string>();
  for (let k = 0; k < MAX_CANDIDATES; k++) {
    const set: Record<string, string> = {};
    argNames.forEach((name, i) => { const list = lists[i]!; set[name] = list[k % list.length]!; });
    const key = JSON.stringify(set);
    if (!seen.has(key)) { seen.add(key); sets.push(set); }
  }
  return sets;
}

/** Argument sets the prompt accepted; `[{}]` for a prompt without required arguments. */
export async function acceptedPromptArgs(client: McpClient, prompt: ListedPrompt, useCompletions: boolean): Promise<Array<Record<string, string>>> {
  const required = (prompt.arguments ?? []).filter((a) => a?.required === true && typeof a.name === 'string').map((a) => a.name);
  const sets = required.length === 0 ? [{}] : await candidateSets(client, required, { type: 'ref/prompt', name: prompt.name }, useCompletions);
  const accepted: Array<Record<string, string>> = [];
  for (const set of sets) if ((await client.getPrompt(prompt.name, set)).ok) accepted.push(set);
  return accepted;
}

/** URIs, expanded from the template, that the server could read. */
export async function acceptedTemplateUris(client: McpClient, uriTemplate: string, useCompletions: boolean): Promise<string[]> {
  let template: UriTemplate;
  try {
    template = new UriTemplate(uriTemplate);
  } catch {
    return [];
  }
  const sets = await candidateSets(client, template.variableNames, { type: 'ref/resource', uri: uriTemplate }, useCompletions);
  const accepted: string[] = [];
  for (const set of sets) {
    const uri = template.expand(set);
    if ((await client.readResource(uri)).ok) accepted.push(uri);
  }
  return accepted;
}

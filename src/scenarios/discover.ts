/**
 * The discovery scenario: zero-config load on any MCP server. It asks the
 * server what it offers and builds a weighted workload from the answer:
 * every selected tool called with arguments generated from its
 * `inputSchema` (and its `structuredContent` checked against its
 * `outputSchema`), every resource read, every template read with values the
 * server accepted, every prompt got, plus the list calls themselves.
 *
 * Arguments are generated once, at setup, from a seed (16 sets per tool,
 * each validated with ajv), so that the hot path only picks one and two runs
 * with the same `--seed` send the same argument sets.
 */
import { between } from '../engine/user-class.js';
import type { Scenario, ScenarioEnv, Task, VirtualUser } from './api.js';
import {
  acceptedPromptArgs, acceptedTemplateUris, catalogDifferenceNotes, listBareCatalog, listCatalog, openProbeSession, type ListedToolInfo,
} from './discovery-probe.js';
import { compileSchema, type SchemaCheck } from './json-schema.js';
import { createRng, type Rng } from '../engine/rng.js';
import { SchemaArgGenerator } from './schema-args.js';
import { agentReplies } from './agent-replies.js';
import { describeSelection, selectTools, type ToolSafetyOptions } from './tool-selection.js';
import { isStatelessRevision } from '../protocol/rev-2026-07-28.js';
import { McpHttpClient } from '../transports/mcp-http.js';
import { ServerStream } from '../transports/server-stream.js';
import type { ServerRequestReplies } from '../transports/server-messages.js';
import { callsAsTask, STATUS_NOTIFICATION, TaskCaller, taskSupportOf, type TaskMode } from '../transports/task-call.js';

export interface DiscoverOptions extends ToolSafetyOptions {
  /** Seed for argument generation; random (and printed) when absent. */
  seed?: number;
  protocolVersion?: string;
  /** Which tools are called as tasks: those that require it (default), or also those that allow it. */
  tasks?: TaskMode;
}

/** Argument sets kept per tool. */
const ARG_SETS = 16;
/** Resources read individually (one stats row each); beyond this a server's list is sampled. */
const MAX_RESOURCES = 50;
const TOOL_WEIGHT = 3;

interface PlannedTool {
  name: string;
  argSets: Array<Record<string, unknown>>;
  checkOutput: ((result: any) => string | undefined) | undefined;
  /** Called as a task (task-call.ts) rather than a plain tools/call. */
  asTask: boolean;
}

/** Generates argument sets valid against the tool's inputSchema; a reason instead when none could be made. */
export function planToolArguments(tool: ListedToolInfo, rng: Rng): { argSets: Array<Record<string, unknown>> } | { problem: string } {
  const schema = tool.inputSchema ?? { type: 'object' };
  let check: SchemaCheck | undefined;
  try {
    check = compileSchema(schema);
  } catch (err) {
    return { problem: `its inputSchema cannot be used (${(err as Error).message})` };
  }
  const generator = new SchemaArgGenerator(rng);
  const argSets: Array<Record<string, unknown>> = [];
  let firstProblem: string | undefined;
  // A few extra tries, since random optional parts can break a pattern or `not`.
  for (let i = 0; i < ARG_SETS * 3 && argSets.length < ARG_SETS; i++) {
    const args = generator.toolArguments(schema);
    const problem = check(args);
    if (problem === undefined) argSets.push(args);
    else firstProblem ??= problem;
  }
  return argSets.length > 0 ? { argSets } : { problem: `no generated arguments fit its inputSchema (${firstProblem})` };
}

/** The check run on each reply of a tool that declares an outputSchema. */
export function outputCheck(outputSchema: unknown): ((result: any) => string | undefined) | { problem: string } | undefined {
  if (outputSchema === undefined) return undefined;
  let check: SchemaCheck;
  try {
    check = compileSchema(outputSchema);
  } catch (err) {
    return { problem: (err as Error).message };
  }
  return (result) => {
    const structured = result?.structuredContent;
    // Spec: a tool with an outputSchema MUST return structuredContent that conforms to it.
    if (structured === undefined) return 'no structuredContent although the tool declares an outputSchema';
    const problem = check(structured);
    return problem === undefined ? undefined : `structuredContent does not match outputSchema: ${problem}`;
  };
}

function userRng(user: VirtualUser, seed: number): Rng {
  let rng = user.data.discoverRng as Rng | undefined;
  if (rng === undefined) {
    rng = createRng(seed + user.id * 7919);
    user.data.discoverRng = rng;
  }
  return rng;
}

function pickFrom<T>(items: readonly T[], rng: Rng): T {
  return items[Math.floor(rng() * items.length)]!;
}

/** Sets up a user's session: what onStart does, and again whenever the server has dropped the session. */
type SessionSetUp = (user: VirtualUser) => Promise<boolean>;

/** A task that first brings the session back, whole, when the server dropped it (expired, or restarted). */
function task(name: string, weight: number, tags: string[], setUp: SessionSetUp, run: (user: VirtualUser) => Promise<unknown>): Task {
  return { name, weight, tags, run: async (user) => { if (user.mcp.initialized || await setUp(user)) await run(user); } };
}

export async function buildDiscoverScenario(env: ScenarioEnv, opts: DiscoverOptions): Promise<Scenario> {
  const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
  // Tools that ask the client for sampling, elicitation or roots get an agent's answer; the catalog is listed with the
  // same client capabilities, since servers may offer such a client more.
  const serverRequests = agentReplies(seed);
  const target = { ...env, protocolVersion: opts.protocolVersion };
  const bare = await listBareCatalog(target);
  const probe = await openProbeSession(target, serverRequests);
  try {
    const catalog = await listCatalog(probe);
    const useCompletions = typeof catalog.capabilities.completions === 'object' && catalog.capabilities.completions !== null;
    const notes: string[] = catalogDifferenceNotes(catalog, bare, serverRequests);
    const tasks: Task[] = [];
    const setUp: SessionSetUp = (user) => openSession(user, env, serverRequests);

    // --- tools ---------------------------------------------------------------
    const selection = selectTools(catalog.tools, opts);
    const rng = createRng(seed);
    const planned: PlannedTool[] = [];
    const unusable: string[] = [];
    // By name: the first pass over the tasks (coverEveryTaskFirst) then does not depend on the server's listing order.
    for (const tool of [...selection.selected].sort((a, b) => a.name.localeCompare(b.name))) {
      const asTask = callsAsTask(tool, catalog.capabilities, opts.tasks ?? 'required');
      if (!asTask && taskSupportOf(tool) === 'required') {
        unusable.push(`${tool.name}: it must be called as a task, and the server declares no task-augmented tools/call`);
        continue;
      }
      const plan = planToolArguments(tool, rng);
      if ('problem' in plan) { unusable.push(`${tool.name}: ${plan.problem}`); continue; }
      const out = outputCheck(tool.outputSchema);
      if (out !== undefined && typeof out !== 'function') notes.push(`tool ${tool.name}: outputSchema not checked (${out.problem})`);
      planned.push({ name: tool.name, argSets: plan.argSets, checkOutput: typeof out === 'function' ? out : undefined, asTask });
    }
    for (const tool of planned) {
      tasks.push(task(`tools/call ${tool.name}`, TOOL_WEIGHT, ['tools'], setUp, (user) => {
        const args = pickFrom(tool.argSets, userRng(user, seed));
        if (tool.asTask) return taskCaller(user, env).call(tool.name, args, tool.checkOutput);
        return user.mcp.callTool(tool.name, args, tool.checkOutput ? { validate: tool.checkOutput } : undefined);
      }));
    }
    if (catalog.tools.length > 0) tasks.push(task('tools/list', 1, ['list'], setUp, (user) => user.mcp.listTools({ name: 'tools/list' })));

    // --- resources and templates -------------------------------------------------
    const resources = catalog.resources.slice(0, MAX_RESOURCES);
    if (catalog.resources.length > MAX_RESOURCES) notes.push(`reading the first ${MAX_RESOURCES} of ${catalog.resources.length} resources`);
    for (const r of resources) tasks.push(task(`resources/read ${r.uri}`, 1, ['resources'], setUp, (user) => user.mcp.readResource(r.uri)));
    const skippedTemplates: string[] = [];
    for (const t of catalog.templates) {
      const uris = await acceptedTemplateUris(probe, t.uriTemplate, useCompletions);
      if (uris.length === 0) { skippedTemplates.push(t.uriTemplate); continue; }
      tasks.push(task(`resources/read ${t.uriTemplate}`, 1, ['resources'], setUp, (user) =>
        user.mcp.readResource(pickFrom(uris, userRng(user, seed)), { name: t.uriTemplate })));
    }
    if (catalog.capabilities.resources !== undefined) {
      tasks.push(task('resources/list', 1, ['list'], setUp, (user) => user.mcp.listResources({ name: 'resources/list' })));
      tasks.push(task('resources/templates/list', 1, ['list'], setUp, (user) =>
        user.mcp.request('resources/templates/list', {}, { name: 'resources/templates/list' })));
    }

    // --- prompts -------------------------------------------------------------------
    const skippedPrompts: string[] = [];
    for (const p of catalog.prompts) {
      const argSets = await acceptedPromptArgs(probe, p, useCompletions);
      if (argSets.length === 0) { skippedPrompts.push(p.name); continue; }
      tasks.push(task(`prompts/get ${p.name}`, 1, ['prompts'], setUp, (user) => user.mcp.getPrompt(p.name, pickFrom(argSets, userRng(user, seed)))));
    }
    if (catalog.capabilities.prompts !== undefined) {
      tasks.push(task('prompts/list', 1, ['list'], setUp, (user) => user.mcp.listPrompts({ name: 'prompts/list' })));
    }
    // 2026-07-28 removed ping: a stateless client never sends it.
    if (!isStatelessRevision(opts.protocolVersion ?? '')) tasks.push(task('ping', 1, ['list'], setUp, (user) => user.mcp.ping({ name: 'ping' })));

    // --- what the user should know -------------------------------------------------
    notes.unshift(`discover: calling ${planned.length} of ${catalog.tools.length} tools, reading ${resources.length} resources ` +
      `and ${catalog.templates.length - skippedTemplates.length} templates, getting ${catalog.prompts.length - skippedPrompts.length} prompts ` +
      `(--seed ${seed} repeats these arguments)`);
    notes.push(...describeSelection(selection, catalog.tools.length));
    const taskTools = planned.filter((t) => t.asTask).map((t) => t.name);
    if (taskTools.length > 0) notes.push(`called as tasks (tools/call, then tasks/get at the server's pollInterval, tasks/result): ${taskTools.join(', ')}`);
    for (const line of unusable) notes.push(`skipped tool ${line}`);
    if (skippedTemplates.length > 0) notes.push(`skipped templates no guessed value could read: ${skippedTemplates.join(', ')}`);
    if (skippedPrompts.length > 0) notes.push(`skipped prompts no guessed arguments were accepted by: ${skippedPrompts.join(', ')}`);

    return {
      name: 'discover',
      description: `discovered workload of ${env.mcpUrl}`,
      notes,
      // Locust fails a run on any failure; we allow 1 %. mcpload's own defaults add that every outputSchema check
      // holds and no task throws. A tool that fails by design (the reference server's `fail`) fails the run too:
      // leave it out with --tools, or raise the rate with --threshold error_rate<...
      thresholds: ['error_rate<1%'],
      serverRequests,
      userClasses: [{
        name: 'DiscoveryUser',
        wait: between(0.5, 2),
        coverEveryTaskFirst: true,
        onStart: async (user) => {
          await setUp(user);
        },
        onStop: async (user) => {
          // Tasks still running at the stop are cancelled before the session ends.
          await (user.data.taskCaller as TaskCaller | undefined)?.cancelRunning();
          await closeServerStream(user);
        },
        tasks,
      }],
    };
  } finally {
    await probe.close();
  }
}

/**
 * A discovery user's session, set up whole: the handshake, then the
 * session's server stream. Run by onStart and again each time a task finds
 * the session gone (404: it expired, or the server restarted), so that a
 * session that comes back comes back with its stream, and the tools that ask
 * the client (sampling, elicitation) keep working. The previous session's
 * stream is closed first: the server ended it with the session.
 */
async function openSession(user: VirtualUser, env: ScenarioEnv, replies: ServerRequestReplies): Promise<boolean> {
  await closeServerStream(user);
  if (!(await user.mcp.initialize())) return false;
  user.data.serverStream = await listenToServer(user, env, replies);
  return true;
}

async function closeServerStream(user: VirtualUser): Promise<void> {
  const stream = user.data.serverStream as ServerStream | undefined;
  user.data.serverStream = undefined;
  await stream?.close();
}

/**
 * Like real agent clients, each user listens on the session's standalone GET
 * stream: SDK servers send sampling and elicitation requests there when the
 * tool that asks does not tie them to its call. HTTP sessions only.
 */
async function listenToServer(user: VirtualUser, env: ScenarioEnv, replies: ServerRequestReplies): Promise<ServerStream | undefined> {
  if (!(user.mcp instanceof McpHttpClient) || user.mcp.sessionId === undefined) return undefined;
  const stream = new ServerStream({
    dispatcher: env.dispatcher,
    url: env.mcpUrl,
    recorder: user.recorder,
    replies,
    timeoutMs: env.timeoutMs,
    // Task status notifications (2025-11-25) wake the user's poller of that task.
    onNotification: (message) => {
      if (message.method === STATUS_NOTIFICATION) taskCaller(user, env).onStatus(message.params);
    },
    headers: { ...env.headers, 'mcp-session-id': user.mcp.sessionId, 'mcp-protocol-version': user.mcp.negotiatedProtocolVersion },
  });
  await stream.open();
  return stream;
}

/** The user's task-augmented tool calls: one caller per user, which knows its running tasks. */
function taskCaller(user: VirtualUser, env: ScenarioEnv): TaskCaller {
  let caller = user.data.taskCaller as TaskCaller | undefined;
  if (caller === undefined) {
    caller = new TaskCaller(user.mcp, { recorder: user.recorder, timeoutMs: env.timeoutMs, signal: user.signal });
    user.data.taskCaller = caller;
  }
  return caller;
}

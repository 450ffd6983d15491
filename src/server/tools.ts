/**
 * What the reference server offers: tools, resources, resource templates and
 * prompts, each defined once. The MCP face (mcp-server-factory.ts) and the
 * REST face (rest-api.ts) both call these definitions directly, so the two
 * faces cannot drift apart and REST never goes through MCP internally.
 */
import { z } from 'zod';
import { UriTemplate, type Variables } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type { CallToolResult, GetPromptResult, ReadResourceResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { PACKAGE_INFO, SERVER_NAME } from './package-info.js';

/** What a tool may use besides its arguments; the REST face offers no progress channel. */
export interface ToolContext {
  /** Aborted when the caller cancels or the session closes. */
  signal?: AbortSignal;
  /** Present only when the caller asked for progress (MCP `_meta.progressToken`). */
  reportProgress?: (progress: number, total: number, message: string) => Promise<void>;
}

export interface ToolDef {
  name: string;
  title: string;
  description: string;
  inputSchema: z.ZodObject;
  outputSchema?: z.ZodObject;
  annotations: ToolAnnotations;
  /**
   * MCP 2025-11-25 tasks: a tool that runs as a task when the caller asks
   * (`optional`) or only so (`required`); the MCP face registers it with the
   * SDK's task support. REST calls `run` and waits, as for any tool.
   */
  execution?: { taskSupport: 'optional' | 'required' };
  /** Runs the tool on arguments already validated against `inputSchema`. */
  run(args: Record<string, unknown>, ctx: ToolContext): Promise<CallToolResult>;
}

/**
 * Keeps each tool's `run` typed by its own schema while the catalog holds one
 * list. The single cast is sound because both faces validate with
 * `inputSchema` before calling `run` (the SDK on MCP, `callTool` on REST).
 */
function defineTool<I extends z.ZodObject>(def: Omit<ToolDef, 'run' | 'inputSchema'> & {
  inputSchema: I;
  run(args: z.output<I>, ctx: ToolContext): Promise<CallToolResult>;
}): ToolDef {
  return { ...def, run: (args, ctx) => def.run(args as z.output<I>, ctx) };
}

/**
 * The longest `sleep` the server agrees to, so a caller cannot park a request
 * for ever; in the schema too, so that generated arguments stay in the range
 * of a slow real tool (zod alone would say 2^53 - 1).
 */
export const MAX_SLEEP_MS = 2_000;
/** The longest job of `long_job`: long enough to be worth polling, short enough that no test waits for ever. */
export const MAX_JOB_MS = 10_000;
const PROGRESS_STEPS = 4;

function text(value: string): CallToolResult['content'] {
  return [{ type: 'text', text: value }];
}

/** Resolves after `ms`, or early (with `false`) when `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const TOOLS: readonly ToolDef[] = [
  defineTool({
    name: 'add',
    title: 'Add two numbers',
    description: 'Adds a and b; returns the sum as text and as structured content { sum }.',
    inputSchema: z.object({
      a: z.number().describe('first addend'),
      b: z.number().describe('second addend'),
    }),
    outputSchema: z.object({ sum: z.number() }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run({ a, b }) {
      const sum = a + b;
      // Two finite numbers can still overflow; JSON would turn Infinity into null.
      if (!Number.isFinite(sum)) return { content: text('sum is not a finite number'), isError: true };
      return { content: text(String(sum)), structuredContent: { sum } };
    },
  }),
  defineTool({
    name: 'echo',
    title: 'Echo text',
    description: 'Returns the given text unchanged.',
    inputSchema: z.object({ text: z.string().describe('text to send back') }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run({ text: value }) {
      return { content: text(value) };
    },
  }),
  defineTool({
    name: 'sleep',
    title: 'Sleep',
    description: `Waits ms milliseconds (at most ${MAX_SLEEP_MS}) before answering; sends progress notifications when asked to.`,
    inputSchema: z.object({ ms: z.number().int().min(0).max(MAX_SLEEP_MS).describe(`milliseconds to wait, at most ${MAX_SLEEP_MS}`) }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run({ ms }, ctx) {
      const total = Math.min(ms, MAX_SLEEP_MS);
      if (!ctx.reportProgress) {
        await pause(total, ctx.signal);
        return { content: text(`slept ${total} ms`) };
      }
      // With a progress token the wait is cut into steps, one notification after each.
      const step = total / PROGRESS_STEPS;
      for (let i = 1; i <= PROGRESS_STEPS; i++) {
        if (!(await pause(step, ctx.signal))) break;
        const done = Math.round(step * i);
        await ctx.reportProgress(done, total, `slept ${done} of ${total} ms`);
      }
      return { content: text(`slept ${total} ms`) };
    },
  }),
  defineTool({
    name: 'long_job',
    title: 'Long job (a task)',
    description: `Works ms milliseconds (at most ${MAX_JOB_MS}), as an MCP task when the caller asks (2025-11-25: tools/call with a task field ` +
      'returns at once; poll tasks/get, fetch with tasks/result); called plainly, it answers when done.',
    inputSchema: z.object({ ms: z.number().int().min(0).max(MAX_JOB_MS).describe(`milliseconds of work, at most ${MAX_JOB_MS}`) }),
    // Not read-only: each call leaves a task on the server (for its ttl). Discovery calls it with --allow-writes.
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    execution: { taskSupport: 'optional' },
    async run({ ms }, ctx) {
      const total = Math.min(ms, MAX_JOB_MS);
      const done = await pause(total, ctx.signal);
      return done ? { content: text(`worked ${total} ms`) } : { content: text('the job was stopped'), isError: true };
    },
  }),
  defineTool({
    name: 'fail',
    title: 'Fail on purpose',
    description: 'Always answers with a tool error (isError: true), for measuring error handling.',
    inputSchema: z.object({ message: z.string().optional().describe('error text to return') }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run({ message }) {
      return { content: text(message ?? 'the fail tool failed, as asked'), isError: true };
    },
  }),
];

const TOOLS_BY_NAME: ReadonlyMap<string, ToolDef> = new Map(TOOLS.map((tool) => [tool.name, tool]));

export function findTool(name: string): ToolDef | undefined {
  return TOOLS_BY_NAME.get(name);
}

// ---------------------------------------------------------------- resources

export interface StaticResourceDef {
  name: string;
  title: string;
  uri: string;
  description: string;
  mimeType: string;
  read(): ReadResourceResult;
}

export interface ResourceTemplateDef {
  name: string;
  title: string;
  uriTemplate: string;
  description: string;
  mimeType: string;
  /** Reads the resource `uri` matched with `variables`; undefined when no such resource exists. */
  read(uri: string, variables: Variables): ReadResourceResult | undefined;
}

/** Every URI the reference server serves starts with this; REST maps `/api/v1/resources/X` to `mcpload://X`. */
export const RESOURCE_SCHEME = 'mcpload://';
const JSON_MIME = 'application/json';

function jsonContents(uri: string, value: unknown): ReadResourceResult {
  return { contents: [{ uri, mimeType: JSON_MIME, text: JSON.stringify(value) }] };
}

const INFO_URI = `${RESOURCE_SCHEME}info`;
// The info resource never changes while the process lives: build its text once.
const INFO_RESULT = jsonContents(INFO_URI, {
  name: SERVER_NAME,
  version: PACKAGE_INFO.version,
  description: 'The mcpload reference MCP server, a system under test for load and security checks.',
  tools: TOOLS.map((tool) => tool.name),
});

export const RESOURCES: readonly StaticResourceDef[] = [
  {
    name: 'info',
    title: 'Server information',
    uri: INFO_URI,
    description: 'Name, version and tool names of this server, as JSON.',
    mimeType: JSON_MIME,
    read: () => INFO_RESULT,
  },
];

/** Item ids are short names, so a URI cannot make the server build a huge answer. */
const ITEM_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const RESOURCE_TEMPLATES: readonly ResourceTemplateDef[] = [
  {
    name: 'item',
    title: 'Item by id',
    uriTemplate: `${RESOURCE_SCHEME}items/{id}`,
    description: 'A small JSON record for any id made of letters, digits, "-" and "_" (at most 64).',
    mimeType: JSON_MIME,
    read(uri, variables) {
      const id = variables.id;
      if (typeof id !== 'string' || !ITEM_ID.test(id)) return undefined;
      return jsonContents(uri, { id, name: `Item ${id}`, length: id.length });
    },
  },
];

const RESOURCES_BY_URI: ReadonlyMap<string, StaticResourceDef> = new Map(RESOURCES.map((r) => [r.uri, r]));
const COMPILED_TEMPLATES = RESOURCE_TEMPLATES.map((def) => ({ def, template: new UriTemplate(def.uriTemplate) }));

/** Reads any resource the server serves, static or templated; undefined when there is none at `uri`. */
export function readResource(uri: string): ReadResourceResult | undefined {
  const resource = RESOURCES_BY_URI.get(uri);
  if (resource) return resource.read();
  for (const { def, template } of COMPILED_TEMPLATES) {
    const variables = template.match(uri);
    if (variables) {
      const result = def.read(uri, variables);
      if (result) return result;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------- prompts

export interface PromptDef {
  name: string;
  title: string;
  description: string;
  /** A zod raw shape of string arguments, as MCP prompts take strings only. */
  argsShape: Record<string, z.ZodString | z.ZodOptional<z.ZodString>>;
  render(args: Record<string, string | undefined>): GetPromptResult;
}

export const PROMPTS: readonly PromptDef[] = [
  {
    name: 'greet',
    title: 'Greeting',
    description: 'Asks the model to greet someone by name.',
    argsShape: { name: z.string().min(1).max(200).describe('who to greet') },
    render: ({ name }) => ({
      description: `A greeting for ${name ?? 'someone'}`,
      messages: [{ role: 'user', content: { type: 'text', text: `Please greet ${name ?? 'someone'} warmly, in one sentence.` } }],
    }),
  },
];

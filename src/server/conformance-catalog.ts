/**
 * What the official conformance suite (`@modelcontextprotocol/conformance`,
 * `conformance server --url ...`) calls on a server, kept apart from the
 * load-test catalog of tools.ts: content tools (text, image, audio, embedded
 * resource, mixed), a tool that logs, one that reports progress, one that
 * fails, tools that ask the client for sampling and elicitation (SEP-1034
 * defaults, SEP-1330 enums), `test://` resources (text, binary, template,
 * a watched resource with subscriptions), prompts (simple, with arguments,
 * with an embedded resource, with an image), completion and logging levels.
 *
 * Also the tools of the pending scenarios: `json_schema_2020_12_tool` (its
 * inputSchema published exactly as written, 2020-12 keywords and all) and
 * `test_reconnection` (closes its SSE stream mid-call so the client resumes
 * with Last-Event-ID; legacy sessions only).
 *
 * Everything is registered on one SDK `McpServer` (one per session, or per
 * request when stateless or 2026-07-28); the schemas and payloads are built
 * once here. Per-session state (the log level, the subscriptions and their
 * timer) lives in a small object bound to that server and dropped when it
 * closes; a 2026-07-28 request brings its own (rev-2026-07-28-request.ts).
 */
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import {
  ErrorCode,
  LoggingLevelSchema,
  McpError,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
  type CallToolResult,
  type ElicitRequestFormParams,
  type LoggingLevel,
  type ReadResourceResult,
  type ServerNotification,
  type ServerRequest,
  type ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import type { Rev20260728RequestContext } from './rev-2026-07-28-request.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** A 1x1 red PNG (the smallest image every client can decode). */
export const TEST_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

/** A WAV file (PCM, mono, 8 kHz, 16 bit) holding one silent sample; built from its header fields, not pasted. */
export const TEST_WAV_BASE64 = wavOfSilence(1).toString('base64');

function wavOfSilence(samples: number): Buffer {
  const dataBytes = samples * 2;
  const wav = Buffer.alloc(44 + dataBytes);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + dataBytes, 4);
  wav.write('WAVE', 8, 'ascii');
  wav.write('fmt ', 12, 'ascii');
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(8000, 24); // sample rate
  wav.writeUInt32LE(16000, 28); // byte rate
  wav.writeUInt16LE(2, 32); // block align
  wav.writeUInt16LE(16, 34); // bits per sample
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(dataBytes, 40);
  return wav;
}

export const STATIC_TEXT_URI = 'test://static-text';
export const STATIC_BINARY_URI = 'test://static-binary';
export const TEMPLATE_URI = 'test://template/{id}/data';
export const WATCHED_URI = 'test://watched-resource';
/** How often the watched resource changes while someone is subscribed to it. */
const WATCH_INTERVAL_MS = 3_000;
/** Pause between the log and progress events of the streaming tools, as the suite asks (~50 ms). */
const STEP_MS = 50;
const LOGGER = 'mcpload-conformance';

// These tools only read (or ask the client); the discovery scenario may hammer them.
const READ_ONLY: ToolAnnotations = Object.freeze({ readOnlyHint: true, openWorldHint: false });
// Built once: a raw shape would make the SDK build a zod object for every session.
const NO_ARGS = z.object({});
const SAMPLING_ARGS = z.object({ prompt: z.string().describe('The prompt to send to the LLM') });
const ELICITATION_ARGS = z.object({ message: z.string().describe('The message to show the user') });
const COMPLETION_VALUES = ['testValue1', 'testValue2', 'test', 'example'];
const PROMPT_ARGS = {
  arg1: completable(z.string().describe('First test argument'), (value) => COMPLETION_VALUES.filter((v) => v.startsWith(value ?? ''))),
  arg2: z.string().describe('Second test argument'),
};
const EMBED_ARGS = { resourceUri: z.string().describe('URI of the resource to embed') };

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });
const failure = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }], isError: true });

const EMBEDDED_RESULT: CallToolResult = {
  content: [{ type: 'resource', resource: { uri: 'test://embedded-resource', mimeType: 'text/plain', text: 'This is an embedded resource content.' } }],
};
const MIXED_RESULT: CallToolResult = {
  content: [
    { type: 'text', text: 'Multiple content types test:' },
    { type: 'image', data: TEST_PNG_BASE64, mimeType: 'image/png' },
    { type: 'resource', resource: { uri: 'test://mixed-content-resource', mimeType: 'application/json', text: JSON.stringify({ test: 'data', value: 123 }) } },
  ],
};

/** SEP-1034: every primitive type of an elicitation form, each with a default. */
const DEFAULTS_FORM = {
  type: 'object',
  properties: {
    name: { type: 'string', description: 'User name', default: 'John Doe' },
    age: { type: 'integer', description: 'User age', default: 30 },
    score: { type: 'number', description: 'User score', default: 95.5 },
    status: { type: 'string', description: 'User status', enum: ['active', 'inactive', 'pending'], default: 'active' },
    verified: { type: 'boolean', description: 'Verification status', default: true },
  },
  required: [],
} as const;

/** SEP-1330: the five enum shapes (untitled, titled with oneOf, legacy enumNames, untitled and titled multi-select). */
const ENUMS_FORM = {
  type: 'object',
  properties: {
    untitledSingle: { type: 'string', description: 'Select one option', enum: ['option1', 'option2', 'option3'] },
    titledSingle: {
      type: 'string',
      description: 'Select one option with titles',
      oneOf: [{ const: 'value1', title: 'First Option' }, { const: 'value2', title: 'Second Option' }, { const: 'value3', title: 'Third Option' }],
    },
    legacyEnum: { type: 'string', description: 'Select one option (legacy)', enum: ['opt1', 'opt2', 'opt3'], enumNames: ['Option One', 'Option Two', 'Option Three'] },
    untitledMulti: {
      type: 'array', description: 'Select multiple options', minItems: 1, maxItems: 3,
      items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
    },
    titledMulti: {
      type: 'array', description: 'Select multiple options with titles', minItems: 1, maxItems: 3,
      items: { anyOf: [{ const: 'value1', title: 'First Choice' }, { const: 'value2', title: 'Second Choice' }, { const: 'value3', title: 'Third Choice' }] },
    },
  },
  required: [],
} as const;

const USER_FORM = {
  type: 'object',
  properties: {
    username: { type: 'string', description: "User's response" },
    email: { type: 'string', description: "User's email address" },
  },
  required: ['username', 'email'],
} as const;

const STATIC_TEXT: ReadResourceResult = {
  contents: [{ uri: STATIC_TEXT_URI, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }],
};
const STATIC_BINARY: ReadResourceResult = { contents: [{ uri: STATIC_BINARY_URI, mimeType: 'image/png', blob: TEST_PNG_BASE64 }] };
const TEMPLATE_IDS = ['123', '456', '789'];
/** Template ids are short names, so a URI cannot make the server build a huge answer. */
const TEMPLATE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The watched resource's text: it changes every WATCH_INTERVAL_MS, the same
 * for every session. `withTtl` (2026-07-28) adds how long it stays fresh.
 */
function watchedContent(withTtl: boolean): ReadResourceResult {
  const now = Date.now();
  const version = Math.floor(now / WATCH_INTERVAL_MS);
  const contents: ReadResourceResult['contents'] = [{ uri: WATCHED_URI, mimeType: 'text/plain', text: `Watched resource content, version ${version}` }];
  return withTtl ? { contents, ttlMs: (version + 1) * WATCH_INTERVAL_MS - now } : { contents };
}

/**
 * Calls `changed` each time the resource at `uri` changes, until the
 * returned stop is called; undefined for a resource that never changes.
 * Shared by legacy subscriptions and 2026-07-28 listen streams.
 */
export function watchResource(uri: string, changed: () => void): (() => void) | undefined {
  if (uri !== WATCHED_URI) return undefined;
  const timer = setInterval(changed, WATCH_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

const LEVEL_RANK: ReadonlyMap<LoggingLevel, number> = new Map(LoggingLevelSchema.options.map((level, i) => [level, i]));

/**
 * One session's state: its log level (spec default: the server chooses;
 * here, everything; a 2026-07-28 request: only what its `_meta` asks for,
 * nothing without), its subscriptions.
 */
class SessionState {
  level: LoggingLevel | undefined = 'debug';
  /**
   * Questions to the client (sampling, elicitation) name the tool call they
   * belong to, so a transport can send them on that call's own stream; a
   * legacy session sends them on its GET stream. (The 2026-07-28 endpoint
   * does not need it: its server answers one request only.)
   */
  questionsOnCallStream = false;
  /** The 2026-07-28 request this server answers, if it is one. */
  rev20260728: Rev20260728RequestContext | undefined;
  /** Each subscribed URI that changes, with the stop of its watch. */
  private readonly watches = new Map<string, () => void>();

  constructor(private readonly mcp: McpServer) {}

  logs(level: LoggingLevel): boolean {
    return this.level !== undefined && (LEVEL_RANK.get(level) ?? 0) >= (LEVEL_RANK.get(this.level) ?? 0);
  }

  subscribe(uri: string): void {
    if (this.watches.has(uri)) return;
    // Tell the subscriber each time the resource changes (on its GET stream).
    const stop = watchResource(uri, () => {
      this.mcp.server.sendResourceUpdated({ uri }).catch(() => undefined);
    });
    if (stop) this.watches.set(uri, stop);
  }

  unsubscribe(uri: string): void {
    this.watches.get(uri)?.();
    this.watches.delete(uri);
  }

  stop(): void {
    for (const stop of this.watches.values()) stop();
    this.watches.clear();
  }
}

/** Sends one log line on the call's own stream, unless the session's level hides it. */
async function log(state: SessionState, extra: Extra, level: LoggingLevel, data: string): Promise<void> {
  if (!state.logs(level)) return;
  await extra.sendNotification({ method: 'notifications/message', params: { level, logger: LOGGER, data } });
}

/** Options for a question to the client, asked from inside a tool call. */
function questionOptions(state: SessionState, extra: Extra): { signal: AbortSignal; relatedRequestId?: string | number } {
  return state.questionsOnCallStream ? { signal: extra.signal, relatedRequestId: extra.requestId } : { signal: extra.signal };
}

async function elicit(
  mcp: McpServer, state: SessionState, params: Omit<ElicitRequestFormParams, 'mode'>, label: string, extra: Extra,
): Promise<CallToolResult> {
  try {
    const answer = await mcp.server.elicitInput({ mode: 'form', ...params }, questionOptions(state, extra));
    return text(`${label}: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`);
  } catch (err) {
    return failure(`elicitation failed: ${(err as Error).message}`);
  }
}

function registerTools(mcp: McpServer, state: SessionState): void {
  const tool = (name: string, description: string, run: (extra: Extra) => Promise<CallToolResult> | CallToolResult): void => {
    mcp.registerTool(name, { description, inputSchema: NO_ARGS, annotations: READ_ONLY }, (_args: object, extra: Extra) => run(extra));
  };
  tool('test_simple_text', 'Returns one text item.', () => text('This is a simple text response for testing.'));
  tool('test_image_content', 'Returns one image item (a 1x1 PNG).', () => ({ content: [{ type: 'image', data: TEST_PNG_BASE64, mimeType: 'image/png' }] }));
  tool('test_audio_content', 'Returns one audio item (a tiny WAV).', () => ({ content: [{ type: 'audio', data: TEST_WAV_BASE64, mimeType: 'audio/wav' }] }));
  tool('test_embedded_resource', 'Returns an embedded text resource.', () => EMBEDDED_RESULT);
  tool('test_multiple_content_types', 'Returns text, image and resource items together.', () => MIXED_RESULT);
  tool('test_error_handling', 'Always fails with a tool error (isError: true).', () => failure('This tool intentionally returns an error for testing'));

  tool('test_tool_with_logging', 'Sends three info log notifications about 50 ms apart while it runs.', async (extra) => {
    await log(state, extra, 'info', 'Tool execution started');
    await pause(STEP_MS, extra.signal);
    await log(state, extra, 'info', 'Tool processing data');
    await pause(STEP_MS, extra.signal);
    await log(state, extra, 'info', 'Tool execution completed');
    return text('Tool with logging executed successfully');
  });

  tool('test_tool_with_progress', 'Reports progress 0, 50 and 100 of 100, about 50 ms apart, when given a progress token.', async (extra) => {
    const token = extra._meta?.progressToken;
    for (const progress of [0, 50, 100]) {
      if (progress > 0) await pause(STEP_MS, extra.signal);
      if (token !== undefined) {
        await extra.sendNotification({
          method: 'notifications/progress',
          params: { progressToken: token, progress, total: 100, message: `Completed step ${progress} of 100` },
        });
      }
    }
    return text(token === undefined ? 'done (no progress token given)' : `done, progress token ${String(token)}`);
  });

  mcp.registerTool('test_sampling', {
    description: 'Asks the client for an LLM completion of the prompt (sampling/createMessage) and returns its answer.',
    inputSchema: SAMPLING_ARGS,
    annotations: READ_ONLY,
  }, async ({ prompt }, extra) => {
    try {
      const answer = await mcp.server.createMessage({
        messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
        maxTokens: 100,
      }, questionOptions(state, extra));
      const content = answer.content;
      const said = !Array.isArray(content) && content.type === 'text' ? content.text : JSON.stringify(content);
      return text(`LLM response: ${said}`);
    } catch (err) {
      return failure(`sampling failed: ${(err as Error).message}`);
    }
  });

  mcp.registerTool('test_elicitation', {
    description: 'Asks the client for a username and an email (elicitation/create) and returns the answer.',
    inputSchema: ELICITATION_ARGS,
    annotations: READ_ONLY,
  }, ({ message }, extra) => elicit(mcp, state, { message, requestedSchema: USER_FORM as never }, 'User response', extra));

  tool('test_elicitation_sep1034_defaults', 'Elicits a form whose fields all carry defaults (SEP-1034).', (extra) =>
    elicit(mcp, state, { message: 'Please review and update the form fields with defaults', requestedSchema: DEFAULTS_FORM as never },
      'Elicitation completed', extra));

  tool('test_elicitation_sep1330_enums', 'Elicits a form with the five enum shapes of SEP-1330.', (extra) =>
    elicit(mcp, state, { message: 'Please select options from the enum fields', requestedSchema: ENUMS_FORM as never },
      'Elicitation completed', extra));
}

/** The suite's 2020-12 schema (SEP-1613, SEP-2106), published as written: `$schema`, `$defs` with `$anchor`, composition, conditionals. */
const JSON_SCHEMA_2020_12 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: { address: { $anchor: 'addressDef', type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
  properties: {
    name: { type: 'string' },
    address: { $ref: '#/$defs/address' },
    contactMethod: { type: 'string', enum: ['phone', 'email'] },
    phone: { type: 'string' },
    email: { type: 'string' },
  },
  allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
  if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
  then: { required: ['phone'] },
  else: { required: ['email'] },
  additionalProperties: false,
} as const;
/** Arguments are checked against that very schema (Ajv, draft 2020-12); zod only carries it to the SDK. */
const validate2020 = new Ajv2020({ strict: false, allErrors: false }).compile(JSON_SCHEMA_2020_12);
const JSON_SCHEMA_2020_12_ARGS = z.looseObject({}).superRefine((args, ctx) => {
  if (!validate2020(args)) ctx.addIssue({ code: 'custom', message: `arguments do not match the schema: ${validate2020.errors?.[0]?.message ?? 'invalid'}` });
}).meta(JSON_SCHEMA_2020_12);
/** How long test_reconnection keeps working after closing its stream, so the client's resumption is what delivers the result. */
const RECONNECT_PAUSE_MS = 200;

function registerPendingScenarioTools(mcp: McpServer, state: SessionState): void {
  mcp.registerTool('json_schema_2020_12_tool', {
    description: 'Tool with JSON Schema 2020-12 features',
    inputSchema: JSON_SCHEMA_2020_12_ARGS,
    annotations: READ_ONLY,
  }, (args: Record<string, unknown>) => text(`Accepted: ${JSON.stringify(args)}`));
  // 2026-07-28 has no session to resume into: the tool is a legacy one.
  if (state.rev20260728) return;
  mcp.registerTool('test_reconnection', {
    description: 'Closes its SSE stream mid-call (SEP-1699); the result arrives once the client resumes with Last-Event-ID.',
    inputSchema: NO_ARGS,
    annotations: READ_ONLY,
  }, async (_args: object, extra: Extra) => {
    // Only offered with an event store and a client that can resume (a stateful session at 2025-11-25 or later).
    const closed = extra.closeSSEStream !== undefined;
    extra.closeSSEStream?.();
    await pause(RECONNECT_PAUSE_MS, extra.signal);
    return text(closed ? 'Reconnection test completed: the stream was closed and resumed' : 'Reconnection test completed (no resumable stream to close)');
  });
}

function registerResources(mcp: McpServer, state: SessionState): void {
  mcp.registerResource('static-text', STATIC_TEXT_URI, { title: 'Static text', description: 'A fixed text resource.', mimeType: 'text/plain' },
    () => STATIC_TEXT);
  mcp.registerResource('static-binary', STATIC_BINARY_URI, { title: 'Static binary', description: 'A fixed binary resource (a 1x1 PNG).', mimeType: 'image/png' },
    () => STATIC_BINARY);
  mcp.registerResource('watched-resource', WATCHED_URI, {
    title: 'Watched resource',
    description: `Changes every ${WATCH_INTERVAL_MS / 1000} s; subscribers get notifications/resources/updated.`,
    mimeType: 'text/plain',
  }, () => watchedContent(state.rev20260728 !== undefined));
  mcp.registerResource('template', new ResourceTemplate(TEMPLATE_URI, {
    list: undefined,
    complete: { id: (value) => TEMPLATE_IDS.filter((id) => id.startsWith(value)) },
  }), { title: 'Template', description: 'JSON data for any short id (letters, digits, "-", "_").', mimeType: 'application/json' },
  (uri, { id }) => {
    if (typeof id !== 'string' || !TEMPLATE_ID.test(id)) throw new McpError(-32002 as ErrorCode, `Resource ${uri.href} not found`);
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }] };
  });

  // 2026-07-28 has no resources/subscribe: its requests subscribe through subscriptions/listen.
  if (state.rev20260728) return;
  mcp.server.setRequestHandler(SubscribeRequestSchema, (request) => {
    state.subscribe(request.params.uri);
    return {};
  });
  mcp.server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    state.unsubscribe(request.params.uri);
    return {};
  });
}

/** The text a prompt embeds for a URI: the resource itself when this server has it. */
function embeddedFor(uri: string): { uri: string; mimeType: string; text: string } {
  if (uri === STATIC_TEXT_URI) return STATIC_TEXT.contents[0] as { uri: string; mimeType: string; text: string };
  return { uri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' };
}

function registerPrompts(mcp: McpServer): void {
  mcp.registerPrompt('test_simple_prompt', { title: 'Simple prompt', description: 'A prompt without arguments.' }, () => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
  }));
  mcp.registerPrompt('test_prompt_with_arguments', {
    title: 'Prompt with arguments', description: 'A prompt with two required arguments (arg1 completes).', argsSchema: PROMPT_ARGS,
  }, ({ arg1, arg2 }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } }],
  }));
  mcp.registerPrompt('test_prompt_with_embedded_resource', {
    title: 'Prompt with embedded resource', description: 'A prompt that embeds the resource named by resourceUri.', argsSchema: EMBED_ARGS,
  }, ({ resourceUri }) => ({
    messages: [
      { role: 'user', content: { type: 'resource', resource: embeddedFor(resourceUri) } },
      { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
    ],
  }));
  mcp.registerPrompt('test_prompt_with_image', { title: 'Prompt with image', description: 'A prompt that includes an image.' }, () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: TEST_PNG_BASE64, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
    ],
  }));
}

function registerLogging(mcp: McpServer, state: SessionState): void {
  // 2026-07-28 has no logging/setLevel: each request names its level in `_meta`.
  if (state.rev20260728) return;
  mcp.server.setRequestHandler(SetLevelRequestSchema, (request) => {
    state.level = request.params.level;
    return {};
  });
}

/**
 * Adds the conformance catalog to a server built by the factory (before it
 * connects): capabilities `logging`, `resources.subscribe` (and
 * `completions`, announced by the SDK for the completable argument).
 */
export function registerConformanceCatalog(mcp: McpServer, opts: { questionsOnCallStream?: boolean; rev20260728?: Rev20260728RequestContext } = {}): void {
  mcp.server.registerCapabilities({ logging: {}, resources: { subscribe: true } });
  const state = new SessionState(mcp);
  state.questionsOnCallStream = opts.questionsOnCallStream === true;
  state.rev20260728 = opts.rev20260728;
  if (opts.rev20260728) state.level = opts.rev20260728.logLevel;
  const previousOnClose = mcp.server.onclose;
  mcp.server.onclose = () => {
    state.stop();
    previousOnClose?.();
  };
  registerTools(mcp, state);
  registerPendingScenarioTools(mcp, state);
  registerResources(mcp, state);
  registerPrompts(mcp);
  registerLogging(mcp, state);
}

/**
 * The tools and prompt the official 2026-07-28 conformance suite calls that
 * only make sense in that revision: multi round-trip requests written the
 * new way (a handler answers `input_required` with its questions and reads
 * the answers when the request comes again), a tool needing a capability
 * the client may not have declared, per-request logging, list-change
 * triggers for `subscriptions/listen`, and a tool with an `x-mcp-header`
 * parameter. Registered only on the per-request servers of the 2026-07-28
 * endpoint (see rev-2026-07-28-request.ts for the context they read).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, LoggingLevel, ServerNotification, ServerRequest, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { LoggingLevelSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { InputRequests, Rev20260728RequestContext } from './rev-2026-07-28-request.js';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

const NO_ARGS = z.object({});
const READ_ONLY: ToolAnnotations = Object.freeze({ readOnlyHint: true, openWorldHint: false });
/** The triggers announce a change to everyone listening: a write, so the discovery scenario leaves them alone by default. */
const ANNOUNCES: ToolAnnotations = Object.freeze({ readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false });

const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });

const elicit = (message: string, field: string, type: 'string' | 'boolean' = 'string'): InputRequests[string] => ({
  method: 'elicitation/create',
  params: { mode: 'form', message, requestedSchema: { type: 'object', properties: { [field]: { type } }, required: [field] } },
});
const sample = (prompt: string, maxTokens: number): InputRequests[string] => ({
  method: 'sampling/createMessage',
  params: { messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens },
});
const ROOTS: InputRequests[string] = { method: 'roots/list', params: {} };
/** The capability each kind of question needs. */
const NEEDS: Readonly<Record<string, string>> = { 'elicitation/create': 'elicitation', 'sampling/createMessage': 'sampling', 'roots/list': 'roots' };

function sampledText(answer: unknown): string | undefined {
  const content = (answer as { content?: { type?: unknown; text?: unknown } } | undefined)?.content;
  return content?.type === 'text' && typeof content.text === 'string' ? content.text : undefined;
}

function rootsOf(answer: unknown): string[] | undefined {
  const roots = (answer as { roots?: unknown } | undefined)?.roots;
  return Array.isArray(roots) ? roots.map((r) => String((r as { uri?: unknown }).uri)) : undefined;
}

/** Whether `answer` is a usable reply to `question` (an elicitation must be accepted). */
function answered(ctx: Rev20260728RequestContext, key: string, question: InputRequests[string]): boolean {
  if (question.method === 'elicitation/create') return ctx.accepted(key) !== undefined;
  if (question.method === 'sampling/createMessage') return sampledText(ctx.answer(key)) !== undefined;
  return rootsOf(ctx.answer(key)) !== undefined;
}

/**
 * Asks every question of `questions` still unanswered (and only those), each
 * needing its capability; returns once all are answered.
 */
function gather(ctx: Rev20260728RequestContext, questions: InputRequests, state?: unknown): void {
  const missing: InputRequests = {};
  for (const [key, question] of Object.entries(questions)) {
    if (answered(ctx, key, question)) continue;
    ctx.require(NEEDS[question.method]!);
    missing[key] = question;
  }
  if (Object.keys(missing).length > 0) ctx.askFor(missing, state);
}

const LEVEL_RANK: ReadonlyMap<LoggingLevel, number> = new Map(LoggingLevelSchema.options.map((level, i) => [level, i]));

function registerInputRequiredTools(mcp: McpServer, ctx: Rev20260728RequestContext): void {
  const tool = (name: string, description: string, run: () => CallToolResult, annotations = READ_ONLY): void => {
    mcp.registerTool(name, { description, inputSchema: NO_ARGS, annotations }, () => run());
  };
  tool('test_input_required_result_elicitation', 'Asks the user for a name (input_required, key user_name), then greets them.', () => {
    gather(ctx, { user_name: elicit('What is your name?', 'name') });
    return text(`Hello, ${String(ctx.accepted('user_name')?.name)}!`);
  });
  tool('test_input_required_result_sampling', 'Asks the client\'s model a question (input_required, key capital_question).', () => {
    gather(ctx, { capital_question: sample('What is the capital of France?', 100) });
    return text(`The model said: ${sampledText(ctx.answer('capital_question'))}`);
  });
  tool('test_input_required_result_list_roots', 'Asks the client for its roots (input_required, key client_roots).', () => {
    gather(ctx, { client_roots: ROOTS });
    return text(`Client roots: ${rootsOf(ctx.answer('client_roots'))!.join(', ')}`);
  });
  tool('test_input_required_result_request_state', 'Asks for a confirmation with a sealed requestState, and checks it when the answer comes.', () => {
    if (ctx.state === undefined) ctx.askFor({ confirm: elicit('Please confirm', 'ok', 'boolean') }, { round: 1 });
    gather(ctx, { confirm: elicit('Please confirm', 'ok', 'boolean') }, { round: 1 });
    return text(`state-ok: confirmed=${String(ctx.accepted('confirm')?.ok)}`);
  });
  tool('test_input_required_result_multiple_inputs', 'Asks for a name, a model greeting and the roots in one round.', () => {
    gather(ctx, {
      user_name: elicit('What is your name?', 'name'), greeting: sample('Generate a greeting', 50), client_roots: ROOTS,
    }, { round: 1 });
    return text(`${sampledText(ctx.answer('greeting'))} ${String(ctx.accepted('user_name')?.name)} (roots: ${rootsOf(ctx.answer('client_roots'))!.length})`);
  });
  tool('test_input_required_result_multi_round', 'Asks two questions in two rounds, carrying the first answer in the sealed requestState.', () => {
    const round = (ctx.state?.data as { round?: number; name?: string } | undefined);
    if (round?.round === 2) {
      gather(ctx, { step2: elicit('Step 2: What is your favorite color?', 'color') }, round);
      return text(`${round.name ?? '?'} likes ${String(ctx.accepted('step2')?.color)}`);
    }
    gather(ctx, { step1: elicit('Step 1: What is your name?', 'name') }, { round: 1 });
    return ctx.askFor({ step2: elicit('Step 2: What is your favorite color?', 'color') }, { round: 2, name: String(ctx.accepted('step1')?.name) });
  });
  tool('test_input_required_result_tampered_state', 'Asks for a confirmation with a sealed requestState; an altered state is refused (-32602).', () => {
    if (ctx.state === undefined) ctx.askFor({ confirm: elicit('Please confirm', 'ok', 'boolean') }, { round: 1 });
    gather(ctx, { confirm: elicit('Please confirm', 'ok', 'boolean') }, { round: 1 });
    return text('state-ok');
  });
  tool('test_input_required_result_capabilities', 'Asks only what the request\'s declared capabilities allow (sampling, elicitation, roots).', () => {
    const all: InputRequests = { capital_question: sample('What is the capital of France?', 100), user_name: elicit('What is your name?', 'name'), client_roots: ROOTS };
    const allowed = Object.fromEntries(Object.entries(all).filter(([, q]) => ctx.declares(NEEDS[q.method]!)));
    if (Object.keys(allowed).length === 0) return text('The client declared no capability to ask through.');
    gather(ctx, allowed);
    return text(`Answered: ${Object.keys(allowed).join(', ')}`);
  });
  tool('test_missing_capability', 'Needs sampling: refused with -32021 when the request does not declare it.', () => {
    gather(ctx, { capital_question: sample('What is the capital of France?', 100) });
    return text(`The model said: ${sampledText(ctx.answer('capital_question'))}`);
  });
  tool('test_streaming_elicitation', 'Needs a confirmation: answers input_required, never a request on the stream.', () => {
    gather(ctx, { user_name: elicit('What is your name?', 'name') });
    return text(`Hello, ${String(ctx.accepted('user_name')?.name)}!`);
  });
  tool('test_trigger_tool_change', 'Announces notifications/tools/list_changed to the open subscriptions/listen streams.', () => {
    ctx.changes.tools();
    return text('Tool list change published.');
  }, ANNOUNCES);
  tool('test_trigger_prompt_change', 'Announces notifications/prompts/list_changed to the open subscriptions/listen streams.', () => {
    ctx.changes.prompts();
    return text('Prompt list change published.');
  }, ANNOUNCES);

  mcp.registerTool('test_logging_tool', {
    description: 'Logs one info line, only when the request\'s _meta asked for a log level that shows it.',
    inputSchema: NO_ARGS, annotations: READ_ONLY,
  }, async (_args: object, extra: Extra) => {
    const level = ctx.logLevel;
    if (level !== undefined && (LEVEL_RANK.get('info') ?? 0) >= (LEVEL_RANK.get(level) ?? 0)) {
      await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', logger: 'mcpload-conformance', data: 'test_logging_tool ran' } });
    }
    return text('Logging tool finished.');
  });
}

/** SEP-2243: `region` is mirrored into `Mcp-Param-Region`; the endpoint checks that the two agree. */
const HEADER_ARGS = z.object({ region: z.string(), query: z.string().optional() }).meta({
  type: 'object',
  properties: {
    region: { type: 'string', description: 'Region to route to (sent as the Mcp-Param-Region header too)', 'x-mcp-header': 'Region' },
    query: { type: 'string', description: 'Free text' },
  },
  required: ['region'],
});

export function registerRev20260728Catalog(mcp: McpServer, ctx: Rev20260728RequestContext): void {
  registerInputRequiredTools(mcp, ctx);
  mcp.registerTool('test_custom_header_tool', {
    description: 'Echoes its region, which clients also send as the Mcp-Param-Region header.',
    inputSchema: HEADER_ARGS, annotations: READ_ONLY,
  }, ({ region, query }) => text(`region=${region}${query === undefined ? '' : `, query=${query}`}`));
  mcp.registerPrompt('test_input_required_result_prompt', {
    title: 'Prompt needing input', description: 'Asks the user for context (input_required, key user_context) before it renders.',
  }, () => {
    gather(ctx, { user_context: elicit('What context should the prompt use?', 'context') });
    return { messages: [{ role: 'user', content: { type: 'text', text: `Use this context: ${String(ctx.accepted('user_context')?.context)}` } }] };
  });
}

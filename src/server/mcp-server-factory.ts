/**
 * Builds one SDK `McpServer` exposing the catalog of tools.ts. A stateful
 * server makes one per session and a stateless one per request, so this is
 * on the hot path: everything that can be shared across instances is built
 * once at module load.
 */
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ClientCapabilities, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { PACKAGE_INFO, SERVER_NAME } from './package-info.js';
import { PROMPTS, RESOURCES, RESOURCE_TEMPLATES, TOOLS, type ToolContext } from './tools.js';
import { registerConformanceCatalog } from './conformance-catalog.js';
import { refuseTaskList, registerTaskTool, taskCapabilities, type TaskStore } from './task-tools.js';
import { registerRev20260728Catalog } from './rev-2026-07-28-catalog.js';
import type { Rev20260728RequestContext } from './rev-2026-07-28-request.js';

/**
 * Each SDK `Server` builds its own Ajv instance (with all formats) unless given
 * one; that costs milliseconds and hundreds of kilobytes per session. The
 * validator only checks elicitation answers (the conformance tools ask for
 * some, always against the same module-level schemas, which Ajv compiles
 * once), so one shared instance serves every session.
 */
const SHARED_VALIDATOR = new AjvJsonSchemaValidator();

const SERVER_INFO = { name: SERVER_NAME, version: PACKAGE_INFO.version };

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Adapts the SDK's per-request extra into the face-neutral ToolContext. */
function toolContext(extra: Extra): ToolContext {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return { signal: extra.signal };
  return {
    signal: extra.signal,
    reportProgress: (progress, total, message) =>
      extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total, message } }),
  };
}

/**
 * What a client of a stateless server is taken to have declared: its
 * handshake went to another instance, so the one serving the call cannot
 * know. A client that lacks one answers the question with -32601, which the
 * tool reports as its error.
 */
const ASSUMED_CLIENT_CAPABILITIES: ClientCapabilities = Object.freeze({ sampling: {}, elicitation: { form: {} }, roots: {} });

export interface McpServerOptions {
  /** false leaves out the conformance catalog, about 0.2 ms per server built (noticeable when stateless builds one per request). */
  conformance?: boolean;
  /** See SessionState in conformance-catalog.ts. */
  questionsOnCallStream?: boolean;
  /**
   * The server lives for one request (`serve --stateless`): no GET stream and
   * no handshake of its own. Questions to the client travel on the call's
   * stream, the client's capabilities are assumed, and nothing that needs a
   * later message (resource subscriptions, list_changed) is advertised.
   */
  perRequest?: boolean;
  /** Where task tools keep their tasks (task-tools.ts); without one the task tools are left out. */
  taskStore?: TaskStore;
  /** The server answers one 2026-07-28 request (rev-2026-07-28-request.ts): the catalog reads that request's context and adds the tools only that revision has (rev-2026-07-28-catalog.ts). */
  rev20260728?: Rev20260728RequestContext;
}

export function createMcpServer(opts: McpServerOptions = {}): McpServer {
  const perRequest = opts.perRequest === true;
  const taskStore = opts.taskStore;
  const mcp = new McpServer(SERVER_INFO, {
    capabilities: { tools: {}, resources: {}, prompts: {}, ...(taskStore ? { tasks: taskCapabilities(perRequest) } : {}) },
    jsonSchemaValidator: SHARED_VALIDATOR,
    ...(taskStore ? { taskStore } : {}),
  });
  if (taskStore && perRequest) refuseTaskList(mcp);

  for (const tool of TOOLS) {
    if (tool.execution) {
      if (taskStore) registerTaskTool(mcp, { ...tool, execution: tool.execution });
      continue;
    }
    mcp.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
        annotations: tool.annotations,
      },
      (args: Record<string, unknown>, extra: Extra) => tool.run(args, toolContext(extra)),
    );
  }

  for (const resource of RESOURCES) {
    mcp.registerResource(
      resource.name,
      resource.uri,
      { title: resource.title, description: resource.description, mimeType: resource.mimeType },
      () => resource.read(),
    );
  }

  for (const def of RESOURCE_TEMPLATES) {
    mcp.registerResource(
      def.name,
      new ResourceTemplate(def.uriTemplate, { list: undefined }),
      { title: def.title, description: def.description, mimeType: def.mimeType },
      (uri, variables) => {
        const result = def.read(uri.href, variables);
        // -32002 is the spec's "resource not found".
        if (!result) throw new McpError(-32002 as ErrorCode, `Resource ${uri.href} not found`);
        return result;
      },
    );
  }

  for (const prompt of PROMPTS) {
    mcp.registerPrompt(
      prompt.name,
      { title: prompt.title, description: prompt.description, argsSchema: prompt.argsShape },
      (args: Record<string, string | undefined>) => prompt.render(args),
    );
  }

  // What the official conformance suite calls (test_* tools, test:// resources, prompts): kept in its own module.
  if (opts.conformance ?? true) registerConformanceCatalog(mcp, { questionsOnCallStream: perRequest || opts.questionsOnCallStream, rev20260728: opts.rev20260728 });
  if (opts.rev20260728) registerRev20260728Catalog(mcp, opts.rev20260728);
  if (perRequest) onlyDeliverable(mcp);

  return mcp;
}

/**
 * A per-request server: only what can reach the client in the reply of that
 * request. Updates and list changes would need a stream that outlives it
 * (subscribe and unsubscribe are still accepted, and do nothing lasting).
 */
function onlyDeliverable(mcp: McpServer): void {
  mcp.server.registerCapabilities({
    tools: { listChanged: false },
    prompts: { listChanged: false },
    resources: { subscribe: undefined, listChanged: false },
  });
  // The SDK keeps the declared capabilities in a private field, set only by initialize; a stateless call never saw one.
  (mcp.server as unknown as { _clientCapabilities?: ClientCapabilities })._clientCapabilities = ASSUMED_CLIENT_CAPABILITIES;
}

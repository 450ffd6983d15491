/**
 * The reference server's task tools (MCP 2025-11-25 tasks) on the SDK's
 * experimental task support: `tools/call` with a `task` field answers a
 * CreateTaskResult at once while the tool runs in the background; the SDK
 * answers `tasks/get`, `tasks/result` (blocking until the end), `tasks/cancel`
 * and `tasks/list` from the store, and sends `notifications/tasks/status`
 * on the session's stream when a task ends. Called plainly, an `optional`
 * tool is run as a task by the SDK and answered when done.
 *
 * One store per endpoint, shared by its sessions (the SDK binds each task to
 * the session that made it) or, stateless, by its per-request servers: the
 * task outlives the request that created it, and is found again by its id
 * (128 random bits). A stateless server lists no tasks: without a session,
 * `tasks/list` would show every client's.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks';
import { ErrorCode, ListTasksRequestSchema, McpError, type ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { ToolDef } from './tools.js';

/** Longest task lifetime granted (the client asks for one; default when it does not): bounds the store under load. */
export const MAX_TASK_TTL_MS = 60_000;
/** What tasks/get suggests: often enough for a job of a few seconds, rare enough not to be the load. */
export const TASK_POLL_MS = 250;

export type TaskStore = InMemoryTaskStore;

export function createTaskStore(): TaskStore {
  return new InMemoryTaskStore();
}

/** The server capability for task-augmented tool calls; `list` only where tasks belong to a session. */
export function taskCapabilities(perRequest: boolean): ServerCapabilities['tasks'] {
  return { ...(perRequest ? {} : { list: {} }), cancel: {}, requests: { tools: { call: {} } } };
}

/** Registers `tool` (one with `execution`) as a task tool; `register` adds its plain fields (title, schemas...). */
export function registerTaskTool(mcp: McpServer, tool: ToolDef & { execution: NonNullable<ToolDef['execution']> }): void {
  mcp.experimental.tasks.registerToolTask(tool.name, {
    title: tool.title,
    description: tool.description,
    inputSchema: tool.inputSchema,
    annotations: tool.annotations,
    execution: tool.execution,
  }, {
    async createTask(args, extra) {
      const ttl = Math.min(extra.taskRequestedTtl ?? MAX_TASK_TTL_MS, MAX_TASK_TTL_MS);
      const task = await extra.taskStore.createTask({ ttl, pollInterval: TASK_POLL_MS });
      // The work outlives this request: no progress channel; its end is stored (and announced where a stream is left).
      void tool.run(args as Record<string, unknown>, {}).then(
        (result) => extra.taskStore.storeTaskResult(task.taskId, result.isError === true ? 'failed' : 'completed', result),
      ).catch(() => {
        // Cancelled meanwhile (a terminal task takes no result), expired, or its server closed before the notice: nothing to tell.
      });
      return { task };
    },
    getTask: (_args, extra) => extra.taskStore.getTask(extra.taskId),
    getTaskResult: async (_args, extra) => (await extra.taskStore.getTaskResult(extra.taskId)) as Awaited<ReturnType<ToolDef['run']>>,
  });
}

/** Stateless: no tasks/list (see above). */
export function refuseTaskList(mcp: McpServer): void {
  mcp.server.setRequestHandler(ListTasksRequestSchema, () => {
    throw new McpError(ErrorCode.MethodNotFound, 'tasks/list is not offered without a session');
  });
}

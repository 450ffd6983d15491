/**
 * Task-augmented tool calls (MCP 2025-11-25, basic/utilities/tasks), on any
 * `McpClient`: `tools/call` with a `task` field gets a CreateTaskResult; the
 * caller polls `tasks/get` at the server's `pollInterval` until the task is
 * terminal (or `input_required`: then `tasks/result` at once, whose stream
 * carries the server's questions), fetches the result with `tasks/result`,
 * and sends `tasks/cancel` when it gives up (its deadline) or the user stops.
 *
 * Rows (the name is the tool's):
 *  - `tools/call` `<tool> (create task)`: time to task creation;
 *  - `tasks/get` `<tool>`: each poll;
 *  - `tasks/result` `<tool>`: the result fetch; `isError: true` is a tool error;
 *  - `task` `<tool>`: time from the call to the task's end (its terminal
 *    status seen, or its result in hand); a task the server failed or
 *    cancelled is an error here;
 *  - `tasks/cancel` `<tool>`: on timeout or stop;
 *  - `notifications/tasks/status` `<tool>`: status notifications (optional for servers), when they arrive.
 *
 * A task still running when the user stops is not the server's failure: it
 * gets no `task` sample (it did not end), its polls were answered, and
 * `cancelRunning()` cancels it before the session closes.
 */
import { nowUs, type Recorder } from '../metrics/sample.js';
import { deadlineError, fixedError } from './errors.js';
import type { McpClient, ResultCheck, RpcOutcome } from './mcp-client.js';

export type TaskSupport = 'forbidden' | 'optional' | 'required';

/** Which tools are called as tasks: only those that require it (the default), or also those that allow it. */
export type TaskMode = 'required' | 'optional';

/** A tool's `execution.taskSupport`; absent means forbidden (the spec's default). */
export function taskSupportOf(tool: { execution?: unknown }): TaskSupport {
  const support = (tool.execution as { taskSupport?: unknown } | undefined)?.taskSupport;
  return support === 'required' || support === 'optional' ? support : 'forbidden';
}

/** Whether the server accepts task-augmented `tools/call` (capability `tasks.requests.tools.call`). */
export function serverRunsToolTasks(capabilities: Record<string, unknown> | undefined): boolean {
  const tasks = capabilities?.tasks as { requests?: { tools?: { call?: unknown } } } | undefined;
  return typeof tasks?.requests?.tools?.call === 'object' && tasks.requests.tools.call !== null;
}

/** Whether a tool is called as a task under `mode` (only when the server declares task-augmented calls). */
export function callsAsTask(tool: { execution?: unknown }, capabilities: Record<string, unknown> | undefined, mode: TaskMode): boolean {
  if (!serverRunsToolTasks(capabilities)) return false;
  const support = taskSupportOf(tool);
  return support === 'required' || (support === 'optional' && mode === 'optional');
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
/** The spec names no default poll interval; the SDK's is 1 s. */
const DEFAULT_POLL_MS = 1_000;
/** Bounds on a server's pollInterval: no busy loop, and no poll later than a slow human would look. */
const MIN_POLL_MS = 20;
const MAX_POLL_MS = 30_000;
/** Task lifetime asked for: long enough to fetch the result after a slow run. */
const DEFAULT_TTL_MS = 300_000;

export const STATUS_NOTIFICATION = 'notifications/tasks/status';
const NO_TASK = fixedError('check', 'no task in the CreateTaskResult');
const BAD_STATUS = fixedError('check', 'tasks/get answered no task status');
const SERVER_CANCELLED = fixedError('tool', 'task cancelled by the server');
const STOPPED: RpcOutcome = Object.freeze({ ok: false, error: Object.freeze({ kind: 'cut', detail: 'task still running when the user stopped' }) }) as RpcOutcome;

interface Task {
  taskId: string;
  status: string;
  pollInterval?: number;
  statusMessage?: string;
}

function asTask(value: unknown): Task | undefined {
  const task = value as Partial<Task> | undefined;
  return typeof task?.taskId === 'string' && typeof task.status === 'string' ? task as Task : undefined;
}

function pollMs(task: Task): number {
  const ms = typeof task.pollInterval === 'number' && Number.isFinite(task.pollInterval) ? task.pollInterval : DEFAULT_POLL_MS;
  return Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, ms));
}

export interface TaskCallOptions {
  recorder: Recorder;
  /** The whole task's deadline, from the call to the result; then `tasks/cancel` and a timeout error on the `task` row. */
  timeoutMs: number;
  /** The user's stop: polling ends at once; `cancelRunning()` cancels what was left. */
  signal?: AbortSignal;
  /** Checks the tool's result (from `tasks/result`). */
  validate?: ResultCheck;
  /** `task.ttl` asked of the server; default 5 minutes. */
  ttlMs?: number;
}

/**
 * One user's task calls: it knows the tasks still running (to cancel them at
 * the stop) and wakes a waiting poller when a status notification arrives.
 */
export class TaskCaller {
  private readonly running = new Map<string, { tool: string; wake: () => void; started: number }>();

  constructor(private readonly client: McpClient, private readonly opts: TaskCallOptions) {}

  /** Calls `name` as a task and returns the tool's result (or the reason there is none). */
  async call(name: string, args: Record<string, unknown> = {}, validate = this.opts.validate): Promise<RpcOutcome> {
    const { recorder, signal } = this.opts;
    const start = nowUs();
    const deadline = start + this.opts.timeoutMs * 1000;
    const created = await this.client.request('tools/call', { name, arguments: args, task: { ttl: this.opts.ttlMs ?? DEFAULT_TTL_MS } }, {
      name: `${name} (create task)`,
      validate: (result) => asTask(result?.task) === undefined ? NO_TASK.detail : undefined,
    });
    if (!created.ok) return created;
    let task = asTask(created.result.task)!;
    const entry = { tool: name, wake: () => undefined as void, started: start };
    this.running.set(task.taskId, entry);
    try {
      while (!TERMINAL.has(task.status) && task.status !== 'input_required') {
        if (signal?.aborted) return STOPPED;
        const left = (deadline - nowUs()) / 1000;
        if (left <= 0) return await this.giveUp(task.taskId, name, start);
        await this.pause(Math.min(pollMs(task), left), entry);
        if (signal?.aborted) return STOPPED;
        const polled = await this.client.request('tasks/get', { taskId: task.taskId }, {
          name, validate: (result) => asTask(result) === undefined ? BAD_STATUS.detail : undefined,
        });
        if (!polled.ok) {
          if (signal?.aborted) return STOPPED;
          // A task the server lost (expired, or never found) cannot end: this call failed.
          this.running.delete(task.taskId);
          recorder.record('task', name, nowUs() - start, 0, polled.error);
          return polled;
        }
        task = asTask(polled.result)!;
      }
      if (task.status === 'cancelled') {
        this.running.delete(task.taskId);
        recorder.record('task', name, nowUs() - start, 0, SERVER_CANCELLED);
        return { ok: false, error: SERVER_CANCELLED };
      }
      // Terminal: the result is ready. input_required: tasks/result carries the questions and blocks until the end.
      const result = await this.client.request('tasks/result', { taskId: task.taskId }, { name, validate, toolResult: true });
      if (signal?.aborted && !result.ok) return STOPPED;
      this.running.delete(task.taskId);
      const failed = task.status === 'failed' && result.ok ? fixedError('tool', task.statusMessage ?? 'task failed') : undefined;
      const error = result.ok ? failed : result.error;
      recorder.record('task', name, nowUs() - start, 0, error);
      return error === undefined ? result : { ok: false, error };
    } finally {
      // Still running (stopped): left for cancelRunning(); otherwise already gone.
      if (!signal?.aborted) this.running.delete(task.taskId);
    }
  }

  /** A status notification (from any stream of the session): wakes the poller of that task, so it looks at once. */
  onStatus(params: unknown): void {
    const task = asTask(params);
    const entry = task === undefined ? undefined : this.running.get(task.taskId);
    if (entry === undefined) return;
    this.opts.recorder.record(STATUS_NOTIFICATION, entry.tool, nowUs() - entry.started, 0);
    entry.wake();
  }

  /** Cancels every task still running (at the user's stop), each a recorded `tasks/cancel`. */
  async cancelRunning(): Promise<void> {
    const tasks = [...this.running.entries()];
    this.running.clear();
    await Promise.all(tasks.map(([taskId, { tool }]) => this.cancel(taskId, tool)));
  }

  private async giveUp(taskId: string, name: string, start: number): Promise<RpcOutcome> {
    this.running.delete(taskId);
    await this.cancel(taskId, name);
    const error = deadlineError(this.opts.timeoutMs);
    this.opts.recorder.record('task', name, nowUs() - start, 0, error);
    return { ok: false, error };
  }

  /**
   * `tasks/cancel`, unless the task ended since it was last seen: the server
   * must refuse to cancel a terminal task (-32602), which is no failure of its.
   */
  private async cancel(taskId: string, name: string): Promise<void> {
    const now = await this.client.request('tasks/get', { taskId }, { name, afterStop: true });
    if (now.ok && TERMINAL.has(asTask(now.result)?.status ?? '')) return;
    await this.client.request('tasks/cancel', { taskId }, { name, afterStop: true });
  }

  /** Waits `ms`, or less when the user stops or a status notification for the task arrives. */
  private pause(ms: number, entry: { wake: () => void }): Promise<void> {
    const signal = this.opts.signal;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        entry.wake = () => undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      entry.wake = done;
    });
  }
}

/**
 * What a request of an MCP client returns and what it may be asked: the
 * types every client and helper shares, apart from any one client.
 */
import type { SampleError } from '../metrics/sample.js';

export type RpcOutcome = { ok: true; result: any } | { ok: false; error: SampleError };

/** Checks a successful result; returns a short failure text, or undefined when it is fine. */
export type ResultCheck = (result: any) => string | undefined;

export interface RpcOptions {
  /** Sample name; default the endpoint path (tool name, URI... for the helpers). */
  name?: string;
  /** A failed check becomes a `check` error on the sample. */
  validate?: ResultCheck;
  /** `callTool`: ask for progress notifications (sends a `progressToken`); see server-messages.ts for what is recorded. */
  progress?: boolean;
  /** `request`: the result is a tool's (e.g. `tasks/result` of a tool call): `isError: true` is a `tool` error. */
  toolResult?: boolean;
  /**
   * Sent even once the user was stopped, like the DELETE that ends a
   * session: clean-up the server must get (`tasks/cancel` of a task still
   * running at the stop).
   */
  afterStop?: boolean;
}

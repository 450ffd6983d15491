/**
 * What the reference server served, counted by the server itself (read on
 * `GET /api/v1/mcp/status` as `served`): so that a test or a user can check
 * a load against the server's own books instead of the load tester's.
 *
 * A JSON-RPC message counts when the MCP server took it: after the
 * endpoint's own checks (body size, JSON, JSON-RPC shape, a known session
 * of the caller's, the 2026-07-28 envelope) and the SDK transport's (a 4xx
 * from it does not count). A request answered with an error was served.
 */

/** The counts as the status route shows them; keys in the order first seen. */
export interface ServedSnapshot {
  /** Requests by JSON-RPC method (a 2026-07-28 call's extra `input_required` rounds count as requests: the server served each). */
  requests: Record<string, number>;
  /** `tools/call` requests by tool name (the `requests` count, split). */
  toolCalls: Record<string, number>;
  /** Notifications by method. */
  notifications: Record<string, number>;
  /** The client's answers to the server's requests (sampling, elicitation, roots). */
  responses: number;
  /** Sessions the server opened (stateful: an accepted `initialize`). */
  sessionsOpened: number;
  /** Sessions ended by the client's DELETE. */
  sessionsDeleted: number;
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

export class ServedCounts {
  private readonly requests = new Map<string, number>();
  private readonly toolCalls = new Map<string, number>();
  private readonly notifications = new Map<string, number>();
  private responses = 0;
  private sessionsOpened = 0;
  private sessionsDeleted = 0;

  /** One POST body handed to the MCP server: a message or a batch of them. */
  messages(body: unknown): void {
    if (Array.isArray(body)) {
      for (const message of body) this.message(message);
    } else {
      this.message(body);
    }
  }

  sessionOpened(): void {
    this.sessionsOpened++;
  }

  sessionDeleted(): void {
    this.sessionsDeleted++;
  }

  snapshot(): ServedSnapshot {
    return {
      requests: Object.fromEntries(this.requests),
      toolCalls: Object.fromEntries(this.toolCalls),
      notifications: Object.fromEntries(this.notifications),
      responses: this.responses,
      sessionsOpened: this.sessionsOpened,
      sessionsDeleted: this.sessionsDeleted,
    };
  }

  private message(message: unknown): void {
    if (typeof message !== 'object' || message === null) return;
    const { method, id, params } = message as { method?: unknown; id?: unknown; params?: { name?: unknown } };
    if (typeof method !== 'string') {
      if ('result' in message || 'error' in message) this.responses++;
      return;
    }
    if (id === undefined) {
      bump(this.notifications, method);
      return;
    }
    bump(this.requests, method);
    if (method === 'tools/call' && typeof params?.name === 'string') bump(this.toolCalls, params.name);
  }
}

/**
 * The bounded table of open MCP sessions. SDK 1.x servers keep a session
 * until it is closed, and load testers often abandon theirs, so the table
 * caps how many exist (`maxSessions`) and closes those idle longer than
 * `idleMs`.
 *
 * The Map is kept in order of last activity (a touched entry moves to the
 * end), so a sweep walks only the expired head of the table, not all of it.
 */

/** What the table needs of a session: something it can close. */
export interface ClosableSession {
  close(): Promise<void>;
}

export interface SessionEntry<S extends ClosableSession> {
  readonly id: string;
  readonly session: S;
  /** performance.now() of the last request start or end. */
  lastActive: number;
  /** POST requests in flight; a busy session is never expired under a caller's feet. */
  busy: number;
}

export interface SessionTableOptions {
  maxSessions: number;
  idleMs: number;
  /** Told how many sessions a sweep closed, when it closed any. */
  onExpired?: (count: number) => void;
}

export class SessionTable<S extends ClosableSession> {
  private readonly entries = new Map<string, SessionEntry<S>>();
  private readonly maxSessions: number;
  private readonly idleMs: number;
  private readonly onExpired: ((count: number) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: SessionTableOptions) {
    if (!Number.isInteger(opts.maxSessions) || opts.maxSessions < 1) throw new Error(`maxSessions must be a positive integer, got ${opts.maxSessions}`);
    if (!Number.isFinite(opts.idleMs) || opts.idleMs <= 0) throw new Error(`sessionIdleMs must be a positive number of milliseconds, got ${opts.idleMs}`);
    this.maxSessions = opts.maxSessions;
    this.idleMs = opts.idleMs;
    this.onExpired = opts.onExpired;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Starts the periodic sweep; the timer never keeps the process alive on its own. */
  startSweeping(): void {
    if (this.timer) return;
    // A quarter of the idle time keeps expiry within 25% late, and no busier than 20 sweeps a second.
    const every = Math.min(Math.max(this.idleMs / 4, 50), 30_000);
    this.timer = setInterval(() => this.sweep(), every);
    this.timer.unref();
  }

  get(id: string): SessionEntry<S> | undefined {
    return this.entries.get(id);
  }

  /**
   * Adds the session `create()` makes if there is room, after closing expired
   * ones; undefined (and nothing created) when the table is full.
   */
  add(id: string, create: () => S): SessionEntry<S> | undefined {
    if (this.entries.size >= this.maxSessions) this.sweep();
    if (this.entries.size >= this.maxSessions) return undefined;
    const entry: SessionEntry<S> = { id, session: create(), lastActive: performance.now(), busy: 0 };
    this.entries.set(id, entry);
    return entry;
  }

  /** Marks activity and moves the entry to the young end of the table. */
  touch(entry: SessionEntry<S>): void {
    entry.lastActive = performance.now();
    if (this.entries.get(entry.id) === entry) {
      this.entries.delete(entry.id);
      this.entries.set(entry.id, entry);
    }
  }

  /** Drops `entry` if it is still the one under its id (closing is the caller's business). */
  remove(entry: SessionEntry<S>): void {
    if (this.entries.get(entry.id) === entry) this.entries.delete(entry.id);
  }

  /** Seconds until the oldest idle session expires: what a full table tells clients to wait. */
  retryAfterSeconds(): number {
    const now = performance.now();
    for (const entry of this.entries.values()) {
      if (entry.busy > 0) continue;
      return Math.max(1, Math.ceil((entry.lastActive + this.idleMs - now) / 1000));
    }
    return Math.max(1, Math.ceil(this.idleMs / 1000));
  }

  /** Closes and drops sessions idle for longer than idleMs; returns how many. */
  sweep(): number {
    const deadline = performance.now() - this.idleMs;
    const expired: SessionEntry<S>[] = [];
    for (const entry of this.entries.values()) {
      if (entry.busy > 0) continue;
      // Entries are in order of activity: the first young one ends the expired head.
      if (entry.lastActive > deadline) break;
      expired.push(entry);
    }
    for (const entry of expired) {
      this.entries.delete(entry.id);
      // close() ends the session's open streams; a failure there must not stop the sweep.
      entry.session.close().catch(() => undefined);
    }
    if (expired.length > 0) this.onExpired?.(expired.length);
    return expired.length;
  }

  /** Stops sweeping and closes every session (server shutdown). */
  async closeAll(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.allSettled(all.map((entry) => entry.session.close()));
  }
}

/**
 * Sessions as the load itself, for servers whose cost is in the session
 * table rather than in the calls:
 *
 * - `sessionChurnClass`: each iteration opens a session (initialize +
 *   notifications/initialized), makes K calls, and ends it with DELETE. The
 *   handshake and DELETE get their own rows; a `session churn` row times the
 *   whole cycle. `--scenario churn` (with `--calls-per-session K`) runs it
 *   alone; scenario files can import it from 'mcpload'.
 * - `leakFloodClass`: each iteration opens a new session and never ends it
 *   (the previous one is simply forgotten, as a crashed client would). The
 *   tally says how many sessions the server accepted before the first one it
 *   refused or failed, and, when the server process is known (the embedded
 *   server, or `--server-pid`), its RSS growth per session. `--scenario
 *   leak-flood` runs it. Point it only at a server you may exhaust.
 *
 * Both need Streamable HTTP (sessions are an HTTP thing: a stdio process or
 * a legacy SSE stream is one session for its whole life).
 */
import { constant, type WaitTime } from '../engine/user-class.js';
import { nowUs } from '../metrics/sample.js';
import { readRssBytes } from '../metrics/process-usage.js';
import type { Scenario, ScenarioEnv, UserClass, VirtualUser } from './api.js';

export interface SessionChurnOptions {
  /** Calls per session, between the handshake and DELETE; default 5. */
  callsPerSession?: number;
  /** One call; default `tools/list`. */
  call?: (user: VirtualUser) => Promise<unknown>;
  weight?: number;
  wait?: WaitTime;
}

export const DEFAULT_CALLS_PER_SESSION = 5;

export function sessionChurnClass(opts: SessionChurnOptions = {}): UserClass {
  const calls = opts.callsPerSession ?? DEFAULT_CALLS_PER_SESSION;
  if (!Number.isInteger(calls) || calls < 0) throw new Error(`callsPerSession must be a whole number >= 0, got ${calls}`);
  const call = opts.call ?? ((user: VirtualUser) => user.mcp.listTools());
  return {
    name: 'SessionChurn',
    weight: opts.weight ?? 1,
    wait: opts.wait ?? constant(0),
    tasks: [{
      name: 'session churn',
      async run(user: VirtualUser) {
        const start = nowUs();
        // A failed handshake is on its own row; no session to end.
        if (!(await user.mcp.initialize())) return;
        for (let i = 0; i < calls && !user.signal.aborted; i++) await call(user);
        await user.mcp.close();
        if (!user.signal.aborted) user.recorder.record('session', 'churn', nowUs() - start, 0);
      },
    }],
    onStop: (user: VirtualUser) => user.mcp.close(),
  };
}

/**
 * What a leak flood found, shared by all its users. `describe()` is the
 * line printed after the summary.
 */
export class SessionLeakTally {
  accepted = 0;
  refused = 0;
  /**
   * Sessions accepted whose initialize was sent before the first refusal
   * arrived (so a session accepted while a concurrent one was refused still
   * counts); the headline figure once something was refused.
   */
  acceptedBeforeRefusal = 0;
  private refusedYet = false;
  private readonly rssBaseline: number | undefined;
  private rssLatest: number | undefined;

  constructor(private readonly serverPid: number | undefined) {
    this.rssBaseline = serverPid === undefined ? undefined : readRssBytes(serverPid);
  }

  /** True until the first refusal: pass it to `onAccepted` for an attempt started now. */
  get open(): boolean {
    return !this.refusedYet;
  }

  onAccepted(startedWhileOpen: boolean): void {
    this.accepted++;
    if (startedWhileOpen) this.acceptedBeforeRefusal++;
    if (this.serverPid !== undefined) this.rssLatest = readRssBytes(this.serverPid) ?? this.rssLatest;
  }

  onRefused(): void {
    this.refused++;
    this.refusedYet = true;
  }

  /** Server RSS growth per accepted session in bytes, when the server process is known and measured. */
  get rssPerSessionBytes(): number | undefined {
    if (this.rssBaseline === undefined || this.rssLatest === undefined || this.accepted === 0) return undefined;
    return (this.rssLatest - this.rssBaseline) / this.accepted;
  }

  /** The counts, for the run's result (added up across processes). */
  read(): Record<string, number> {
    return { sessionsAccepted: this.accepted, sessionsRefused: this.refused, sessionsAcceptedBeforeRefusal: this.acceptedBeforeRefusal };
  }

  /**
   * Takes the whole run's counts (every process's added up: "before refusal"
   * is then each process's count before its own first refusal) and measures
   * the server's memory once more, against all of them.
   */
  adopt(merged: Readonly<Record<string, number>>): void {
    this.accepted = merged.sessionsAccepted ?? 0;
    this.refused = merged.sessionsRefused ?? 0;
    this.acceptedBeforeRefusal = merged.sessionsAcceptedBeforeRefusal ?? 0;
    this.refusedYet = this.refused > 0;
    if (this.serverPid !== undefined && this.accepted > 0) this.rssLatest = readRssBytes(this.serverPid) ?? this.rssLatest;
  }

  describe(): string {
    if (this.accepted === 0 && this.refused === 0) return 'leak flood: opens sessions and never ends them';
    const found = !this.refusedYet
      ? `the server accepted all ${this.accepted} sessions opened (none refused)`
      : `the server accepted ${this.acceptedBeforeRefusal} sessions before refusing or failing one ` +
        `(${this.accepted} accepted and ${this.refused} refused in all; the initialize row's failures say why)`;
    const perSession = this.rssPerSessionBytes;
    const rss = perSession === undefined
      ? (this.serverPid === undefined ? '; server memory not measured (give --server-pid for a local server)' : '; server RSS not readable')
      : `; server RSS grew ${(perSession / 1024).toFixed(1)} KiB per session`;
    return `leak flood: ${found}${rss}`;
  }
}

export function leakFloodClass(tally: SessionLeakTally, opts: { weight?: number; wait?: WaitTime } = {}): UserClass {
  return {
    name: 'LeakFlood',
    weight: opts.weight ?? 1,
    wait: opts.wait ?? constant(0),
    tasks: [{
      name: 'open session',
      async run(user: VirtualUser) {
        // initialize() starts a fresh session and forgets the previous one without DELETE: the leak.
        const startedWhileOpen = tally.open;
        const ok = await user.mcp.initialize();
        if (user.signal.aborted) return;
        if (ok) tally.onAccepted(startedWhileOpen);
        else tally.onRefused();
      },
    }],
  };
}

export interface SessionScenarioOptions {
  callsPerSession?: number;
  /** The server's process id, for RSS per session (the embedded server's, or --server-pid). */
  serverPid?: number;
}

export const SESSION_SCENARIOS = ['churn', 'leak-flood'] as const;

/** The built-in `churn` and `leak-flood` scenarios. */
export function buildSessionScenario(name: (typeof SESSION_SCENARIOS)[number], env: ScenarioEnv, opts: SessionScenarioOptions): Scenario {
  if (env.mcpConnector !== undefined) {
    throw new Error(`--scenario ${name} needs a Streamable HTTP target: over ${env.mcpConnector.kind} a session lives as long as its connection`);
  }
  if (name === 'churn') {
    const calls = opts.callsPerSession ?? DEFAULT_CALLS_PER_SESSION;
    return {
      name: 'churn',
      description: `open a session, ${calls} tools/list calls, DELETE; again`,
      // mcpload's own defaults (failed checks, task exceptions) apply beside it.
      thresholds: ['error_rate<1%'],
      userClasses: [sessionChurnClass({ callsPerSession: calls })],
    };
  }
  const tally = new SessionLeakTally(opts.serverPid);
  const notes: string[] = [];
  const scenario: Scenario = {
    name: 'leak-flood', description: 'open sessions, never end them', userClasses: [leakFloodClass(tally)], notes, figures: tally,
    // Refused sessions are what this scenario looks for (a server that caps its sessions defends itself), so the
    // default 1 % error rate does not apply; a server that accepted not one session (or never answered) still fails.
    thresholds: ['error_rate<100%'],
  };
  // The notes are printed again after the summary: by then this line holds the result.
  Object.defineProperty(notes, 0, { get: () => tally.describe(), enumerable: true });
  return scenario;
}

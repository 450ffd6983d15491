/**
 * The public scenario API: what a user's `my-scenario.ts` imports from
 * 'mcpload'. A scenario is a set of user classes (Locust's model); each
 * virtual user gets its own MCP client (its own session) and REST client.
 */
import type { Dispatcher } from 'undici';
import type { UserClassDef, TaskDef } from '../engine/user-class.js';
import type { McpClient, McpConnector } from '../transports/mcp-client.js';
import type { RestClient } from '../transports/rest.js';
import type { TlsConnectOptions } from '../transports/tls-options.js';
import type { OAuthAuthorizers } from '../transports/oauth/setup.js';
import type { Recorder } from '../metrics/sample.js';
import type { ServerRequestReplies } from '../transports/server-messages.js';
import type { LoadShape } from '../engine/shape.js';
import type { RunListeners } from '../metrics/events.js';

export type {
  QuittingEvent, RequestEvent, RunListeners as ScenarioEvents, SpawningCompleteEvent, StatsTable, TestStopEvent,
} from '../metrics/events.js';

/** One virtual user, as scenario code sees it. */
export interface VirtualUser {
  /** 1-based, unique within the run. */
  readonly id: number;
  readonly className: string;
  /** Aborted when the run cuts this user; pass it to your own async work. */
  readonly signal: AbortSignal;
  /**
   * This user's MCP client, bound to the target (Streamable HTTP, stdio or
   * legacy SSE: the same methods and sample names); call `initialize()`
   * first (onStart is the place).
   */
  readonly mcp: McpClient;
  /** This user's client for plain HTTP routes of the target (the classic REST face). */
  readonly rest: RestClient;
  /** Where this run's samples go: for scenario code that times requests of its own (e.g. another protocol client). */
  readonly recorder: Recorder;
  /** Free per-user state for scenario code. */
  readonly data: Record<string, unknown>;
}

export type UserClass = UserClassDef<VirtualUser>;
export type Task = TaskDef<VirtualUser>;

/** Where the run points, handed to scenario factories. */
export interface ScenarioEnv {
  /** The target as given by --host (or the embedded server's URL). */
  host: string;
  /** The MCP endpoint URL (host + /mcp unless the host already names a path). */
  mcpUrl: string;
  /** The base URL for REST routes (the host's origin). */
  restBaseUrl: string;
  dispatcher: Dispatcher;
  /** Headers sent with every request (authorization and --header). Never print them. */
  headers: Record<string, string>;
  timeoutMs: number;
  /** A recorder that drops everything: for probing the target before the run without counting it. */
  silentRecorder: Recorder;
  /** Set when the target is not Streamable HTTP at `mcpUrl` (`--stdio`, `--transport sse`): it makes the MCP clients. */
  mcpConnector?: McpConnector;
  /** HTTPS trust and client certificate of the run (--ca-cert, --insecure-skip-tls-verify, --client-cert): for scenario code that opens its own connections. */
  tls?: TlsConnectOptions;
  /** OAuth 2.1 or a token file (--oauth...): gives each user's MCP client its own credentials. */
  oauth?: OAuthAuthorizers;
  /**
   * With --host: aborts once the target has been silent for --connect-timeout
   * before the load. A scenario factory that looks at the target first gives
   * its requests this signal (RestClient's `signal`), so a target that never
   * answers cannot hold the start; never give it to the run's own clients.
   */
  startupSignal?: AbortSignal;
}

export interface Scenario {
  name: string;
  description?: string;
  userClasses: UserClass[];
  /**
   * Default thresholds (k6 syntax, e.g. `p(95)<500`); `--threshold` adds or
   * overrides (same metric and selector). mcpload adds its own defaults to
   * every run (`error_rate<1%`, `checks==100%`, `exceptions==0`); a rule here
   * with the same metric and no selector replaces the matching one.
   */
  thresholds?: string[];
  /**
   * Locust's LoadTestShape: called once a second with the elapsed seconds;
   * returns `{ users, spawnRate }` (closed model), `{ rate }` (iterations/s,
   * open model) or `null` to end the run. Used unless --arrival-rate/--stages are given.
   */
  shape?: LoadShape;
  /**
   * One line for the run's header saying what load `shape` makes, instead of
   * the generic "the scenario's load shape" (the replay says what it plays).
   * `maxUsers`: the pool an open-model shape (`{ rate }`) would use.
   */
  loadDescription?: (maxUsers: number) => string;
  /** Lines for the user, printed before the run and after its summary (e.g. what discovery skipped and why). */
  notes?: string[];
  /**
   * How virtual users answer the server's requests during a call; each reply
   * given is announced as a client capability in `initialize`. `ping` is
   * always answered. Example: `{ sampling: () => ({ role: 'assistant',
   * content: { type: 'text', text: 'ok' }, model: 'mcpload' }) }`.
   */
  serverRequests?: ServerRequestReplies;
  /**
   * Counts the scenario keeps beside the request stats (the leak flood's
   * sessions accepted and refused). They land in the JSON result as
   * `scenarioFigures`, are added up across `--processes` and merged files,
   * and the whole run's are handed back before the notes are printed again.
   */
  figures?: ScenarioFigures;
  /**
   * Listeners to the run's events (Locust's `events.request`, `test_start`,
   * ...), e.g. `{ request(r) { if (r.error) seen++ }, quitting(q) { if (seen > 10) q.exitCode = 3 } }`.
   * An array combines several sets (a helper library's and your own). See docs/scenarios.md.
   */
  events?: RunListeners | RunListeners[];
}

export interface ScenarioFigures {
  /** This process's counts at the end of the run. */
  read(): Record<string, number>;
  /** The whole run's counts (every process added up). */
  adopt(merged: Readonly<Record<string, number>>): void;
}

/** A scenario module's default export: a scenario, or a function that builds one once the target is known. */
export type ScenarioExport = Scenario | ((env: ScenarioEnv) => Scenario | Promise<Scenario>);

/** Identity helper that gives scenario files type checking and completion. */
export function defineScenario<T extends ScenarioExport>(scenario: T): T {
  return scenario;
}

/** Identity helper for a user class. */
export function defineUserClass(userClass: UserClass): UserClass {
  return userClass;
}

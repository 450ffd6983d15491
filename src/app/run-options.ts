/**
 * Everything a `run` was told, whichever mode runs it (headless, the web UI,
 * --processes workers, which get it over IPC): plain data, no behaviour.
 */
import type { ChangeCondition } from '../metrics/change-conditions.js';
import type { BaselineCheck } from './conclude.js';
import type { LoadFlags } from './load-model.js';
import type { OutputOptions, ReportOptions } from '../reporters/output.js';
import type { ScenarioSelection } from './scenario-setup.js';
import type { TlsOptions } from '../transports/tls-options.js';
import type { OAuthOptions } from '../transports/oauth/options.js';
import type { TransportChoice } from '../transports/http-transports.js';

/** Where the web UI listens, its login, and whether a test starts at once. */
export interface WebUiOptions {
  host: string;
  port: number;
  login?: { user: string; password: string };
  token?: string;
  /** Start a test at once with the command line's settings. */
  autostart: boolean;
}

export interface PrometheusOptions {
  port: number;
}

/** `--master`: lead workers on other machines (docs/distributed.md). */
export interface MasterOptions {
  bindHost: string;
  bindPort: number;
  expectWorkers: number;
  /** How long to wait for every worker before giving up (exit 2). */
  maxWaitMs: number;
  /** Whether a lost worker fails the run. */
  onWorkerLoss: 'fail' | 'continue';
  /** A worker silent this long is lost. */
  heartbeatTimeoutMs: number;
  /** The shared secret (--master-token, MCPLOAD_MASTER_TOKEN); never printed, never in a report. */
  token?: string;
  /** TLS: PEM files of the master's certificate and key. */
  tlsCert?: string;
  tlsKey?: string;
}

/** `--worker`: run a share of a master's load. */
export interface WorkerOptions {
  masterHost: string;
  masterPort: number;
  /** A master silent this long is lost: the worker stops and writes its own result. */
  heartbeatTimeoutMs: number;
  token?: string;
  /** TLS: the PEM file of the CA that signed the master's certificate (wss:// when set). */
  tlsCa?: string;
}

export interface RunOptions extends ScenarioSelection, ReportOptions, OutputOptions, LoadFlags {
  /** Target base URL or MCP endpoint URL; the embedded reference server when absent. */
  host?: string;
  /** `--stdio "command args"` instead of a host; `--stdio-shared` for one process for all users. */
  stdio?: string;
  stdioShared?: boolean;
  /** With --host: Streamable HTTP, legacy HTTP+SSE, or auto (fallback to SSE on 400/404/405). */
  transport?: TransportChoice;
  users: number;
  spawnRate: number;
  /** Run time; until Ctrl-C when absent. */
  timeMs?: number;
  headless: boolean;
  stopTimeoutMs: number;
  requestTimeoutMs: number;
  /** How long the checks before the load wait for a silent --host, all together (--connect-timeout; default 5 s). */
  connectTimeoutMs?: number;
  protocolVersion?: string;
  authToken?: string;
  headers: Record<string, string>;
  /** Live table period; 0 turns it off. */
  printIntervalMs: number;
  /** Worker processes sharing the load (each its own core); 1 or absent: this process alone. */
  processes?: number;
  /** Poll the event loop without sleeping while the run is on (each process burns a core). */
  busyPoll?: boolean;
  /** Where the web UI listens, its login, autostart (used without --headless). */
  web?: WebUiOptions;
  /** Serve Prometheus metrics at /metrics on this port (--prometheus). */
  prometheus?: PrometheusOptions;
  /** HTTPS trust and client certificates (--insecure-skip-tls-verify, --ca-cert, --client-cert, --client-key). */
  tls?: TlsOptions;
  /** OAuth 2.1 or a token file (--oauth...): each user authorizes for itself; the token endpoint gets its own OAUTH rows. */
  oauth?: OAuthOptions;
  /** `--baseline FILE`: compare the run with this result (run --json) at its end; read into `baseline` before any load. */
  baselineFile?: string;
  /** `--fail-on`: with a baseline, the changes that make the run fail. */
  failOn?: ChangeCondition[];
  /** `--fail-on-noise`: a condition that holds fails even within the noise. */
  failOnNoise?: boolean;
  /** The baseline, read (run-modes does it, before any load). */
  baseline?: BaselineCheck;
  /** Exit code when the run failed on its default verdict (failures, task exceptions, failed checks); Locust's --exit-code-on-error. Default 1. */
  exitCodeOnError?: number;
  /** Web UI: quit this many seconds after the run ends (Locust's --autoquit); absent: stay up until Ctrl-C. */
  autoquitS?: number;
  /** Reset the statistics once every user has spawned (Locust's --reset-stats). */
  resetStats?: boolean;
  /** No live table while the run is on, only the final summary (Locust's --only-summary). */
  onlySummary?: boolean;
  /** Write k6's end-of-test summary (metrics with their aggregates, thresholds, checks) as JSON to this file (k6's --summary-export). */
  summaryExport?: string;
  /** Lead workers on other machines (--master); their options never reach a worker or a report. */
  master?: MasterOptions;
  /** Run a share of a master's load (--worker). */
  worker?: WorkerOptions;
  /** Export metrics and a span per request over OTLP/HTTP, set up by the OTEL_* variables (Locust's --otel). */
  otel?: boolean;
}

/**
 * A headless load test from start to end: open the target, load the
 * scenario, run the users with a live table, stop on time or signal, then
 * judge and write every report asked for. Returns the exit code.
 */
import { concludeRun, type RunIo } from './conclude.js';
import { formatDuration } from './option-values.js';
import { formatLiveRows } from '../reporters/console.js';
import { createMetricsRegistry, startPrometheusExporter, type PrometheusExporter } from '../reporters/prometheus.js';
import { VERSION } from '../version.js';
import { DEFAULT_WEB_PORT, metricsSourceOf, runWebUi, type PrometheusOptions, type WebUiOptions } from '../web/run-web.js';
import { runMultiProcess } from './multi-process.js';
import { describeLoadModel, modelDurationS, resolveLoadModel, startLoad, type LoadFlags } from './load-model.js';
import { checkReportPaths } from './report-paths.js';
import { openOutputs, outputModeProblem, type OpenOutputs } from './run-outputs.js';
import { otelModeProblem, startOtel } from './run-otel.js';
import type { OtelExport } from '../reporters/otel.js';
import type { OutputOptions, ReportOptions } from './reports.js';
import { prepareScenario, RunSetupError, type ScenarioSelection } from './scenario-setup.js';
import { openTarget, withProtocol } from './target.js';
import { takeToolWarnings } from '../transports/mcp-http.js';
import { testRunFor, type TestRun } from './test-run.js';
import type { TlsOptions } from '../transports/tls-options.js';
import type { OAuthOptions } from '../transports/oauth/options.js';

export { RunSetupError } from './scenario-setup.js';
export type { RunIo } from './conclude.js';
export { resolveEndpoints } from './target.js';

export interface RunOptions extends ScenarioSelection, ReportOptions, OutputOptions, LoadFlags {
  /** Target base URL or MCP endpoint URL; the embedded reference server when absent. */
  host?: string;
  /** `--stdio "command args"` instead of a host; `--stdio-shared` for one process for all users. */
  stdio?: string;
  stdioShared?: boolean;
  /** With --host: Streamable HTTP, legacy HTTP+SSE, or auto (fallback to SSE on 400/404/405). */
  transport?: 'auto' | 'streamable-http' | 'sse';
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
  /** Export metrics and a span per request over OTLP/HTTP, set up by the OTEL_* variables (Locust's --otel). */
  otel?: boolean;
}


/** Resolves with the reason the run should stop: the time limit, a signal, or the load model's own end. */
export function waitForStop(timeMs: number | undefined, io: RunIo, finished?: Promise<string>): Promise<string> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (reason: string) => {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(reason);
    };
    const onSignal = (signal: NodeJS.Signals) => {
      io.err(`\n${signal}: stopping users and writing reports`);
      finish(signal);
      swallowEcho(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (timeMs !== undefined) timer = setTimeout(() => finish('time limit'), timeMs);
    void finished?.then(finish);
  });
}

/**
 * A signal sent to every process at once (systemd, `kill -- -PGID`) reaches the run twice: directly
 * and relayed by the relaunch parent. The echo within a second is the same request, not a second one;
 * after that a repeated signal again ends a stop that hangs (the default action).
 */
const ECHO_WINDOW_MS = 1000;
function swallowEcho(signal: NodeJS.Signals): void {
  const ignore = () => {};
  process.on(signal, ignore);
  setTimeout(() => process.off(signal, ignore), ECHO_WINDOW_MS).unref();
}

export async function runTest(opts: RunOptions, io: RunIo): Promise<number> {
  // Before the embedded server, the workers or the web UI start: a report that cannot be written is a usage error.
  checkReportPaths(opts);
  const outProblem = outputModeProblem(opts);
  if (outProblem !== undefined) throw new RunSetupError(outProblem);
  const otelProblem = otelModeProblem(opts);
  if (otelProblem !== undefined) throw new RunSetupError(otelProblem);
  if (opts.processes !== undefined && opts.processes > 1) return runMultiProcess(opts, opts.processes, io);
  if (!opts.headless) return runWebUi(opts, opts.web ?? { host: '127.0.0.1', port: DEFAULT_WEB_PORT, autostart: false }, io);
  const target = await openTarget(opts);
  opts = withProtocol(opts, target);
  let exporter: PrometheusExporter | undefined;
  let outputs: OpenOutputs | undefined;
  let otel: OtelExport | undefined;
  try {
    // The embedded server is local: leak-flood can read its memory without --server-pid.
    const prepared = await prepareScenario({ ...opts, serverPid: opts.serverPid ?? target.embedded?.pid }, target.env);
    // Tools the discovery listing left out for a broken x-mcp-header: said once, kept in the result's notes.
    prepared.notes.push(...takeToolWarnings());
    for (const note of [...target.notes, ...prepared.notes]) io.err(`note: ${note}`);
    const model = resolveLoadModel(opts, prepared.scenario.shape);
    const run = testRunFor(prepared, target.env, opts, { ...opts, host: target.host });
    // --out files are opened (truncated) now, before the load: they listen to the run's events from its first second.
    outputs = await openOutputs(opts.out, run.events);
    if (opts.otel === true) otel = await startOtel(run, io);
    if (opts.prometheus) {
      exporter = await startPrometheusExporter(createMetricsRegistry(metricsSourceOf(() => run)), opts.web?.host ?? '127.0.0.1', opts.prometheus.port);
      io.out(`Prometheus metrics at ${exporter.url}\n`);
    }

    // Stages end by themselves; -t can cut them shorter.
    const stagesS = modelDurationS(model);
    const timeMs = stagesS !== undefined ? Math.min(opts.timeMs ?? Infinity, Math.ceil(stagesS * 1000)) : opts.timeMs;
    const where = target.embedded ? `${target.host} (embedded reference server)` : target.host;
    io.out(`mcpload ${VERSION}: scenario ${prepared.scenario.name} against ${where}\n` +
      `${describeLoadModel(model)}, ${timeMs !== undefined ? `for ${formatDuration(timeMs)}` : 'until Ctrl-C'}; ` +
      `classes ${prepared.classes.map((c) => c.name).join(', ')}\n${target.protocolNote !== undefined ? `${target.protocolNote}\n` : ''}`);

    const totalS = timeMs !== undefined ? timeMs / 1000 : undefined;
    // --only-summary: no live table, only the summary at the end.
    const printer = opts.printIntervalMs > 0 && opts.onlySummary !== true
      ? setInterval(() => {
        const info = { elapsedS: run.elapsedS, totalS, users: run.userCount, state: run.state };
        io.out(formatLiveRows(run.stats.liveRows(), info) + openModelStatus(run) + '\n');
      }, opts.printIntervalMs)
      : undefined;
    await startLoad(run, model);
    const reason = await waitForStop(timeMs, io, run.finished);
    clearInterval(printer);

    // A second Ctrl-C during the graceful stop must not kill the process before the reports exist.
    const onLateSignal = () => io.err('already stopping; reports follow');
    process.on('SIGINT', onLateSignal);
    await run.stop(reason);
    for (const warning of takeToolWarnings()) io.err(`note: ${warning}`);
    process.off('SIGINT', onLateSignal);

    const result = run.result();
    if (target.processUsage) result.serverProcesses = target.processUsage();
    io.out(`\nstopped (${reason}) after ${formatDuration(run.elapsedS * 1000)}\n`);
    const pacing = run.pacingNote();
    const outFailures = outputs.close();
    for (const line of outFailures) io.err(`error: output not written whole: ${line}`);
    const code = await concludeRun(result, opts, io, pacing ? [...(prepared.scenario.notes ?? []), pacing] : prepared.scenario.notes, run.events);
    if (outFailures.length === 0 || code !== 0) return code;
    io.out(`exit code 1: ${outFailures.length === 1 ? 'an output was' : `${outFailures.length} outputs were`} not written whole\n`);
    return 1;
  } finally {
    outputs?.close();
    // Also after Ctrl-C; bounded, so a receiver that is down never holds the exit.
    await otel?.close();
    await exporter?.close();
    await target.close();
  }
}

/** The open model's line under the live table: rate asked for, users busy, iterations dropped. */
function openModelStatus(run: TestRun): string {
  const rate = run.arrivalRate;
  if (rate === undefined) return '';
  return `\narrival rate ${rate.toFixed(1)}/s · dropped iterations ${run.droppedIterations ?? 0}`;
}

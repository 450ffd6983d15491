/**
 * A headless load test from start to end: open the target, load the
 * scenario, run the users with a live table, stop on time or signal, then
 * judge and write every report asked for. Returns the exit code. The run
 * command picks this mode (cli/run-modes.ts).
 */
import { concludeRun, type RunIo } from './conclude.js';
import { formatDuration } from '../values/option-values.js';
import { formatLiveRows } from '../reporters/console.js';
import type { PrometheusExporter } from '../reporters/prometheus.js';
import { VERSION } from '../version.js';
import { metricsSourceOf } from './metrics-source.js';
import { describeLoadModel, modelDurationS, resolveLoadModel, untilText, startLoad } from './load-model.js';
import { exitCodeWithOutputs, openOutputs, type OpenOutputs } from './run-outputs.js';
import { startOtel } from './run-otel.js';
import type { OtelExport } from '../reporters/otel.js';
import type { RunOptions } from './run-options.js';
import { prepareScenario } from './scenario-setup.js';
import { openTarget, preLoadRequestsNote, withProtocol } from './target.js';
import { takeToolWarnings } from '../transports/mcp-http.js';
import { testRunFor, type TestRun } from './test-run.js';
import { shieldedFromSigint } from '../process/stop-signals.js';
import { ALREADY_STOPPING, armStop, type StopWait } from './wait-for-stop.js';

export async function runHeadless(opts: RunOptions, io: RunIo): Promise<number> {
  const target = await openTarget(opts);
  opts = withProtocol(opts, target);
  let exporter: PrometheusExporter | undefined;
  let outputs: OpenOutputs | undefined;
  let otel: OtelExport | undefined;
  let stop: StopWait | undefined;
  try {
    // The embedded server is local: leak-flood can read its memory without --server-pid.
    const prepared = await prepareScenario({ ...opts, serverPid: opts.serverPid ?? target.embedded?.pid }, target.env);
    // Tools the discovery listing left out for a broken x-mcp-header: said once, kept in the result's notes.
    prepared.notes.push(...takeToolWarnings());
    const preLoad = preLoadRequestsNote(target);
    if (preLoad !== undefined) prepared.notes.push(preLoad);
    for (const note of [...target.notes, ...prepared.notes]) io.err(`note: ${note}`);
    const model = resolveLoadModel(opts, prepared.scenario.shape);
    const run = testRunFor(prepared, target.env, opts, { ...opts, host: target.host });
    // --out files are opened (truncated) now, before the load: they listen to the run's events from its first second.
    outputs = await openOutputs(opts.out, run.events);
    if (opts.otel === true) otel = await startOtel(run, io);
    if (opts.prometheus) {
      // Loaded only for --prometheus: prom-client is a large module.
      const { createMetricsRegistry, startPrometheusExporter } = await import('../reporters/prometheus.js');
      exporter = await startPrometheusExporter(createMetricsRegistry(metricsSourceOf(() => run)), opts.web?.host ?? '127.0.0.1', opts.prometheus.port);
      io.out(`Prometheus metrics at ${exporter.url}\n`);
    }

    // Stages end by themselves; -t can cut them shorter.
    const stagesS = modelDurationS(model);
    const timeMs = stagesS !== undefined ? Math.min(opts.timeMs ?? Infinity, Math.ceil(stagesS * 1000)) : opts.timeMs;
    const where = target.embedded ? `${target.host} (embedded reference server)` : target.host;
    stop = armStop(io);
    io.out(`mcpload ${VERSION}: scenario ${prepared.scenario.name} against ${where}\n` +
      `${describeLoadModel(model, prepared.scenario.loadDescription)}, ${timeMs !== undefined ? `for ${formatDuration(timeMs)}` : untilText(model, prepared.scenario.loadDescription)}; ` +
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
    const reason = await stop.until(timeMs, run.finished);
    clearInterval(printer);

    await shieldedFromSigint(() => io.err(ALREADY_STOPPING), () => run.stop(reason));
    for (const warning of takeToolWarnings()) io.err(`note: ${warning}`);

    const result = run.result();
    if (target.processUsage) result.serverProcesses = target.processUsage();
    io.out(`\nstopped (${reason}) after ${formatDuration(run.elapsedS * 1000)}\n`);
    const runNotes = run.runNotes();
    const outFailures = outputs.close();
    const code = await concludeRun(result, opts, io, [...(prepared.scenario.notes ?? []), ...runNotes], run.events);
    return exitCodeWithOutputs(code, outFailures, io);
  } finally {
    stop?.close();
    outputs?.close();
    // Also after Ctrl-C; bounded, so a receiver that is down never holds the exit.
    await otel?.close();
    await exporter?.close();
    await target.close();
  }
}

/** The open model's line under the live table: rate asked for, rate achieved since the start, iterations dropped. */
function openModelStatus(run: TestRun): string {
  const rate = run.arrivalRate;
  if (rate === undefined) return '';
  const achievedRate = run.achievedArrivalRate;
  const achieved = achievedRate !== undefined ? `${achievedRate.toFixed(1)}/s achieved` : 'n/a achieved';
  return `\narrival rate ${rate.toFixed(1)}/s target, ${achieved} · dropped iterations ${run.droppedIterations ?? 0}`;
}

/**
 * Which mode runs `mcpload run`: --master (workers on other machines) or
 * --worker (a master's share), --processes N (worker processes, one merged
 * result), headless (a live table), or the web UI (the default). The one
 * place that knows them all; each mode is loaded only when chosen. Checks
 * every mode shares come first, before an embedded server, a worker or the
 * web UI starts.
 */
import type { RunIo } from '../app/conclude.js';
import type { RunOptions } from '../app/run-options.js';
import { checkReportPaths } from '../app/report-paths.js';
import { outputModeProblem } from '../app/run-outputs.js';
import { otelModeProblem } from '../app/run-otel.js';
import { RunSetupError } from '../app/run-setup-error.js';
import { DEFAULT_WEB_PORT } from '../web/ports.js';

/** Runs the load test `opts` describes in its mode; resolves with the exit code. */
export async function runInMode(given: RunOptions, io: RunIo): Promise<number> {
  // A report that cannot be written is a usage error, said before any load.
  checkReportPaths(given);
  let opts = await withBaseline(given);
  const outProblem = outputModeProblem(opts);
  if (outProblem !== undefined) throw new RunSetupError(outProblem);
  const otelProblem = otelModeProblem(opts);
  if (otelProblem !== undefined) throw new RunSetupError(otelProblem);
  // A replay speaks the protocol version its recording spoke, unless told otherwise.
  if (opts.replay !== undefined) opts = await (await import('../app/replay-setup.js')).withRecordedProtocol(opts);
  if (opts.master !== undefined) {
    const master = opts.master;
    if (!opts.headless) {
      // The web UI drives the workers: the page's swarm starts them, its Stop stops them (docs/distributed.md).
      const web = opts.web ?? { host: '127.0.0.1', port: DEFAULT_WEB_PORT, autostart: false };
      const { MasterSession } = await import('../app/master-session.js');
      return (await import('../web/run-web.js')).runWebUi(opts, web, io, { runSource: (logIo) => MasterSession.open(opts, master, logIo) });
    }
    return (await import('../app/master.js')).runMaster(opts, master, io);
  }
  if (opts.worker !== undefined) return (await import('../app/network-worker.js')).runNetworkWorker(opts, opts.worker, io);
  if (opts.processes !== undefined && opts.processes > 1) {
    if (!opts.headless) io.err('note: the web UI is not available with --processes; running headless');
    return (await import('../app/multi-process.js')).runMultiProcess(opts, opts.processes, io);
  }
  if (!opts.headless) {
    const web = opts.web ?? { host: '127.0.0.1', port: DEFAULT_WEB_PORT, autostart: false };
    return (await import('../web/run-web.js')).runWebUi(opts, web, io);
  }
  return (await import('../app/headless-run.js')).runHeadless(opts, io);
}

/** `--baseline FILE` read before any load (a missing or foreign file exits 2); `--fail-on` without it is a usage error. */
async function withBaseline(opts: RunOptions): Promise<RunOptions> {
  if (opts.baselineFile === undefined) {
    if ((opts.failOn?.length ?? 0) > 0) throw new RunSetupError('--fail-on judges the change from a baseline: give --baseline FILE (a result written by run --json)');
    return opts;
  }
  const { readRunResult } = await import('../app/merge-results.js');
  const result = await readRunResult(opts.baselineFile);
  return { ...opts, baseline: { label: opts.baselineFile, result, failOn: opts.failOn ?? [], failOnNoise: opts.failOnNoise === true } };
}

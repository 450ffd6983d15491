/**
 * `mcpload run` without --headless: serve the web UI, let the page (or the
 * HTTP API) start, change and stop tests, and on Ctrl-C (or `--autoquit N`
 * seconds after a run ended) stop the users, print the summary, write every
 * report asked for and exit with the verdict of the last run, judged as a
 * headless run is.
 */
import { concludeRun, type RunIo } from '../app/conclude.js';
import { metricsSourceOf } from '../app/metrics-source.js';
import type { RunOptions, WebUiOptions } from '../app/run-options.js';
import { writeReports } from '../app/reports.js';
import type { ReportOptions } from '../reporters/output.js';
import { reportsAskedFor } from '../reporters/outputs.js';
import type { LiveRun } from '../app/live-run.js';
import type { RunSource } from '../app/run-source.js';
import { ALREADY_STOPPING, STOPPING } from '../app/wait-for-stop.js';
import { exitCodeFor } from '../report/verdict.js';
import type { PrometheusExporter } from '../reporters/prometheus.js';
import { onStopSignal, shieldedFromSigint, type StopListener } from '../process/stop-signals.js';
import { VERSION } from '../version.js';
import { exposureWarning, type WebCredentials } from './access.js';
import { WebController } from './controller.js';
import { LiveFeed } from './live-feed.js';
import { LogBook } from './log-book.js';
import { startWebServer } from './server.js';

/** True when the command line asked for any report file. */
export function reportsAsked(opts: ReportOptions): boolean {
  return reportsAskedFor(opts).length > 0;
}

/** What ends the web UI: Ctrl-C, SIGTERM, or the --autoquit timer after a run. */
class Shutdown {
  readonly reason: Promise<string>;
  private resolve!: (reason: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private readonly signals: StopListener;

  constructor(io: RunIo) {
    this.reason = new Promise((resolve) => (this.resolve = resolve));
    this.signals = onStopSignal((signal) => {
      io.err(`\n${signal}: ${STOPPING}`);
      this.end(signal);
    });
  }

  /** Ends after `seconds`, unless `busy()` says a run is on by then (its own end arms the timer again). */
  armAutoquit(seconds: number, busy: () => boolean): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!busy()) this.end('autoquit');
    }, seconds * 1000);
  }

  end(reason: string): void {
    clearTimeout(this.timer);
    this.signals.close();
    this.resolve(reason);
  }
}

function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

/** Lines of a run source (a master's: workers joining, lost, over 90 % CPU) go to the page's log, and from there to stderr. */
function logIo(log: LogBook): RunIo {
  const say = (text: string) => {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const warning = /^warning: (.*)$/.exec(line);
      const error = /^error: (.*)$/.exec(line);
      if (warning) log.warn(warning[1] ?? line);
      else if (error) log.error(error[1] ?? line);
      else log.info(line);
    }
  };
  return { out: say, err: say };
}

export interface WebUiMode {
  /** Opens who makes the runs when this process does not (`run --master`: its workers), with the page's log for its lines. */
  runSource?: (io: RunIo) => Promise<RunSource>;
}

export async function runWebUi(opts: RunOptions, web: WebUiOptions, io: RunIo, mode: WebUiMode = {}): Promise<number> {
  const log = new LogBook(1000, (line) => io.err(`[${clock(line.at)}] ${line.level === 'info' ? '' : `${line.level}: `}${line.text}`));
  let lastRun: LiveRun | undefined;
  let shuttingDown = false;
  let toldStaysUp = false;
  let autostartFailed = false;
  const runs = await mode.runSource?.(logIo(log));
  const controller = await WebController.create({
    run: opts,
    log,
    ...(runs ? { runs } : {}),
    onRunEnded: async (run) => {
      lastRun = run;
      const result = run.result();
      const failures = result.verdict?.failures ?? [];
      log.info(result.passed ? 'verdict: passed' : `verdict: FAILED (${failures.length} rule(s) or check(s) failing)`);
      for (const line of failures) log.warn(`failed: ${line}`);
      if (shuttingDown) return;
      // Every run's reports exist as soon as it ends; the shutdown writes them (again) once more below.
      try {
        const { written, failed } = await writeReports(result, opts, exitCodeFor(result, opts.exitCodeOnError));
        if (written.length > 0) log.info(`reports: ${written.join(', ')}`);
        for (const line of failed) log.error(`report not written: ${line}`);
      } catch (err) {
        log.error(`reports not written: ${(err as Error).message}`);
      }
      if (opts.autoquitS !== undefined) {
        log.info(`quitting in ${opts.autoquitS} s (--autoquit ${opts.autoquitS}) unless a new test starts`);
        shutdown.armAutoquit(opts.autoquitS, () => controller.active);
      } else if (!toldStaysUp) {
        toldStaysUp = true;
        log.info('the web UI stays up until Ctrl-C (--autoquit 0 quits as soon as a run ends)');
      }
    },
  });

  const feed = new LiveFeed(controller, log);
  // Loaded only for --prometheus: prom-client is a large module.
  const prometheus = opts.prometheus ? await import('../reporters/prometheus.js') : undefined;
  const registry = prometheus?.createMetricsRegistry(metricsSourceOf(() => controller.run));
  let exporter: PrometheusExporter | undefined;
  const credentials: WebCredentials = { login: web.login, token: web.token };
  let server;
  try {
    server = await startWebServer({
      host: web.host, port: web.port, credentials, controller, feed, metrics: registry,
      onError: (message) => log.error(message),
    });
    if (prometheus && registry && opts.prometheus) exporter = await prometheus.startPrometheusExporter(registry, web.host, opts.prometheus.port);
  } catch (err) {
    await server?.close();
    feed.close();
    await controller.close('setup failed');
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new Error(`address in use: ${web.host}:${web.port} (pick another with --web-port or --prometheus-port)`);
    throw err;
  }

  const where = controller.embedded ? `${controller.host} (embedded reference server)` : controller.host;
  io.out(`mcpload ${VERSION}: web UI at ${server.url}${web.token ? ' (open it with ?token=<your --web-token>)' : ''}\n`);
  io.out(`scenario ${controller.scenarioName} against ${where}; Ctrl-C stops and writes the reports\n`);
  if (exporter) io.out(`Prometheus metrics at ${exporter.url} (and ${server.url}/metrics)\n`);
  const warning = exposureWarning(web.host, credentials);
  if (warning) io.err(warning);

  // Runs end (and arm --autoquit) only after this point: no run starts before the server is up.
  const shutdown = new Shutdown(io);
  // On a master, --autostart starts once every worker has joined (as Locust's does); Ctrl-C before that just quits.
  const startable = web.autostart && runs?.ready !== undefined ? await Promise.race([runs.ready.then(() => true), shutdown.reason.then(() => false)]) : true;
  if (web.autostart && startable) {
    try {
      await controller.swarm({ users: opts.users, spawnRate: opts.spawnRate, weights: {} });
    } catch (err) {
      log.error(`autostart failed: ${(err as Error).message}`);
      autostartFailed = true;
      // Nothing will run, so nothing would ever arm the timer: quit now rather than wait for Ctrl-C.
      if (opts.autoquitS !== undefined) shutdown.end('autostart failed');
    }
  }

  const reason = await shutdown.reason;
  try {
    shuttingDown = true;
    return await shieldedFromSigint(() => io.err(ALREADY_STOPPING), async () => {
      await controller.close(reason);
      // The last run ends as a headless run does: summary, notes, every report, and the same exit code.
      if (lastRun) return concludeRun(lastRun.result(), opts, io, undefined, lastRun.events);
      if (reportsAsked(opts)) io.err('no test ran: no reports written');
      return autostartFailed ? 1 : 0;
    });
  } finally {
    feed.close();
    await server.close();
    await exporter?.close();
  }
}

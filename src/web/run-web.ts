/**
 * `mcpload run` without --headless: serve the web UI, let the page (or the
 * HTTP API) start, change and stop tests, and on Ctrl-C stop the users,
 * write every report asked for and exit with the verdict of the last run.
 */
import type { RunIo, RunOptions } from '../app/run-test.js';
import { writeReports } from '../app/reports.js';
import type { TestRun } from '../app/test-run.js';
import { createMetricsRegistry, startPrometheusExporter, type PrometheusExporter } from '../reporters/prometheus.js';
import { VERSION } from '../version.js';
import { exposureWarning, type WebCredentials } from './access.js';
import { WebController } from './controller.js';
import { LiveFeed } from './live-feed.js';
import { LogBook } from './log-book.js';
import { startWebServer } from './server.js';

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

export const DEFAULT_WEB_PORT = 8089;
export const DEFAULT_PROMETHEUS_PORT = 9464;

/** Prometheus' view of a TestRun. */
export function metricsSourceOf(current: () => TestRun | null) {
  return {
    current: () => {
      const run = current();
      if (!run) return null;
      return {
        state: run.state, userCount: run.userCount, targetUsers: run.targetUsers, thresholds: run.config.thresholds,
        snapshot: (o: { history: false }) => run.snapshot(o),
      };
    },
  };
}

function waitForSignal(io: RunIo): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      io.err(`\n${signal}: stopping users and writing reports`);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

export async function runWebUi(opts: RunOptions, web: WebUiOptions, io: RunIo): Promise<number> {
  const log = new LogBook(1000, (line) => io.err(`[${clock(line.at)}] ${line.level === 'info' ? '' : `${line.level}: `}${line.text}`));
  let lastResultPassed: boolean | undefined;
  let lastRun: TestRun | undefined;
  let shuttingDown = false;
  const report = async (run: TestRun) => {
    try {
      const written = await writeReports(run.result(), opts);
      if (written.length > 0) log.info(`reports: ${written.join(', ')}`);
    } catch (err) {
      log.error(`reports not written: ${(err as Error).message}`);
    }
  };
  const controller = await WebController.create({
    run: opts,
    log,
    onRunEnded: async (run) => {
      lastRun = run;
      const result = run.result();
      lastResultPassed = result.passed;
      log.info(`verdict: ${result.passed ? 'passed' : 'FAILED'} (${result.thresholds.filter((t) => !t.passed).length} threshold(s) and ${result.security.filter((s) => !s.passed).length} security check(s) failing)`);
      // Every run's reports exist as soon as it ends; Ctrl-C writes them (again) once more below.
      if (!shuttingDown) await report(run);
    },
  });

  const feed = new LiveFeed(controller, log);
  const registry = opts.prometheus ? createMetricsRegistry(metricsSourceOf(() => controller.run)) : undefined;
  let exporter: PrometheusExporter | undefined;
  const credentials: WebCredentials = { login: web.login, token: web.token };
  let server;
  try {
    server = await startWebServer({
      host: web.host, port: web.port, credentials, controller, feed, metrics: registry,
      onError: (message) => log.error(message),
    });
    if (registry && opts.prometheus) exporter = await startPrometheusExporter(registry, web.host, opts.prometheus.port);
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

  if (web.autostart) {
    try {
      await controller.swarm({ users: opts.users, spawnRate: opts.spawnRate, weights: {} });
    } catch (err) {
      log.error(`autostart failed: ${(err as Error).message}`);
    }
  }

  const signal = await waitForSignal(io);
  const onLateSignal = () => io.err('already stopping; reports follow');
  process.on('SIGINT', onLateSignal);
  try {
    shuttingDown = true;
    await controller.close(signal);
    if (lastRun) await report(lastRun);
    else if (opts.csv || opts.json || opts.html) io.err('no test ran: no reports written');
  } finally {
    process.off('SIGINT', onLateSignal);
    feed.close();
    await server.close();
    await exporter?.close();
  }
  return lastResultPassed === false ? 1 : 0;
}

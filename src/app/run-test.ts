/**
 * A headless load test from start to end: open the target, load the
 * scenario, run the users with a live table, stop on time or signal, then
 * judge and write every report asked for. Returns the exit code.
 */
import { formatDuration } from '../cli/values.js';
import { formatLiveTable, formatSummary } from '../reporters/console.js';
import { VERSION } from '../version.js';
import { writeReports, type ReportOptions } from './reports.js';
import { prepareScenario, type ScenarioSelection } from './scenario-setup.js';
import { openTarget } from './target.js';
import { TestRun } from './test-run.js';

export { RunSetupError } from './scenario-setup.js';
export { resolveEndpoints } from './target.js';

export interface RunOptions extends ScenarioSelection, ReportOptions {
  /** Target base URL or MCP endpoint URL; the embedded reference server when absent. */
  host?: string;
  users: number;
  spawnRate: number;
  /** Run time; until Ctrl-C when absent. */
  timeMs?: number;
  headless: boolean;
  stopTimeoutMs: number;
  requestTimeoutMs: number;
  protocolVersion?: string;
  authToken?: string;
  headers: Record<string, string>;
  /** Live table period; 0 turns it off. */
  printIntervalMs: number;
}

export interface RunIo {
  out(text: string): void;
  err(text: string): void;
}

/** Resolves with the reason the run should stop: the time limit or a signal. */
function waitForStop(timeMs: number | undefined, io: RunIo): Promise<string> {
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
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (timeMs !== undefined) timer = setTimeout(() => finish('time limit'), timeMs);
  });
}

export async function runTest(opts: RunOptions, io: RunIo): Promise<number> {
  if (!opts.headless) io.err('note: the web UI is not available yet; running headless');
  const target = await openTarget(opts);
  try {
    const prepared = await prepareScenario(opts, target.env);
    for (const note of prepared.notes) io.err(`note: ${note}`);
    const run = new TestRun({
      scenarioName: prepared.scenario.name,
      classes: prepared.classes,
      thresholds: prepared.thresholds,
      env: target.env,
      stopTimeoutMs: opts.stopTimeoutMs,
      protocolVersion: opts.protocolVersion,
      settings: { ...opts, host: target.host },
    });

    const where = target.embedded ? `${target.host} (embedded reference server)` : target.host;
    io.out(`mcpload ${VERSION}: scenario ${prepared.scenario.name} against ${where}\n` +
      `${opts.users} users at ${opts.spawnRate}/s, ${opts.timeMs !== undefined ? `for ${formatDuration(opts.timeMs)}` : 'until Ctrl-C'}; ` +
      `classes ${prepared.classes.map((c) => c.name).join(', ')}\n`);

    const totalS = opts.timeMs !== undefined ? opts.timeMs / 1000 : undefined;
    const printer = opts.printIntervalMs > 0
      ? setInterval(() => {
        const info = { elapsedS: run.elapsedS, totalS, users: run.userCount, state: run.state };
        io.out(formatLiveTable(run.snapshot({ history: false }), info) + '\n');
      }, opts.printIntervalMs)
      : undefined;
    run.start(opts.users, opts.spawnRate);
    const reason = await waitForStop(opts.timeMs, io);
    clearInterval(printer);

    // A second Ctrl-C during the graceful stop must not kill the process before the reports exist.
    const onLateSignal = () => io.err('already stopping; reports follow');
    process.on('SIGINT', onLateSignal);
    await run.stop(reason);
    process.off('SIGINT', onLateSignal);

    const result = run.result();
    io.out(`\nstopped (${reason}) after ${formatDuration(run.elapsedS * 1000)}\n`);
    io.out(formatSummary(result.snapshot, result.thresholds, result.security) + '\n');
    const written = await writeReports(result, opts);
    if (written.length > 0) io.out(`reports: ${written.join(', ')}\n`);
    return result.passed ? 0 : 1;
  } finally {
    await target.close();
  }
}

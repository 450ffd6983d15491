/**
 * One load test from start to end: start the target if none was given, load
 * the scenario, run the users, print live stats, stop on time or signal, then
 * judge and write every report asked for. Returns the exit code.
 */
import { Runner } from '../engine/runner.js';
import { filterTasks } from '../engine/task-picker.js';
import { Stats } from '../metrics/stats.js';
import { evaluateThresholds, mergeThresholdLists, securityResults } from '../metrics/thresholds.js';
import type { Recorder } from '../metrics/sample.js';
import { formatLiveTable, formatSummary } from '../reporters/console.js';
import { writeCsvReports } from '../reporters/csv.js';
import { redactSettings, writeJsonReport, type RunResult } from '../reporters/json.js';
import { createDispatcher } from '../transports/http-pool.js';
import { McpHttpClient } from '../transports/mcp-http.js';
import { RestClient } from '../transports/rest.js';
import type { Scenario, ScenarioEnv, UserClass, VirtualUser } from '../scenarios/api.js';
import { classicScenarioFile, importScenarioModule, resolveScenario } from '../scenarios/loader.js';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
import { formatDuration } from '../cli/values.js';
import { VERSION } from '../version.js';

export interface RunOptions {
  /** Scenario file; the classic suite when absent. */
  scenario?: string;
  /** Target base URL or MCP endpoint URL; the embedded reference server when absent. */
  host?: string;
  users: number;
  spawnRate: number;
  /** Run time; until Ctrl-C when absent. */
  timeMs?: number;
  headless: boolean;
  csv?: string;
  json?: string;
  stopTimeoutMs: number;
  userClasses: string[];
  tags: string[];
  excludeTags: string[];
  thresholds: string[];
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

/** A user-facing problem before the run starts (exit 2). */
export class RunSetupError extends Error {}

const silentRecorder: Recorder = { record() {}, exception() {} };

/** `http://h:p` → MCP at `/mcp`, REST at the origin; `http://h:p/some/path` → MCP at that path. */
export function resolveEndpoints(host: string): { mcpUrl: string; restBaseUrl: string } {
  const url = new URL(host);
  const restBaseUrl = url.origin;
  const pathname = url.pathname.replace(/\/$/, '');
  return { mcpUrl: pathname === '' ? `${restBaseUrl}/mcp` : `${restBaseUrl}${pathname}${url.search}`, restBaseUrl };
}

function selectClasses(scenario: Scenario, opts: RunOptions, io: RunIo): UserClass[] {
  let classes = scenario.userClasses;
  if (opts.userClasses.length > 0) {
    const known = new Set(classes.map((c) => c.name));
    const unknown = opts.userClasses.filter((n) => !known.has(n));
    if (unknown.length > 0) {
      throw new RunSetupError(`unknown user class ${unknown.join(', ')} (this scenario has: ${[...known].join(', ')})`);
    }
    classes = classes.filter((c) => opts.userClasses.includes(c.name));
  }
  if (opts.tags.length > 0 || opts.excludeTags.length > 0) {
    const kept: UserClass[] = [];
    for (const cls of classes) {
      const tasks = filterTasks(cls.tasks, opts.tags.length ? opts.tags : undefined, opts.excludeTags.length ? opts.excludeTags : undefined);
      if (tasks.length > 0) kept.push({ ...cls, tasks });
      else io.err(`note: user class ${cls.name} has no task left after tag filtering; it is left out`);
    }
    if (kept.length === 0) throw new RunSetupError('no task is left after --tags/--exclude-tags filtering');
    classes = kept;
  }
  return classes;
}

export async function runTest(opts: RunOptions, io: RunIo): Promise<number> {
  if (!opts.headless) io.err('note: the web UI is not available yet; running headless');
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.authToken) headers.authorization = `Bearer ${opts.authToken}`;

  let embedded: EmbeddedServer | undefined;
  let host = opts.host;
  if (!host) {
    embedded = await startEmbeddedServer({ authToken: opts.authToken });
    host = embedded.url;
  }
  const dispatcher = createDispatcher();
  try {
    const { mcpUrl, restBaseUrl } = resolveEndpoints(host);
    const env: ScenarioEnv = { host, mcpUrl, restBaseUrl, dispatcher, headers, timeoutMs: opts.requestTimeoutMs, silentRecorder };
    const scenarioFile = opts.scenario ?? classicScenarioFile();
    const scenario = await resolveScenario(await importScenarioModule(scenarioFile), env, scenarioFile);
    const classes = selectClasses(scenario, opts, io);
    let thresholds;
    try {
      thresholds = mergeThresholdLists(scenario.thresholds ?? [], opts.thresholds);
    } catch (err) {
      throw new RunSetupError((err as Error).message);
    }

    const target = embedded ? `${host} (embedded reference server)` : host;
    io.out(`mcpload ${VERSION}: scenario ${scenario.name} against ${target}\n` +
      `${opts.users} users at ${opts.spawnRate}/s, ${opts.timeMs !== undefined ? `for ${formatDuration(opts.timeMs)}` : 'until Ctrl-C'}; classes ${classes.map((c) => c.name).join(', ')}\n`);

    const stats = new Stats();
    const runner = new Runner<VirtualUser>({
      classes,
      stopTimeoutMs: opts.stopTimeoutMs,
      makeContext: ({ id, className, signal }) => ({
        id,
        className,
        signal,
        data: {},
        mcp: new McpHttpClient({ url: mcpUrl, recorder: stats, dispatcher, timeoutMs: opts.requestTimeoutMs, protocolVersion: opts.protocolVersion, headers, signal }),
        rest: new RestClient({ baseUrl: restBaseUrl, recorder: stats, dispatcher, timeoutMs: opts.requestTimeoutMs, headers, signal }),
      }),
      closeContext: (user) => user.mcp.close(),
      onException: (err, where) => stats.exception(err, where),
    });

    const startedAt = new Date();
    const started = performance.now();
    const elapsedS = () => (performance.now() - started) / 1000;
    const totalS = opts.timeMs !== undefined ? opts.timeMs / 1000 : undefined;

    const stopReason = await new Promise<string>((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      let interrupts = 0;
      const finish = (reason: string) => {
        for (const t of timers) clearInterval(t);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve(reason);
      };
      const onSignal = (signal: NodeJS.Signals) => {
        interrupts++;
        if (interrupts === 1) {
          io.err(`\n${signal}: stopping users and writing reports (again to quit at once)`);
          finish(signal);
        }
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      timers.push(setInterval(() => stats.tick(runner.userCount), 1000));
      if (opts.printIntervalMs > 0) {
        timers.push(setInterval(() => {
          io.out(formatLiveTable(stats.snapshot({ history: false }), { elapsedS: elapsedS(), totalS, users: runner.userCount, state: runner.state }) + '\n');
        }, opts.printIntervalMs));
      }
      if (opts.timeMs !== undefined) timers.push(setTimeout(() => finish('time limit'), opts.timeMs));
      runner.start(opts.users, opts.spawnRate);
    });

    // A second Ctrl-C during the graceful stop cuts it short; reports are still written.
    const forceStop = () => io.err('stopping now');
    process.once('SIGINT', forceStop);
    await runner.stop();
    process.off('SIGINT', forceStop);
    stats.tick(0);

    const snapshot = stats.snapshot();
    const thresholdResults = evaluateThresholds(thresholds, snapshot);
    const security = securityResults(snapshot);
    const passed = thresholdResults.every((t) => t.passed) && security.every((s) => s.passed);
    io.out(`\nstopped (${stopReason}) after ${formatDuration(elapsedS() * 1000)}\n`);
    io.out(formatSummary(snapshot, thresholdResults, security) + '\n');

    const result: RunResult = {
      tool: 'mcpload',
      version: VERSION,
      settings: redactSettings({ ...opts, host, scenario: scenario.name, authToken: opts.authToken ? '[redacted]' : undefined }),
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      snapshot,
      thresholds: thresholdResults,
      security,
      passed,
    };
    const written: string[] = [];
    if (opts.csv) written.push(...(await writeCsvReports(opts.csv, snapshot)));
    if (opts.json) {
      await writeJsonReport(opts.json, result);
      written.push(opts.json);
    }
    if (written.length > 0) io.out(`reports: ${written.join(', ')}\n`);
    return passed ? 0 : 1;
  } finally {
    await dispatcher.close().catch(() => undefined);
    await embedded?.stop();
  }
}

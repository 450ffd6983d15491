/**
 * The `mcpload run` command: its options (in help groups, Locust's names and
 * short flags where Locust has them), the config file, the log, and how the
 * parsed flags become RunOptions. The mode that runs them is chosen in run-modes.ts.
 */
import { InvalidArgumentError, Option, type Command, type OptionValues } from 'commander';
import type { RunIo } from '../app/conclude.js';
import type { RunOptions } from '../app/run-options.js';
import { LATEST, LEGACY_PROTOCOL_VERSIONS } from '../protocol/rev-2026-07-28.js';
import type { OutputRequest } from '../reporters/output.js';
import { OUTPUTS } from '../reporters/outputs.js';
import { benchScenarioFile } from '../scenarios/bench-file.js';
import { SESSION_SCENARIOS } from '../scenarios/sessions.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../transports/startup-deadline.js';
import { AUTO_TRANSPORT, httpTransport, transportHelp } from '../transports/http-transports.js';
import { parseWebLoginArg, parseWebTokenArg, webOptionsFrom } from '../web/cli-options.js';
import { applyConfigEntries, configFileFor, DEFAULT_CONFIG_FILE, readConfigEntries } from './config-file.js';
import { parseProcesses, parsePositiveInt, parseStagesOption, parseUserStagesOption } from './load-values.js';
import { Logger, LOG_LEVELS, parseLogLevel } from './logger.js';
import { parseProtocolVersion, PROTOCOL_VERSION_HELP } from './protocol-version.js';
import { addOAuthOptions, oauthOptionsFrom } from './oauth-options.js';
import { addReportOptions, reportOptionsFrom } from './report-flags.js';
import { addDistributedOptions, checkDistributedCombinations, masterOptionsFrom, workerOptionsFrom } from './distributed-options.js';
import { addTlsOptions, tlsOptionsFrom } from './tls-options.js';
import { parseStdioCommand, parseTransport } from './transport-values.js';
import { UsageError } from './usage-error.js';
import { collectConditions, FAIL_ON_HELP, FAIL_ON_NOISE_HELP } from './fail-on-options.js';
import {
  collect, humanDuration, parseDurationMs, parsePositiveDurationMs, parseHeader, parseHttpUrl, parseNameList, parseNonNegativeInt, parsePort, parsePositiveNumber,
  parseTaskMode,
} from './values.js';

const RUN_HELP_AFTER = `
Examples:
  mcpload run --headless -u 20 -r 5 -t 30s        # the classic suite, embedded reference server
  mcpload run                                     # the same, driven from http://127.0.0.1:8089
  MCPLOAD_AUTH_TOKEN=... mcpload run -H https://server.example/mcp --headless -u 50 -r 10 -t 2m
  mcpload run -f my-scenario.ts -H http://127.0.0.1:8000 --headless -t 1m --threshold 'p(95)<300'
  mcpload run --headless --stdio "npx some-mcp-server" -f discover -t 30s
  mcpload run --headless --user-stages 30s:50,1m:50,30s:0   # ramp users like k6 stages
  mcpload run -l                                  # list user classes and tasks, no load

Settings: every option can also come from MCPLOAD_<OPTION> (MCPLOAD_SPAWN_RATE=5; MCP_TEST_HOST,
MCP_TEST_USERS and MCP_TEST_DURATION still work) or from a config file: ./${DEFAULT_CONFIG_FILE} or --config FILE,
one "option = value" a line (spawn-rate = 5, headless = true, tags = a, b). The command line wins over the
environment, the environment over the file, the file over the defaults.

Exit codes:
  0  the run passed: every rule held (yours, the scenario's, and mcpload's defaults
     error_rate<1%, checks==100%, exceptions==0) and every security row held
  1  the run failed; --exit-code-on-error N sets the code when only default rules failed
  2  bad input (an option, the config file, the scenario, an unreachable target), before any load`;

/** The sources commander records, ranked: who wins when two flags name one setting. */
const RANK: Record<string, number> = { cli: 3, env: 2, config: 1 };

function rankOf(command: Command, name: string): number {
  return RANK[command.getOptionValueSource(name) ?? ''] ?? 0;
}

/**
 * Two flags for one setting (`-t` and Locust's `--run-time`, the scenario
 * argument and `-f`): the one from the stronger source wins; the same source
 * giving two different values is a usage error.
 */
function oneOf<T>(
  command: Command,
  a: { name: string; flag: string; value: T | undefined; rank?: number },
  b: { name: string; flag: string; value: T | undefined },
  show: (value: T) => string = String,
): T | undefined {
  if (a.value === undefined) return b.value;
  if (b.value === undefined) return a.value;
  const ra = a.rank ?? rankOf(command, a.name);
  const rb = rankOf(command, b.name);
  if (ra === rb && a.value !== b.value) throw new UsageError(`${a.flag} ${show(a.value)} and ${b.flag} ${show(b.value)} say two things; give one`);
  return ra >= rb ? a.value : b.value;
}

/** --bench-mode runs its own built-in scenario, so it cannot be combined with another one. */
/**
 * `--bench-mode` replays a fixed handshake-era body, and churn and
 * leak-flood measure sessions: they speak the newest legacy version unless
 * one is pinned, where everything else negotiates (latest).
 */
function protocolFor(o: OptionValues, scenario: string | undefined): string | undefined {
  const pinned = o.protocolVersion === LATEST ? undefined : o.protocolVersion as string | undefined;
  if (pinned !== undefined) return pinned;
  const needsSessions = o.benchMode === true || (SESSION_SCENARIOS as readonly string[]).includes(scenario ?? '');
  return needsSessions ? LEGACY_PROTOCOL_VERSIONS[0] : undefined;
}

function benchOr(benchMode: boolean, scenario: string | undefined): string | undefined {
  if (!benchMode) return scenario;
  if (scenario !== undefined) throw new UsageError('--bench-mode runs its own scenario; leave out the scenario argument');
  return benchScenarioFile();
}

/** --replay-vary: seconds, 0 or more (fractions allowed). */
function parseNonNegativeNumber(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`"${text}" is not a number >= 0`);
  return n;
}

/** Checks that need two flags at once; one line each (exit 2). */
export function checkCombinations(command: Command, o: OptionValues): void {
  if (o.stdio !== undefined && o.host !== undefined) throw new UsageError('--stdio and --host name two targets; give one');
  if (o.stdioShared && o.stdio === undefined) throw new UsageError('--stdio-shared needs --stdio "command args"');
  const pinned = httpTransport(o.transport as string | undefined);
  // The embedded server speaks Streamable HTTP only.
  if (pinned?.connector !== undefined && o.host === undefined) throw new UsageError(`--transport ${pinned.name} needs --host (the URL of the server's ${pinned.title} endpoint)`);
  checkDistributedCombinations(o);
  if (o.stdio !== undefined && o.processes !== undefined && o.processes !== 1) {
    throw new UsageError('--stdio runs in one process (each worker would start its own servers); leave out --processes');
  }
  if (o.replay !== undefined) {
    if (o.processes !== undefined && o.processes !== 1) throw new UsageError('--replay runs in one process (each worker would replay every session); leave out --processes');
    if (o.master || o.worker) throw new UsageError('--replay runs in one process (each worker would replay every session); leave out --master and --worker');
    if (o.arrivalRate !== undefined || o.stages !== undefined || o.userStages !== undefined) throw new UsageError('--replay starts sessions at their recorded times: leave out --arrival-rate, --stages and --user-stages');
  }
  if (o.replayRate !== undefined) {
    if (o.replay === undefined) throw new UsageError('--replay-rate needs --replay FILE');
    if (command.getOptionValueSource('replayScale') !== 'default' && o.replayScale !== undefined) throw new UsageError('--replay-rate and --replay-scale are two ways to set the load: give one of them');
    if (o.replayVary !== undefined && o.replayVary !== 0) throw new UsageError('--replay-vary spreads copies around their recorded start times; with --replay-rate the rate sets the starts: leave it out');
    if (o.time === undefined && o.runTime === undefined) throw new UsageError('--replay-rate starts sessions until the run\'s time is up: give -t/--run-time');
  }
  // Locust refuses --autoquit where nothing would ever quit by itself.
  if (o.autoquit !== undefined && !o.autostart && !o.headless) throw new UsageError('--autoquit needs --autostart (or --headless): a web UI waiting for a Start click never quits by itself');
  if (o.resetStats && (o.arrivalRate !== undefined || o.stages !== undefined)) {
    throw new UsageError('--reset-stats needs the closed model (-u/-r): an arrival-rate run has no moment when every user has spawned');
  }
  // The web UI's -u is the form's first value (users are set from the page); a run started at once must start someone.
  if (o.users === 0 && (o.headless || o.autostart) && o.userStages === undefined && o.arrivalRate === undefined && o.stages === undefined) {
    throw new UsageError('-u/--users 0 starts no user, so the run would measure nothing: give 1 or more');
  }
  if (o.userStages !== undefined) {
    if (command.getOptionValueSource('users') === 'cli') throw new UsageError('--user-stages sets the user count over time; leave out -u/--users');
    if (!o.headless && (o.processes === undefined || o.processes === 1) && !o.worker) throw new UsageError('--user-stages needs --headless (in the web UI, the user count is set from the page)');
  }
  // The master's web UI starts its workers with the form's users and spawn rate (the closed model), as the one-process web UI does.
  if (o.master && !o.headless && (o.arrivalRate !== undefined || o.stages !== undefined)) {
    throw new UsageError('--arrival-rate and --stages need --headless on a master (its web UI sets users and spawn rate from the page)');
  }
}

/** Settings whose values are never logged. */
const SECRET_SETTINGS = new Set(['authToken', 'masterToken', 'webLogin', 'webToken', 'header', 'oauthClientSecret', 'oauthAssertion', 'oauthIdToken']);

/**
 * For --loglevel DEBUG: every setting not left at its default, with where it
 * came from (`users=5 (command line)`, `spawnRate=7 (config file)`), secrets
 * shown as [redacted]. Answers "why does it run with that?".
 */
export function describeSettingSources(command: Command): string {
  const from: Record<string, string> = { cli: 'command line', env: 'environment', config: 'config file' };
  const parts: string[] = [];
  for (const option of command.options) {
    const key = option.attributeName();
    const source = command.getOptionValueSource(key);
    if (source === undefined || from[source] === undefined) continue;
    const value: unknown = command.getOptionValue(key);
    const shown = SECRET_SETTINGS.has(key) ? '[redacted]' : JSON.stringify(value);
    parts.push(`${key}=${shown} (${from[source]}${source === 'env' && option.envVar ? ` ${option.envVar}` : ''})`);
  }
  return parts.length > 0 ? parts.join(', ') : 'all defaults';
}

/** The log of this run: --loglevel, --logfile; lines shown on stderr. */
function loggerFor(o: OptionValues): Logger {
  try {
    return new Logger({ level: o.loglevel, file: o.logfile, write: (line) => process.stderr.write(line + '\n') });
  } catch (err) {
    throw new UsageError(`--logfile ${String(o.logfile)}: ${(err as Error).message}`);
  }
}

/** What commander parsed, as the run's options. */
export function runOptionsFrom(o: OptionValues, scenario: string | undefined): RunOptions {
  return {
    scenario: benchOr(o.benchMode, scenario),
    // target
    host: o.host, stdio: o.stdio, stdioShared: o.stdioShared, transport: o.transport, protocolVersion: protocolFor(o, scenario),
    authToken: o.authToken, headers: o.header, requestTimeoutMs: o.requestTimeout, connectTimeoutMs: o.connectTimeout, tls: tlsOptionsFrom(o), oauth: oauthOptionsFrom(o),
    // load
    users: o.users, spawnRate: o.spawnRate, timeMs: o.time, userStages: o.userStages, arrivalRate: o.arrivalRate, stages: o.stages,
    maxUsers: o.maxUsers, stopTimeoutMs: o.stopTimeout, processes: o.processes, busyPoll: o.busyPoll, resetStats: o.resetStats,
    // scenario
    userClasses: o.userClass, tags: o.tags, excludeTags: o.excludeTags, seed: o.seed, allowWrites: o.allowWrites,
    allowDestructive: o.allowDestructive, tools: o.tools, tasks: o.tasks, callsPerSession: o.callsPerSession, serverPid: o.serverPid,
    ...(o.replay === undefined ? {} : { replay: { file: o.replay, speed: o.replaySpeed, scale: o.replayScale, varyS: o.replayVary, ...(o.replayRate !== undefined ? { rate: o.replayRate } : {}) } }),
    security: o.security, securityWeight: o.securityWeight,
    // verdict and output
    thresholds: o.threshold, exitCodeOnError: o.exitCodeOnError, baselineFile: o.baseline, failOn: o.failOn, failOnNoise: o.failOnNoise, ...reportOptionsFrom(o), out: o.out, onlySummary: o.onlySummary, otel: o.otel,
    // --only-summary also silences the multi-process table, which reads only the interval
    printIntervalMs: o.onlySummary ? 0 : o.printInterval,
    // web UI
    headless: o.headless, autoquitS: o.autoquit, ...webOptionsFrom(o),
    // master and workers across machines
    master: masterOptionsFrom(o), worker: workerOptionsFrom(o),
  };
}

/** `--out NAME=FILE`, repeatable: one more output for the run. */
function parseOut(value: string, previous: OutputRequest[] = []): OutputRequest[] {
  const at = value.indexOf('=');
  const name = at < 0 ? value : value.slice(0, at);
  const known = OUTPUTS.map((output) => `${output.name}=FILE`).join(', ');
  if (!OUTPUTS.some((output) => output.name === name)) throw new InvalidArgumentError(`unknown output '${name}' (known: ${known})`);
  const path = at < 0 ? '' : value.slice(at + 1);
  if (path.trim() === '') throw new InvalidArgumentError(`give the file: ${name}=FILE`);
  return [...previous, { name, path }];
}

function durationOption(command: Command, flags: string, description: string, defaultMs?: number, positive = false): Option {
  const option = command.createOption(flags, description).argParser(positive ? parsePositiveDurationMs : parseDurationMs);
  return defaultMs === undefined ? option : option.default(defaultMs, humanDuration(defaultMs));
}

function defineOptions(run: Command): Command {
  run.optionsGroup('Target:')
    .option('-H, --host <url>', 'target base URL or MCP endpoint URL (default: start the embedded reference server)', parseHttpUrl)
    .option('--stdio <command>', 'spawn the MCP server and speak MCP on its stdin/stdout, one process per user (instead of --host)', parseStdioCommand)
    .option('--stdio-shared', '--stdio: one server process (one session) for all users', false)
    .option('--transport <kind>', transportHelp(), parseTransport, AUTO_TRANSPORT)
    .option('--protocol-version <version>', PROTOCOL_VERSION_HELP, parseProtocolVersion)
    .option('--auth-token <token>', 'bearer token sent to the target (prefer the MCPLOAD_AUTH_TOKEN variable); never printed')
    .option('--header <header>', "extra request header 'Name: value' (repeatable)", parseHeader, {})
    .addOption(durationOption(run, '--request-timeout <duration>', 'per-request timeout', 30_000, true))
    .addOption(durationOption(run, '--connect-timeout <duration>', 'how long the checks before the load wait for a --host that does not answer, all together; then the run starts anyway', DEFAULT_CONNECT_TIMEOUT_MS, true));

  run.optionsGroup('Load:')
    .option('-u, --users <n>', 'number of concurrent users', parseNonNegativeInt, 1)
    .option('-r, --spawn-rate <n>', 'users started per second', parsePositiveNumber, 1)
    .addOption(durationOption(run, '-t, --time <duration>', 'run time, e.g. 30s, 2m, 1h30m (also --run-time; default: until Ctrl-C)', undefined, true))
    .addOption(durationOption(run, '--run-time <duration>', "Locust's name for -t/--time", undefined, true).hideHelp())
    .option('--user-stages <list>', "closed model, ramping the user count like k6's stages: 'DURATION:USERS,...' e.g. '30s:50,1m:50,30s:0'", parseUserStagesOption)
    .option('--arrival-rate <n>', 'open model: start this many iterations (task picks) per second, whatever the latency', parsePositiveNumber)
    .option('--stages <list>', "open model, ramping the arrival rate: 'DURATION:RATE,...' e.g. '30s:100,2m:500,30s:0' (linear ramps)", parseStagesOption)
    .option('--max-users <n>', 'open model: size of the user pool; iterations finding no free user are dropped (default: 100)', parsePositiveInt)
    .addOption(durationOption(run, '--stop-timeout <duration>', 'on stop, let users finish their task for this long, then cut them', 5000))
    .option('--reset-stats', 'reset the statistics once every user has spawned (the ramp-up left out)', false)
    .option('--processes <n>', 'share the load over N worker processes (-1: one per core); one merged table and result', parseProcesses)
    .option('--bench-mode', 'like autocannon: every user repeats one MCP tools/call (add) with no think time on a lean raw HTTP/1.1 path', false)
    .option('--busy-poll', 'read replies the moment they land: the event loop polls instead of sleeping (costs a full core per process; takes ~0.3 ms of OS wake-up off each latency)', false);

  run.optionsGroup('Scenario:')
    .option('-f, --scenario <name|file>', "built-in scenario 'classic', 'discover', 'churn' or 'leak-flood', or a scenario file (same as the argument)")
    .option('-l, --list', "list the scenario's user classes with their weights and tasks, then exit (no load)", false)
    .option('--user-class <names...>', 'run only these user classes', collect, [])
    .option('--tags <tags...>', 'run only tasks with one of these tags', collect, [])
    .option('--exclude-tags <tags...>', 'leave out tasks with one of these tags', collect, [])
    .option('--seed <n>', 'discover: seed for generated tool arguments (printed when random)', parseNonNegativeInt)
    .option('--allow-writes', 'discover: also call tools annotated destructiveHint: false', false)
    .option('--allow-destructive', 'discover: call every tool, unannotated and destructive ones included', false)
    .option('--tools <names>', 'discover: call exactly these tools (comma-separated), whatever their annotations', parseNameList, [])
    .option('--tasks <mode>', "discover: call as tasks (2025-11-25) the tools that require it ('required'), or also those that allow it ('optional')", parseTaskMode, 'required')
    .option('--calls-per-session <k>', "churn: calls between a session's handshake and its DELETE", parseNonNegativeInt, 5)
    .option('--server-pid <pid>', 'leak-flood: process id of the (local) server, to report its RSS growth per session', parsePositiveInt)
    .option('--replay <file>', 'replay a recording of mcpload record: each recorded session is a user, started at its recorded time (see docs/recording.md)')
    .option('--replay-speed <x>', 'replay: time factor for starts and think times (2 = twice as fast)', parsePositiveNumber, 1)
    .option('--replay-scale <n>', 'replay: copies of each recorded session', parsePositiveInt, 1)
    .option('--replay-vary <seconds>', 'replay: start each copy up to this many seconds later than recorded (seeded by --seed)', parseNonNegativeNumber, 0)
    .option('--replay-rate <sessions/s>', 'replay: start this many sessions per second instead (recorded sessions in turn, open model of --max-users users; needs -t; not with --replay-scale or --replay-vary)', parsePositiveNumber);

  run.optionsGroup('Verdict:')
    .option('--threshold <expr...>', "pass/fail rule, k6 style: 'p(95)<300', 'name=/api/v1/tools/call:avg<100', 'error_rate<0.01'", collect, [])
    .option('--exit-code-on-error <n>', "exit code when only default rules failed (mcpload's error_rate<1%, checks==100%, exceptions==0, and the scenario's thresholds); default: 1. Your own --threshold and security rows always exit 1", parseNonNegativeInt)
    .option('--baseline <file>', 'compare this run with a result written by run --json (as mcpload compare does), printed after the summary')
    .option('--fail-on <expr...>', `with --baseline: ${FAIL_ON_HELP}`, collectConditions, [])
    .option('--fail-on-noise', FAIL_ON_NOISE_HELP, false);

  addReportOptions(run.optionsGroup('Output:'))
    .option('--out <name=file>', `stream the figures while the run goes, a line per entry per second (repeatable, --headless): ${
      OUTPUTS.map((output) => `'${output.name}=FILE' ${output.description}`).join('; ')}`, parseOut, [])
    .option('--otel', 'export metrics and a span per request over OTLP/HTTP, set up by the OTEL_* variables (OTEL_EXPORTER_OTLP_ENDPOINT...); '
      + 'each HTTP request carries its span\'s traceparent (--headless)', false)
    .addOption(durationOption(run, '--print-interval <duration>', 'live table period; 0 turns it off', 2000))
    .option('--only-summary', 'no live table while the run is on, only the summary at the end', false)
    .addOption(run.createOption('--loglevel <level>', `what to log on stderr: ${LOG_LEVELS.join(', ')}`).argParser(parseLogLevel).default('INFO'))
    .option('--logfile <file>', 'also write the log lines, timestamped, to this file');

  run.optionsGroup('Web UI:')
    .option('--headless', 'no web UI; print stats to the console', false)
    .option('--web-host <address>', 'address the web UI listens on; anything but loopback exposes it', '127.0.0.1')
    .option('--web-port <port>', 'port of the web UI (0 = any free port)', parsePort, 8089)
    .option('--web-login <user:password>', 'protect the web UI with HTTP basic auth', parseWebLoginArg)
    .option('--web-token <token>', 'protect the web UI with a token (open it with ?token=...)', parseWebTokenArg)
    .option('--autostart', 'start the test at once with the options given', false)
    .option('--autoquit <seconds>', 'with --autostart: quit this many seconds after the run ends (default: stay up until Ctrl-C)', parseNonNegativeInt)
    .option('--prometheus', 'serve Prometheus metrics at /metrics (own port, see --prometheus-port)', false)
    .option('--prometheus-port <port>', 'port of the Prometheus metrics (default: 9464; implies --prometheus)', parsePort);

  addDistributedOptions(run.optionsGroup('Master and workers (docs/distributed.md):'));

  run.optionsGroup('Security and TLS:')
    .option('--security', 'add the SecurityProbe user class: the cheap security checks, repeated beside the load', false)
    .option('--security-weight <n>', 'weight of the SecurityProbe class', parsePositiveNumber, 1);
  addTlsOptions(run);
  run.optionsGroup('Authorization (OAuth 2.1, docs/auth.md):');
  addOAuthOptions(run);

  run.optionsGroup('Other:')
    // The file's own path comes from the command line only (serve's --config is another file).
    .addOption(new Option('--config <file>', `read settings from this file (default: ./${DEFAULT_CONFIG_FILE} when present)`))
    .helpOption('-h, --help', 'display help for command');
  return run;
}

/** Adds `run` to `program`; `onStart` lets main know the command finishes (exit when done). */
export function addRunCommand(program: Command, onStart: () => void): Command {
  const run = program
    .command('run')
    .description('run a load test (the classic suite against the embedded reference server unless told otherwise)')
    .argument('[scenario]', 'scenario file (.ts, .mts, .js, .mjs) or built-in name; the classic suite when absent');
  defineOptions(run).addHelpText('after', RUN_HELP_AFTER);
  return run.action(async (positional: string | undefined, _o: OptionValues, command: Command) => {
    onStart();
    const { opts, logger, list } = resolveRunSettings(command, positional);
    const io: RunIo = { out: (t) => process.stdout.write(t), err: (t) => logger.line(t) };
    // Loaded here, not above: the relaying parent reads these options (run-precheck.ts) without loading the run.
    process.exitCode = list ? await (await import('../app/list-scenario.js')).listScenario(opts, io) : await (await import('./run-modes.js')).runInMode(opts, io);
  });
}

/**
 * Everything `run` was told, from every source (command line, environment,
 * config file, defaults), checked and turned into RunOptions; its logger.
 */
export function resolveRunSettings(command: Command, positional: string | undefined): { opts: RunOptions; logger: Logger; list: boolean; configFile?: string } {
  const file = configFileFor(command.getOptionValue('config') as string | undefined, process.cwd());
  const applied = file === undefined ? [] : applyConfigEntries(command, readConfigEntries(file), file);
  const o = command.opts();
  const logger = loggerFor(o);
  if (file !== undefined) logger.debug(`config file ${file}: ${applied.length > 0 ? applied.join(', ') : 'nothing the command line or environment left unset'}`);
  if (logger.enabled('DEBUG')) logger.debug(`settings: ${describeSettingSources(command)}`);
  checkCombinations(command, o);
  const scenario = oneOf(command, { name: 'scenario', flag: 'the scenario argument', value: positional, rank: RANK.cli }, { name: 'scenario', flag: '--scenario', value: o.scenario as string | undefined });
  if (o.replay !== undefined && scenario !== undefined) throw new UsageError('--replay is the scenario: leave out the scenario name and --scenario');
  const timeMs = oneOf<number>(command, { name: 'time', flag: '--time', value: o.time }, { name: 'runTime', flag: '--run-time', value: o.runTime }, humanDuration);
  return { opts: runOptionsFrom({ ...o, time: timeMs }, scenario), logger, list: o.list === true, ...(file !== undefined ? { configFile: file } : {}) };
}

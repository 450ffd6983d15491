/**
 * The mcpload command line: parsing and help only; the work is in src/app
 * and src/server. Usage errors print one line and exit 2.
 */
import { Command, CommanderError, Option } from 'commander';
import { runTest, RunSetupError } from '../app/run-test.js';
import { ScenarioError } from '../scenarios/loader.js';
import { runServe } from '../server/serve-command.js';
import { VERSION } from '../version.js';
import { addProbeCommand } from './probe-cli.js';
import { parseWebLoginArg, parseWebTokenArg, webOptionsFrom } from '../web/cli-options.js';
import { runMerge } from '../app/merge-command.js';
import { runClient } from '../app/client-command.js';
import { parseProtocolVersion, PROTOCOL_VERSION_HELP } from './protocol-version.js';
import { benchScenarioFile } from '../scenarios/bench.js';
import { parseProcesses, parsePositiveInt, parseStagesOption } from './load-values.js';
import { parseStdioCommand, parseTransport } from './transport-values.js';
import { collect, parseDurationMs, parseHeader, parseHttpUrl, parseNameList, parseNonNegativeInt, parsePort, parsePositiveNumber } from './values.js';

/** Locust-era variable names still work: they feed the MCPLOAD_ ones. */
const LEGACY_ENV: Record<string, string> = {
  MCP_TEST_HOST: 'MCPLOAD_HOST',
  MCP_TEST_USERS: 'MCPLOAD_USERS',
  MCP_TEST_DURATION: 'MCPLOAD_TIME',
};

/**
 * Every option can come from MCPLOAD_<FLAG>, e.g. --spawn-rate from
 * MCPLOAD_SPAWN_RATE. Commander wires an env var only when the option is
 * created with it, hence the factory override.
 */
class EnvCommand extends Command {
  override createCommand(name?: string): Command {
    return new EnvCommand(name);
  }

  override createOption(flags: string, description?: string): Option {
    const option = super.createOption(flags, description);
    if (option.long && option.long !== '--help' && option.long !== '--version') {
      option.env(`MCPLOAD_${option.long.slice(2).replace(/-/g, '_').toUpperCase()}`);
    }
    return option;
  }
}

class UsageError extends Error {}

/** A value parser run outside commander (a positional checked in the action): its error is a usage error. */
function usageParse<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** --bench-mode runs its own built-in scenario, so it cannot be combined with another one. */
function benchOr(benchMode: boolean, scenario: string | undefined): string | undefined {
  if (!benchMode) return scenario;
  if (scenario !== undefined) throw new UsageError('--bench-mode runs its own scenario; leave out the scenario argument');
  return benchScenarioFile();
}

/** Set by commands that finish (run); serve keeps the process alive until a signal. */
let exitWhenDone = false;

function buildProgram(): Command {
  const program = new EnvCommand('mcpload')
    .description('Load tester and security prober for Model Context Protocol servers')
    .version(VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.trim().split('\n')[0] + '\n') });

  program
    .command('run')
    .description('run a load test (the classic suite against the embedded reference server unless told otherwise)')
    .argument('[scenario]', 'scenario file (.ts or .js) exporting defineScenario(...); the classic suite when absent')
    .option('--host <url>', 'target base URL or MCP endpoint URL (default: start the embedded reference server)', parseHttpUrl)
    .option('-u, --users <n>', 'number of concurrent users', parseNonNegativeInt, 1)
    .option('-r, --spawn-rate <n>', 'users started per second', parsePositiveNumber, 1)
    .option('-t, --time <duration>', 'run time, e.g. 30s, 2m, 1h30m (default: until Ctrl-C)', parseDurationMs)
    .option('--headless', 'no web UI; print stats to the console', false)
    .option('--csv <prefix>', 'write PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv, PREFIX_exceptions.csv')
    .option('--json <file>', 'write the full result (mergeable histograms included)')
    .option('--junit <file>', 'write JUnit XML: each threshold and each security row a test case')
    .option('--sarif <file>', 'write SARIF 2.1.0: each security row a result')
    .option('--security', 'add the SecurityProbe user class: the cheap security checks, repeated beside the load', false)
    .option('--security-weight <n>', 'weight of the SecurityProbe class (default 1)', parsePositiveNumber, 1)
    .option('--html <file>', 'write a self-contained HTML report (charts, tables, settings) that opens offline')
    .option('--web-host <address>', 'address the web UI listens on; anything but loopback exposes it', '127.0.0.1')
    .option('--web-port <port>', 'port of the web UI (0 = any free port)', parsePort, 8089)
    .option('--web-login <user:password>', 'protect the web UI with HTTP basic auth', parseWebLoginArg)
    .option('--web-token <token>', 'protect the web UI with a token (open it with ?token=...)', parseWebTokenArg)
    .option('--autostart', 'web UI: start the test at once with the options given', false)
    .option('--prometheus', 'serve Prometheus metrics at /metrics (own port, see --prometheus-port)', false)
    .option('--prometheus-port <port>', 'port of the Prometheus metrics (default 9464; implies --prometheus)', parsePort)
    .option('--stop-timeout <duration>', 'on stop, let users finish their task for this long, then cut them', parseDurationMs, 5000)
    .option('--user-class <names...>', 'run only these user classes', collect, [])
    .option('--tags <tags...>', 'run only tasks with one of these tags', collect, [])
    .option('--exclude-tags <tags...>', 'leave out tasks with one of these tags', collect, [])
    .option('--threshold <expr...>', "pass/fail rule, k6 style: 'p(95)<300', 'name=/api/v1/tools/call:avg<100', 'error_rate<0.01'", collect, [])
    .option('--request-timeout <duration>', 'per-request timeout', parseDurationMs, 30_000)
    .option('--protocol-version <version>', PROTOCOL_VERSION_HELP, parseProtocolVersion)
    .option('--auth-token <token>', 'bearer token sent to the target (prefer the MCPLOAD_AUTH_TOKEN variable); never printed')
    .option('--header <header>', "extra request header 'Name: value' (repeatable)", parseHeader, {})
    .option('--print-interval <duration>', 'live table period; 0 turns it off', parseDurationMs, 2000)
    .option('--arrival-rate <n>', 'open model: start this many iterations (task picks) per second, whatever the latency', parsePositiveNumber)
    .option('--stages <list>', "open model, ramping: 'DURATION:RATE,...' e.g. '30s:100,2m:500,30s:0' (linear ramps)", parseStagesOption)
    .option('--max-users <n>', 'open model: size of the user pool; iterations finding no free user are dropped (default 100)', parsePositiveInt)
    .option('--processes <n>', 'share the load over N worker processes (-1: one per core); one merged table and result', parseProcesses)
    .option('--bench-mode', 'like autocannon: every user repeats one MCP tools/call (add) with no think time on a lean raw HTTP/1.1 path', false)
    .option('--busy-poll', 'read replies the moment they land: the event loop polls instead of sleeping (costs a full core per process; takes ~0.3 ms of OS wake-up off each latency)', false)
    .option('--scenario <name>', "built-in scenario 'classic', 'discover', 'churn' or 'leak-flood', or a scenario file (same as the argument)")
    .option('--seed <n>', 'discover: seed for generated tool arguments (printed when random)', parseNonNegativeInt)
    .option('--allow-writes', 'discover: also call tools annotated destructiveHint: false', false)
    .option('--allow-destructive', 'discover: call every tool, unannotated and destructive ones included', false)
    .option('--calls-per-session <k>', 'churn: calls between a session\'s handshake and its DELETE', parseNonNegativeInt, 5)
    .option('--server-pid <pid>', 'leak-flood: process id of the (local) server, to report its RSS growth per session', parsePositiveInt)
    .option('--tools <names>', 'discover: call exactly these tools (comma-separated), whatever their annotations', parseNameList, [])
    .option('--stdio <command>', 'spawn the MCP server and speak MCP on its stdin/stdout, one process per user (instead of --host)', parseStdioCommand)
    .option('--stdio-shared', '--stdio: one server process (one session) for all users', false)
    .option('--transport <kind>', "with --host: 'streamable-http', 'sse' (legacy HTTP+SSE, 2024-11-05) or 'auto' (POST first, SSE on 400/404/405)", parseTransport, 'auto')
    .action(async (scenario: string | undefined, o) => {
      exitWhenDone = true;
      if (o.stdio !== undefined && o.host !== undefined) throw new UsageError('--stdio and --host name two targets; give one');
      if (o.stdioShared && o.stdio === undefined) throw new UsageError('--stdio-shared needs --stdio "command args"');
      if (o.transport === 'sse' && o.host === undefined) throw new UsageError('--transport sse needs --host (the SSE endpoint, e.g. http://127.0.0.1:3001/sse)');
      if (o.stdio !== undefined && o.processes !== undefined && o.processes !== 1) {
        throw new UsageError('--stdio runs in one process (each worker would start its own servers); leave out --processes');
      }
      if (scenario !== undefined && o.scenario !== undefined && scenario !== o.scenario) {
        throw new UsageError(`two scenarios given: ${scenario} and --scenario ${o.scenario}`);
      }
      process.exitCode = await runTest(
        {
          scenario: benchOr(o.benchMode, scenario ?? o.scenario),
          seed: o.seed,
          allowWrites: o.allowWrites,
          allowDestructive: o.allowDestructive,
          tools: o.tools,
          callsPerSession: o.callsPerSession,
          serverPid: o.serverPid,
          host: o.host,
          stdio: o.stdio,
          stdioShared: o.stdioShared,
          transport: o.transport,
          users: o.users,
          spawnRate: o.spawnRate,
          timeMs: o.time,
          headless: o.headless,
          csv: o.csv,
          json: o.json,
          junit: o.junit,
          sarif: o.sarif,
          security: o.security,
          securityWeight: o.securityWeight,
          html: o.html,
          ...webOptionsFrom(o),
          stopTimeoutMs: o.stopTimeout,
          userClasses: o.userClass,
          tags: o.tags,
          excludeTags: o.excludeTags,
          thresholds: o.threshold,
          requestTimeoutMs: o.requestTimeout,
          protocolVersion: o.protocolVersion,
          authToken: o.authToken,
          headers: o.header,
          printIntervalMs: o.printInterval,
          arrivalRate: o.arrivalRate,
          stages: o.stages,
          maxUsers: o.maxUsers,
          processes: o.processes,
          busyPoll: o.busyPoll,
        },
        { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t + '\n') },
      );
    });

  program
    .command('merge')
    .description('merge result files (run --json) from separate runs or machines into one result and one set of reports')
    .argument('<files...>', 'result JSON files')
    .option('--csv <prefix>', 'write the merged PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv, PREFIX_exceptions.csv')
    .option('--json <file>', 'write the merged result')
    .action(async (files: string[], o) => {
      exitWhenDone = true;
      process.exitCode = await runMerge(files, { csv: o.csv, json: o.json }, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t + '\n') });
    });

  addProbeCommand(program, () => {
    exitWhenDone = true;
  });

  program
    .command('client')
    .description('one MCP client session: handshake, list and call every tool, answer server requests, end the session (the conformance suite\'s client command)')
    .argument('[url]', 'MCP endpoint URL, used as given (the conformance suite appends it)')
    .option('--url <url>', 'MCP endpoint URL (same as the argument)', parseHttpUrl)
    .option('--scenario <name>', 'conformance scenario name, printed (default: $MCP_CONFORMANCE_SCENARIO)')
    .option('--protocol-version <version>', PROTOCOL_VERSION_HELP, parseProtocolVersion)
    .option('--request-timeout <duration>', 'per-request timeout', parseDurationMs, 30_000)
    .option('--auth-token <token>', 'bearer token sent to the server (prefer the MCPLOAD_AUTH_TOKEN variable); never printed')
    .option('--header <header>', "extra request header 'Name: value' (repeatable)", parseHeader, {})
    .option('--seed <n>', 'seed for generated tool arguments', parseNonNegativeInt, 1)
    .action(async (url: string | undefined, o) => {
      exitWhenDone = true;
      const positional = url === undefined ? undefined : usageParse(() => parseHttpUrl(url));
      if (positional !== undefined && o.url !== undefined && positional !== o.url) throw new UsageError(`two URLs given: ${url} and --url ${o.url}`);
      const target: string | undefined = o.url ?? positional;
      if (target === undefined) throw new UsageError('client needs the MCP endpoint URL (--url http://127.0.0.1:8000/mcp)');
      process.exitCode = await runClient(
        {
          url: target,
          scenario: o.scenario ?? process.env.MCP_CONFORMANCE_SCENARIO,
          protocolVersion: o.protocolVersion,
          requestTimeoutMs: o.requestTimeout,
          headers: o.header,
          authToken: o.authToken,
          seed: o.seed,
        },
        { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t + '\n') },
      );
    });

  program
    .command('serve')
    .description('run the reference MCP server (Streamable HTTP at /mcp plus the classic REST face)')
    .option('--port <port>', 'port to listen on (0 = any free port)', parsePort, 8000)
    .option('--bind <address>', 'address to bind; anything but loopback exposes the server', '127.0.0.1')
    .option('--stateless', 'no sessions: a fresh server for every request', false)
    .option('--json-response', 'answer requests with JSON instead of SSE streams', false)
    .option('--auth-token <token>', 'require this bearer token (prefer the MCPLOAD_AUTH_TOKEN variable)')
    .option('--auth-token-b <token>', 'accept a second token, another principal: sessions stay bound to the token that opened them')
    .option('--insecure-demo', 'turn every protection off, to see what failing probe checks look like (NEVER expose it)', false)
    .option('--max-sessions <n>', 'most sessions held at once; more get 503', parseNonNegativeInt, 10_000)
    .option('--session-idle <duration>', 'idle sessions expire after this long', parseDurationMs, 600_000)
    .option('--max-body <bytes>', 'largest request body; larger gets 413', parseNonNegativeInt, 1024 * 1024)
    .option('--allow-origin <origins...>', 'extra browser origins allowed besides loopback', collect, [])
    .option('--config <file>', 'JSON file: {"deny":[{"path":"/internal","methods":["GET"],"reason":"..."}], ...}')
    .option('--quiet', 'log nothing but the ready line', false)
    .addOption(new Option('--unsafe-disable-guard', 'TEST ONLY: let sensitive routes answer 200').hideHelp().default(false))
    .action(async (o) => {
      await runServe({
        port: o.port,
        bind: o.bind,
        stateless: o.stateless,
        responseMode: o.jsonResponse ? 'json' : 'sse',
        authToken: o.authToken,
        authTokenB: o.authTokenB,
        insecureDemo: o.insecureDemo,
        maxSessions: o.maxSessions,
        sessionIdleMs: o.sessionIdle,
        maxBodyBytes: o.maxBody,
        allowedOrigins: o.allowOrigin,
        configFile: o.config,
        quiet: o.quiet,
        guard: !o.unsafeDisableGuard,
      });
    });
  return program;
}

function isUsageProblem(err: unknown): boolean {
  return err instanceof UsageError || err instanceof RunSetupError || err instanceof ScenarioError || (err as Error)?.name === 'ThresholdError';
}

export async function main(argv: string[]): Promise<number> {
  for (const [legacy, current] of Object.entries(LEGACY_ENV)) {
    if (process.env[legacy] !== undefined && process.env[current] === undefined) process.env[current] = process.env[legacy];
  }
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are not errors; commander already printed the message
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: ${message.split('\n')[0]}\n`);
    return isUsageProblem(err) ? 2 : 1;
  }
}

const code = await main(process.argv);
if (exitWhenDone || code !== 0) {
  // A finished test exits now, even if a target left a socket half-open.
  process.stdout.write('', () => process.exit(code));
} else {
  process.exitCode = code;
}

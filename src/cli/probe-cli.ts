/**
 * The `mcpload probe` command: options and help only; the work is in
 * src/app/probe-command.ts, loaded when the command runs. Added to the
 * program by program.ts.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { SEVERITIES, type Severity } from '../security/check.js';
import { collect, humanDuration, parseDurationMs, parsePositiveDurationMs, parseHeader, parseHttpUrl, parseNonNegativeInt } from './values.js';
import { parseProtocolVersion, PROTOCOL_VERSION_HELP } from './protocol-version.js';
import { addOAuthOptions, oauthOptionsFrom } from './oauth-options.js';
import { addReportOptions, reportOptionsFrom } from './report-flags.js';
import { addTlsOptions, tlsOptionsFrom } from './tls-options.js';

export function parseSeverity(text: string): Severity {
  const s = text.trim().toLowerCase();
  if (!(SEVERITIES as readonly string[]).includes(s)) throw new InvalidArgumentError(`"${text}" is not a severity (${SEVERITIES.join(', ')})`);
  return s as Severity;
}

function parseRoute(text: string, previous: string[] = []): string[] {
  const routes = collect(text, []);
  for (const r of routes) if (!r.startsWith('/')) throw new InvalidArgumentError(`"${r}" is not a path (it must start with "/")`);
  return [...previous, ...routes];
}

/** Adds `probe` to `program`; `onStart` lets main know the command finishes (exit when done). */
export function addProbeCommand(program: Command, onStart: () => void): Command {
  const probe = program
    .command('probe')
    .description('run the security and protocol checks once, without load (the embedded reference server unless --host)')
    .option('--host <url>', 'target base URL or MCP endpoint URL (default: start the embedded reference server)', parseHttpUrl)
    .option('--auth-token <token>', 'bearer token for the target (prefer MCPLOAD_AUTH_TOKEN); never printed')
    .option('--auth-token-b <token>', "a second principal's token, for the session-binding check (prefer MCPLOAD_AUTH_TOKEN_B)")
    .option('--blocked-tools <patterns...>', "tool names ('*' wildcard) that must be neither listed nor callable", collect, [])
    .option('--blocked-routes <paths...>', 'extra REST paths that must be refused (401/403/404)', parseRoute, [])
    .option('--fail-on <severity>', 'exit 1 when a check of this severity or above fails: info, low, medium, high, critical (conformance findings are info or low)', parseSeverity, 'medium' as Severity);
  addReportOptions(probe, true)
    .option('--aggressive', 'also run the resource-limit checks (opens many sessions, waits for idle expiry)', false)
    .addOption(new Option('--idle-wait <duration>', 'aggressive: how long a session is left idle before the expiry check').argParser(parseDurationMs).default(70_000, humanDuration(70_000)))
    .option('--max-sessions <n>', 'aggressive: most sessions opened while looking for the session cap', parseNonNegativeInt, 1000)
    .addOption(new Option('--request-timeout <duration>', 'per-request timeout').argParser(parsePositiveDurationMs).default(10_000, humanDuration(10_000)))
    .option('--protocol-version <version>', PROTOCOL_VERSION_HELP, parseProtocolVersion)
    .option('--header <header>', "extra request header 'Name: value' (repeatable)", parseHeader, {});
  return addOAuthOptions(addTlsOptions(probe))
    .action(async (o) => {
      onStart();
      const tls = tlsOptionsFrom(o);
      const oauth = oauthOptionsFrom(o);
      const { runProbe } = await import('../app/probe-command.js');
      process.exitCode = await runProbe(
        {
          host: o.host,
          authToken: o.authToken,
          authTokenB: o.authTokenB,
          blockedTools: o.blockedTools,
          blockedRoutes: o.blockedRoutes,
          failOn: o.failOn,
          ...reportOptionsFrom(o, true),
          aggressive: o.aggressive,
          idleWaitMs: o.idleWait,
          maxProbeSessions: o.maxSessions,
          requestTimeoutMs: o.requestTimeout,
          protocolVersion: o.protocolVersion,
          headers: o.header,
          tls,
          oauth,
        },
        { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t + '\n') },
      );
    });
}

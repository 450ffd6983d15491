/**
 * The `mcpload client` command: options and help only; the work is in
 * src/app/client-command.ts, loaded when the command runs.
 */
import type { Command } from 'commander';
import { parseProtocolVersion, PROTOCOL_VERSION_HELP } from './protocol-version.js';
import { addOAuthOptions, oauthOptionsFrom } from './oauth-options.js';
import { conformanceOAuth } from './conformance-context.js';
import { addTlsOptions, tlsOptionsFrom } from './tls-options.js';
import { UsageError, usageParse } from './usage-error.js';
import { humanDuration, parsePositiveDurationMs, parseHeader, parseHttpUrl, parseNonNegativeInt } from './values.js';

/** Adds `client` to `program`; `onStart` lets main know the command finishes (exit when done). */
export function addClientCommand(program: Command, onStart: () => void): Command {
  const client = program
    .command('client')
    .description("one MCP client session: handshake, list and call every tool, answer server requests, end the session (the conformance suite's client command)")
    .argument('[url]', 'MCP endpoint URL, used as given (the conformance suite appends it)')
    .option('--url <url>', 'MCP endpoint URL (same as the argument)', parseHttpUrl)
    .option('-H, --host <url>', 'the same as --url (the name run and probe give it)', parseHttpUrl)
    .option('--scenario <name>', 'conformance scenario name, printed (default: $MCP_CONFORMANCE_SCENARIO)')
    .option('--protocol-version <version>', PROTOCOL_VERSION_HELP, parseProtocolVersion);
  client
    .addOption(client.createOption('--request-timeout <duration>', 'per-request timeout').argParser(parsePositiveDurationMs).default(30_000, humanDuration(30_000)))
    .option('--auth-token <token>', 'bearer token sent to the server (prefer the MCPLOAD_AUTH_TOKEN variable); never printed')
    .option('--header <header>', "extra request header 'Name: value' (repeatable)", parseHeader, {})
    .option('--seed <n>', 'seed for generated tool arguments', parseNonNegativeInt, 1);
  addOAuthOptions(addTlsOptions(client), true)
    .addHelpText('after', '\nExample:\n  mcpload client http://127.0.0.1:8000/mcp\n\nExit codes: 0 every exchange succeeded, 1 one failed, 2 bad input.');
  return client.action(async (url: string | undefined, o) => {
    onStart();
    const positional = url === undefined ? undefined : usageParse(() => parseHttpUrl(url));
    const named = [o.url !== undefined ? `--url ${o.url as string}` : undefined, o.host !== undefined ? `--host ${o.host as string}` : undefined, positional].filter((u) => u !== undefined);
    const urls = new Set([o.url, o.host, positional].filter((u): u is string => u !== undefined));
    if (urls.size > 1) throw new UsageError(`two URLs given: ${named.join(' and ')}`);
    const target: string | undefined = [...urls][0];
    if (target === undefined) throw new UsageError('client needs the MCP endpoint URL (--url http://127.0.0.1:8000/mcp)');
    const { conformanceToolArguments, runClient } = await import('../app/client-command.js');
    process.exitCode = await runClient(
      {
        url: target,
        scenario: o.scenario ?? process.env.MCP_CONFORMANCE_SCENARIO,
        protocolVersion: o.protocolVersion,
        requestTimeoutMs: o.requestTimeout,
        headers: o.header,
        authToken: o.authToken,
        seed: o.seed,
        tls: tlsOptionsFrom(o),
        oauth: conformanceOAuth(oauthOptionsFrom(o, true), process.env.MCP_CONFORMANCE_CONTEXT),
        toolArguments: conformanceToolArguments(process.env.MCP_CONFORMANCE_CONTEXT),
      },
      { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t + '\n') },
    );
  });
}

/**
 * The `mcpload init` command: options and help only; the work is in
 * src/app/init-command.ts, loaded when the command runs.
 */
import type { Command } from 'commander';
import { addTlsOptions, tlsOptionsFrom } from './tls-options.js';
import { humanDuration, parsePositiveDurationMs, parseHeader, parseHttpUrl } from './values.js';

/** Adds `init` to `program`; `onStart` lets main know the command finishes (exit when done). */
export function addInitCommand(program: Command, onStart: () => void): Command {
  const init = program
    .command('init')
    .description("write a starter scenario and a tsconfig.json (editor types) into the current folder; with --host, one task per tool of that server")
    .option('--host <url>', "an MCP server (Streamable HTTP) to build the scenario from: its tools, with arguments generated from their input schemas", parseHttpUrl)
    .option('--file <name>', 'the scenario file to write (.ts or .mts)', 'my-scenario.ts')
    .option('--force', 'overwrite the scenario file and tsconfig.json if they exist', false)
    .option('--auth-token <token>', 'bearer token for --host (prefer the MCPLOAD_AUTH_TOKEN variable); never printed or written')
    .option('--header <header>', "extra request header 'Name: value' for --host (repeatable); never written", parseHeader, {});
  init.addOption(init.createOption('--request-timeout <duration>', 'per-request timeout').argParser(parsePositiveDurationMs).default(10_000, humanDuration(10_000)));
  addTlsOptions(init).addHelpText('after', [
    '',
    'Examples:',
    '  mcpload init                                   # an example scenario for the built-in reference server',
    '  mcpload init --host http://127.0.0.1:8000      # tasks from that server\'s own tools',
    '  mcpload run my-scenario.ts --host http://127.0.0.1:8000 --headless -t 30s',
    '',
    'Read-only tools (annotations) are called by the scenario and tried once by init; tools that',
    'write, delete or say nothing are left commented out. Exit codes: 0 written, 2 bad input,',
    'a file already there (without --force) or a host that cannot be reached.',
  ].join('\n'));
  return init.action(async (o) => {
    onStart();
    const { runInit } = await import('../app/init-command.js');
    process.exitCode = await runInit(
      {
        dir: process.cwd(),
        file: o.file,
        force: o.force === true,
        host: o.host,
        authToken: o.authToken,
        headers: o.header,
        requestTimeoutMs: o.requestTimeout,
        tls: tlsOptionsFrom(o),
      },
      { out: (t) => process.stdout.write(t) },
    );
  });
}

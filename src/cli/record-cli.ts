/**
 * The `mcpload record` command: options and help only; the proxy is in
 * src/app/record-command.ts, loaded when the command runs.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { UsageError } from './usage-error.js';
import { collect } from './values.js';

/** "127.0.0.1:9000", "[::1]:9000", ":9000" or "9000" (loopback by default). */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:(?:\[([^\]]+)\]|([^:[\]]*)):)?(\d+)$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError(`expected HOST:PORT (e.g. 127.0.0.1:9000), got ${value}`);
  }
  const host = m[1] ?? m[2];
  return { host: host === undefined || host === '' ? '127.0.0.1' : host, port };
}

export function addRecordCommand(program: Command, onStart: () => void): Command {
  return program
    .command('record')
    .description('record real MCP traffic through a proxy (Streamable HTTP, or stdio around a server command) for run --replay')
    .argument('[command...]', 'stdio: the server command, after --')
    .option('--listen <host:port>', 'HTTP: where the proxy listens (loopback unless told otherwise)', parseListen, { host: '127.0.0.1', port: 9000 })
    .option('--upstream <url>', 'HTTP: the MCP endpoint to forward to, e.g. http://127.0.0.1:8000/mcp')
    .requiredOption('--out <file>', 'the recording to write (JSON Lines, see docs/recording.md)')
    .option('--redact <pattern>', 'replace matching values with "[redacted]": a regex (string values) or a JSON path ($.params.arguments.password); repeatable', collect, [])
    .option('--quiet', 'log nothing but the ready line', false)
    .addHelpText('after', [
      '',
      'Authorization, cookies, API keys and bearer tokens are never written; header values outside a short allowlist neither.',
      '',
      'Examples:',
      '  mcpload record --listen 127.0.0.1:9000 --upstream http://127.0.0.1:8000/mcp --out traffic.jsonl',
      '  mcpload record --out traffic.jsonl --redact \'$.params.arguments.password\' -- node server.js',
      '  mcpload run --headless --replay traffic.jsonl --replay-scale 20 --host http://127.0.0.1:8000/mcp',
    ].join('\n'))
    .action(async (command: string[], o) => {
      const stdio = command.length > 0;
      if (stdio && o.upstream !== undefined) throw new UsageError('record: give --upstream (HTTP) or a server command after -- (stdio), not both');
      if (!stdio && o.upstream === undefined) throw new UsageError('record needs --upstream URL (Streamable HTTP) or a server command after -- (stdio)');
      // stdio: this process ends with the server; HTTP: it runs until a signal.
      onStart();
      const { runRecord } = await import('../app/record-command.js');
      process.exitCode = await runRecord({
        out: o.out, redact: o.redact, quiet: o.quiet,
        ...(stdio ? { command } : { upstream: o.upstream, listenHost: o.listen.host, listenPort: o.listen.port }),
      });
    });
}

/**
 * The `mcpload serve` command: options and help only; the reference server
 * is in src/server, loaded when the command runs. It keeps the process up
 * until a signal.
 */
import { Option, type Command } from 'commander';
import { hideSecretArguments } from './secret-arguments.js';
import { UsageError } from './usage-error.js';
import { collect, humanDuration, parseDurationMs, parseNonNegativeInt, parsePort, parsePositiveDurationMs } from './values.js';

const IDLE_MS = 600_000;

export function addServeCommand(program: Command): Command {
  const serve = program
    .command('serve')
    .description('run the reference MCP server (Streamable HTTP at /mcp plus the classic REST face)');
  serve.optionsGroup('Server:')
    .option('--port <port>', 'port to listen on (0 = any free port)', parsePort, 8000)
    .option('--bind <address>', 'address to bind; anything but loopback exposes the server', '127.0.0.1')
    .option('--stateless', 'no sessions: a fresh server for every request', false)
    .option('--json-response', 'answer requests with JSON instead of SSE streams', false)
    .addOption(serve.createOption('--delay <duration>', 'wait this long before answering each request (a slower server on purpose, e.g. for mcpload compare)').argParser(parseDurationMs).default(0, '0'))
    .option('--quiet', 'log nothing but the ready line', false);
  serve.optionsGroup('Security:')
    .option('--auth-token <token>', 'require this bearer token (prefer the MCPLOAD_AUTH_TOKEN variable)')
    .option('--auth-token-b <token>', 'accept a second token, another principal: sessions stay bound to the token that opened them')
    .option('--oauth', 'be an OAuth 2.1 authorization server too (client credentials) and accept only its tokens on /mcp', false)
    .option('--oauth-client-id <id>', 'with --oauth: the one client it knows', 'mcpload')
    .option('--oauth-client-secret <secret>', 'with --oauth: that client\'s secret (prefer MCPLOAD_OAUTH_CLIENT_SECRET); required')
    .addOption(serve.createOption('--oauth-token-ttl <duration>', 'with --oauth: lifetime of the tokens it issues').argParser(parsePositiveDurationMs).default(3_600_000, '1h'))
    .option('--allow-origin <origins...>', 'extra browser origins allowed besides loopback', collect, [])
    .option('--config <file>', 'JSON file: {"deny":[{"path":"/internal","methods":["GET"],"reason":"..."}], ...}')
    .option('--insecure-demo', 'turn every protection off, to see what failing probe checks look like (NEVER expose it)', false)
    .addOption(new Option('--unsafe-disable-guard', 'TEST ONLY: let sensitive routes answer 200').hideHelp().default(false));
  serve.optionsGroup('Limits:')
    .option('--max-sessions <n>', 'most sessions held at once; more get 503', parseNonNegativeInt, 10_000)
    .addOption(serve.createOption('--session-idle <duration>', 'idle sessions expire after this long').argParser(parseDurationMs).default(IDLE_MS, humanDuration(IDLE_MS)))
    .addOption(serve.createOption('--max-body <bytes>', 'largest request body; larger gets 413').argParser(parseNonNegativeInt).default(1024 * 1024, '1048576 (1 MiB)'));
  serve.optionsGroup('Other:')
    .helpOption('-h, --help', 'display help for command')
    .addHelpText('after', '\nExample:\n  mcpload serve --port 8000          then: mcpload run --host http://127.0.0.1:8000');
  return serve.action(async (o) => {
    if (o.oauth && (o.oauthClientSecret === undefined || o.oauthClientSecret === '')) throw new UsageError('--oauth needs --oauth-client-secret (or MCPLOAD_OAUTH_CLIENT_SECRET): the secret of the client it accepts');
    if (o.oauth && o.authToken !== undefined) throw new UsageError('--oauth and --auth-token are two ways to protect the server; give one');
    hideSecretArguments();
    const { runServe } = await import('../server/serve-command.js');
    await runServe({
      ...(o.oauth ? { oauth: { clientId: o.oauthClientId, clientSecret: o.oauthClientSecret, tokenTtlMs: o.oauthTokenTtl } } : {}),
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
      delayMs: o.delay,
      guard: !o.unsafeDisableGuard,
    });
  });
}

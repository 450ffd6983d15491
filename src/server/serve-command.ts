/**
 * `mcpload serve`: runs the reference server until SIGINT/SIGTERM.
 *
 * stdout carries exactly one line, `mcpload reference server listening on
 * <url>`, which parent processes parse to learn the port; every other line
 * goes to stderr.
 */
import { onStopSignal } from '../process/stop-signals.js';
import { isLoopbackHostname } from './route-guard.js';
import { startReferenceServer, type ReferenceServerOptions } from './reference-server.js';
import { loadServeConfig, type ServeConfig } from './serve-config.js';

export const READY_LINE_PREFIX = 'mcpload reference server listening on ';

/** How long a server whose parent died may spend closing its sessions before it exits anyway. */
const ORPHAN_EXIT_MS = 2000;

/** Options given directly win over the config file; deny rules and origins from both add up. */
function mergeConfig(file: ServeConfig, opts: ReferenceServerOptions): ReferenceServerOptions {
  const extraDenyRules = [...(file.deny ?? []), ...(opts.extraDenyRules ?? [])];
  const allowedOrigins = [...(file.allowedOrigins ?? []), ...(opts.allowedOrigins ?? [])];
  return {
    ...opts,
    maxSessions: opts.maxSessions ?? file.maxSessions,
    sessionIdleMs: opts.sessionIdleMs ?? file.sessionIdleMs,
    maxBodyBytes: opts.maxBodyBytes ?? file.maxBodyBytes,
    extraDenyRules,
    allowedOrigins,
  };
}

function describe(opts: ReferenceServerOptions): string {
  const mode = opts.stateless ? 'stateless' : 'stateful';
  const auth = opts.oauth !== undefined ? `OAuth 2.1 (client credentials for client ${opts.oauth.clientId}, token endpoint /oauth/token)`
    : opts.authToken !== undefined ? 'bearer token required' : 'no auth';
  return `${mode}, ${opts.responseMode ?? 'sse'} replies, ${auth}` + (opts.delayMs ? `, every reply delayed ${opts.delayMs} ms` : '') + (opts.guard === false ? ', GUARD OFF (test only: sensitive routes answer 200)' : '') +
    (opts.insecureDemo ? ', INSECURE DEMO: every protection is off, never expose this server' : '');
}

export async function runServe(opts: ReferenceServerOptions & { configFile?: string }): Promise<void> {
  const { configFile, ...direct } = opts;
  const options = configFile ? mergeConfig(await loadServeConfig(configFile), direct) : direct;
  const log = options.quiet ? () => undefined : (options.log ?? ((line: string) => process.stderr.write(`[mcpload serve] ${line}\n`)));

  const server = await startReferenceServer({ ...options, log });
  process.stdout.write(`${READY_LINE_PREFIX}${server.url}\n`);
  log(describe(options));
  const bind = options.bind ?? '127.0.0.1';
  if (!isLoopbackHostname(bind)) log(`warning: listening on ${bind}, reachable from other machines`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (why: string) => {
      stopping = true;
      log(`${why}, closing ${server.openSessions()} session(s)`);
      server
        .close()
        .catch((err: unknown) => log(`error while closing: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          signals.close();
          resolve();
        });
    };
    // A signal during the stop means "now": do not wait for slow replies to end.
    const now = (signal: NodeJS.Signals) => {
      log(`${signal} again, exiting at once`);
      process.exit(1);
    };
    const signals = onStopSignal((signal) => (stopping ? now(signal) : stop(`${signal} received`)), { onRepeat: now });
    // Started by a run (the embedded server): the IPC channel closes when that process dies, SIGKILL included.
    if (process.connected) {
      process.channel?.unref();
      process.once('disconnect', () => {
        if (!stopping) stop('the process that started this server is gone');
        // Nobody is left to wait for: slow replies do not keep an orphan alive.
        setTimeout(() => process.exit(0), ORPHAN_EXIT_MS).unref();
      });
    }
  });
}

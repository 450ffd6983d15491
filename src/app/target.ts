/**
 * Where a run points: the given --host, or the embedded reference server
 * started for it. Owns the shared HTTP dispatcher and the embedded process.
 */
import { isStatelessRevision, LATEST, LEGACY_PROTOCOL_VERSIONS } from '../protocol/rev-2026-07-28.js';
import { negotiateVersion } from '../transports/negotiate-version.js';
import { RunSetupError } from './scenario-setup.js';
import type { Dispatcher } from 'undici';
import type { Recorder } from '../metrics/sample.js';
import type { ScenarioEnv } from '../scenarios/api.js';
import { createDispatcher, requestsSent } from '../transports/http-pool.js';
import { preflight } from '../transports/preflight.js';
import { tlsConnectOptions, TlsFileError, type TlsOptions } from '../transports/tls-options.js';
import type { ProcessUsageReport } from '../metrics/process-usage.js';
import { splitCommandLine } from '../transports/command-line.js';
import { StdioConnector } from '../transports/mcp-stdio.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, StartupDeadline, startupTimeoutReason } from '../transports/startup-deadline.js';
import { humanDuration } from '../values/option-values.js';
import { startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
import type { OAuthOptions } from '../transports/oauth/options.js';
import { AUTO_TRANSPORT, HTTP_TRANSPORTS, httpTransport, type HttpTransport, type HttpTransportTarget, type TransportChoice } from '../transports/http-transports.js';
import type { McpConnector } from '../transports/mcp-client.js';
import type { OAuthAuthorizers } from '../transports/oauth/setup.js';

export interface TargetOptions {
  host?: string;
  authToken?: string;
  headers: Record<string, string>;
  requestTimeoutMs: number;
  /** `--stdio "command args"`: spawn the server and speak MCP on its stdin/stdout (one process per user). */
  stdio?: string;
  /** `--stdio-shared`: one server process (one MCP session) for all users. */
  stdioShared?: boolean;
  /** Pinned version; absent: negotiated with the server (see negotiateProtocol). */
  protocolVersion?: string;
  /**
   * With --host: `sse` speaks the legacy HTTP+SSE transport (2024-11-05);
   * `auto` first POSTs an initialize and falls back to it on 400/404/405,
   * as the spec says; `streamable-http` (and absent) never checks.
   */
  transport?: TransportChoice;
  /** HTTPS trust and client certificates for --host. */
  tls?: TlsOptions;
  /** Skip the one request that checks a --host answers at all (default: check). */
  skipPreflight?: boolean;
  /** OAuth 2.1 or a token file (--oauth...); Streamable HTTP only. */
  oauth?: OAuthOptions;
  /**
   * `--connect-timeout`: how long the checks before the load wait for a
   * --host that says nothing, all of them together (see startup-deadline.ts).
   */
  connectTimeoutMs?: number;
}

export interface Target {
  host: string;
  /** Set when mcpload started the reference server itself. */
  embedded?: EmbeddedServer;
  dispatcher: Dispatcher;
  env: ScenarioEnv;
  /** `--stdio` runs: CPU and memory of the server processes so far. */
  processUsage?: () => ProcessUsageReport;
  /** Lines for the user about how the target was found (a silent target, a transport assumed). */
  notes: string[];
  /** The version every client speaks: the pinned one, or the one negotiated. */
  protocolVersion?: string;
  /** When it was negotiated: one line saying which version and why, for the user. */
  protocolNote?: string;
  close(): Promise<void>;
}

const silentRecorder: Recorder = { record() {}, exception() {} };

export { LATEST };

/** A pinned version the server does not speak: one line, exit 1 (not a usage error: the options were fine). */
export class ProtocolMismatchError extends Error {
  override name = 'ProtocolMismatchError';
}

export interface ProtocolChoice {
  /** Undefined: nothing was pinned and nothing could be asked (stdio, HTTP+SSE): the transport's default. */
  version?: string;
  note?: string;
}

/**
 * The version to speak with an MCP endpoint over Streamable HTTP, as a
 * dual-era client decides it (basic/versioning#backward-compatibility):
 * a pinned legacy version is used as is; otherwise one `server/discover`
 * tells the era. Left out (or `latest`): 2026-07-28 when the server answers
 * as a stateless one, else the newest legacy version. Pinned 2026-07-28 against
 * a legacy server: ProtocolMismatchError.
 */
export async function negotiateProtocol(
  opts: { url: string; dispatcher: Dispatcher; headers: Record<string, string>; timeoutMs: number; pinned?: string; deadline?: StartupDeadline },
): Promise<ProtocolChoice> {
  const pinned = opts.pinned === LATEST ? undefined : opts.pinned;
  if (pinned !== undefined && !isStatelessRevision(pinned)) return { version: pinned };
  const found = await negotiateVersion({ url: opts.url, dispatcher: opts.dispatcher, headers: opts.headers, timeoutMs: Math.min(opts.timeoutMs, 10_000), deadline: opts.deadline });
  if (pinned !== undefined) {
    if (found.era === 'legacy') {
      throw new ProtocolMismatchError(`${opts.url} does not speak --protocol-version ${pinned} (${found.reason}); `
        + 'leave the flag out, or give --protocol-version latest, to fall back to the version it speaks');
    }
    // A stateless answer may name another stateless version; an unanswered probe leaves the request to say what is wrong.
    return { version: found.era === 'stateless' ? found.version : pinned };
  }
  if (found.era === undefined) {
    const version = LEGACY_PROTOCOL_VERSIONS[0]!;
    return { version, note: `protocol ${version}, the newest legacy version (nothing told the era: ${found.reason})` };
  }
  return { version: found.version, note: `protocol ${found.version} (${found.reason})` };
}

/** The run's options with the version the target negotiated in place of the one asked for. */
export function withProtocol<T extends { protocolVersion?: string }>(opts: T, target: Target): T {
  return target.protocolVersion === opts.protocolVersion ? opts : { ...opts, protocolVersion: target.protocolVersion };
}

/** `http://h:p` → MCP at `/mcp`, REST at the origin; `http://h:p/some/path` → MCP at that path. */
export function resolveEndpoints(host: string): { mcpUrl: string; restBaseUrl: string } {
  const url = new URL(host);
  const restBaseUrl = url.origin;
  const pathname = url.pathname.replace(/\/$/, '');
  return { mcpUrl: pathname === '' ? `${restBaseUrl}/mcp` : `${restBaseUrl}${pathname}${url.search}`, restBaseUrl };
}

/** No HTTP at all: the MCP clients are made by a stdio connector; `user.rest` has nothing to reach (`.invalid` never resolves). */
function openStdioTarget(opts: TargetOptions & { stdio: string }): Target {
  const [command, ...args] = splitCommandLine(opts.stdio);
  const connector = new StdioConnector({
    command: command!, args, shared: opts.stdioShared === true, timeoutMs: opts.requestTimeoutMs, protocolVersion: opts.protocolVersion,
  });
  const host = `stdio: ${connector.description}`;
  const dispatcher = createDispatcher();
  return {
    host,
    dispatcher,
    protocolVersion: opts.protocolVersion,
    env: {
      host, mcpUrl: host, restBaseUrl: 'http://stdio.invalid', dispatcher, headers: { ...opts.headers }, timeoutMs: opts.requestTimeoutMs,
      silentRecorder, mcpConnector: connector,
    },
    processUsage: () => connector.processUsage(),
    notes: [],
    async close() {
      await connector.close();
      await dispatcher.destroy().catch(() => undefined);
    },
  };
}

/** The shared pool, with the TLS files read now: an unreadable one is a setup error naming its flag. */
function dispatcherFor(tls: TlsOptions | undefined): Dispatcher {
  try {
    return createDispatcher({ tls });
  } catch (err) {
    if (err instanceof TlsFileError) throw new RunSetupError(err.message);
    throw err;
  }
}

function startupDeadline(ms = DEFAULT_CONNECT_TIMEOUT_MS): StartupDeadline {
  return new StartupDeadline(ms, humanDuration(ms));
}

/** `auto`: the first detectable transport the server answers as, `undecided` when start-up's deadline cut the checks short. */
async function detectHttpTransport(reach: HttpTransportTarget, deadline: StartupDeadline | undefined): Promise<HttpTransport | 'undecided' | undefined> {
  for (const transport of HTTP_TRANSPORTS) {
    const found = await transport.detect?.(reach, deadline);
    if (found === 'yes') return transport;
    if (found === 'undecided') return 'undecided';
  }
  return undefined;
}

/** What to pin when detection could not tell: `--transport sse if it speaks legacy HTTP+SSE, 2024-11-05`. */
function otherTransports(): string {
  return HTTP_TRANSPORTS.filter((t) => t.detect !== undefined).map((t) => `--transport ${t.name} if it speaks ${t.title}`).join(', ');
}

export async function openTarget(asked: TargetOptions): Promise<Target> {
  const opts = asked.protocolVersion === LATEST ? { ...asked, protocolVersion: undefined } : asked;
  const stateless = opts.protocolVersion !== undefined && isStatelessRevision(opts.protocolVersion);
  const pinned = httpTransport(opts.transport);
  if (stateless && opts.stdio !== undefined) throw new RunSetupError(`--protocol-version ${opts.protocolVersion} is spoken over Streamable HTTP only in this version of mcpload, not --stdio`);
  if (stateless && pinned?.statelessRevision === false) throw new RunSetupError(`--protocol-version ${opts.protocolVersion} has no ${pinned.title} transport; leave out --transport ${pinned.name}`);
  if (opts.stdio !== undefined) {
    if (opts.host !== undefined) throw new RunSetupError('--stdio and --host name two targets; give one');
    if (opts.oauth !== undefined) throw new RunSetupError('OAuth (--oauth...) is for HTTP targets; a --stdio server has no authorization');
    return openStdioTarget({ ...opts, stdio: opts.stdio });
  }
  if (opts.oauth !== undefined && pinned?.oauth === false) throw new RunSetupError(`OAuth (--oauth...) works over Streamable HTTP in this version of mcpload, not --transport ${pinned.name}`);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.authToken) headers.authorization = `Bearer ${opts.authToken}`;
  const dispatcher = dispatcherFor(opts.tls);
  const tls = tlsConnectOptions(opts.tls); // read and checked by dispatcherFor already
  const notes: string[] = [];
  // Not for --stdio or the embedded server: a process that starts slowly (npx fetching a package) is not silent.
  const deadline = opts.host === undefined ? undefined : startupDeadline(opts.connectTimeoutMs);
  if (opts.host !== undefined && deadline !== undefined && opts.skipPreflight !== true) {
    // A target that cannot be reached at all is one line and exit 2, not a whole run of failures.
    const problem = await preflight(opts.host, dispatcher, deadline, tls);
    if (problem !== undefined) {
      deadline.end();
      await dispatcher.destroy().catch(() => undefined);
      throw new RunSetupError(`cannot reach the target: ${problem}`);
    }
  }
  const embedded = opts.host ? undefined : await startEmbeddedServer({ authToken: opts.authToken });
  const host = opts.host ?? embedded!.url;
  const { mcpUrl, restBaseUrl } = resolveEndpoints(host);
  let oauth: OAuthAuthorizers | undefined;
  // Loaded only for --oauth...: it brings the MCP SDK's auth client (and zod) with it.
  const oauthSetup = opts.oauth === undefined ? undefined : await import('../transports/oauth/setup.js');
  try {
    oauth = opts.oauth === undefined || oauthSetup === undefined ? undefined : oauthSetup.prepareOAuth(opts.oauth, { mcpUrl, dispatcher, timeoutMs: opts.requestTimeoutMs });
  } catch (err) {
    deadline?.end();
    await dispatcher.destroy().catch(() => undefined);
    await embedded?.stop();
    if (oauthSetup !== undefined && err instanceof oauthSetup.OAuthSetupError) throw new RunSetupError(err.message);
    throw err;
  }
  let protocol: ProtocolChoice = { version: opts.protocolVersion };
  // A transport with its own connector has its own handshake: only Streamable HTTP (pinned or maybe, under auto) is negotiated over a POST.
  if (pinned?.connector === undefined) {
    try {
      protocol = await negotiateProtocol({ url: mcpUrl, dispatcher, headers, timeoutMs: opts.requestTimeoutMs, pinned: opts.protocolVersion, deadline });
    } catch (err) {
      deadline?.end();
      await dispatcher.destroy().catch(() => undefined);
      await embedded?.stop();
      throw err;
    }
  }
  let mcpConnector: McpConnector | undefined;
  let assumed = '';
  // The stateless revision is Streamable HTTP by definition: no handshake to probe with.
  if (opts.host !== undefined && !isStatelessRevision(protocol.version ?? '')) {
    const reach = { url: mcpUrl, dispatcher, headers, timeoutMs: opts.requestTimeoutMs, protocolVersion: protocol.version };
    // The start-up deadline keeps a silent target from stalling the start.
    const chosen = pinned ?? (opts.transport === AUTO_TRANSPORT ? await detectHttpTransport(reach, deadline) : undefined);
    if (chosen === 'undecided') assumed = `, over Streamable HTTP (${otherTransports()})`;
    else if (chosen?.connector !== undefined) mcpConnector = await chosen.connector(reach);
  }
  if (deadline?.expired === true) {
    notes.push(`${host} gave ${startupTimeoutReason(deadline.signal)}: the checks before the load were cut short and the run starts anyway${assumed}`);
  }
  return {
    host,
    embedded,
    dispatcher,
    protocolVersion: protocol.version,
    ...(protocol.note !== undefined ? { protocolNote: protocol.note } : {}),
    env: {
      host, mcpUrl, restBaseUrl, dispatcher, headers, timeoutMs: opts.requestTimeoutMs, silentRecorder,
      ...(mcpConnector ? { mcpConnector } : {}), ...(tls ? { tls } : {}), ...(oauth ? { oauth } : {}), ...(deadline ? { startupSignal: deadline.signal } : {}),
    },
    notes,
    async close() {
      deadline?.end();
      // A target that never answers must not hold the generator's exit.
      await Promise.race([dispatcher.close(), new Promise((r) => setTimeout(r, 2000).unref())]).catch(() => undefined);
      await dispatcher.destroy().catch(() => undefined);
      await embedded?.stop();
    },
  };
}

/**
 * How many HTTP requests the checks before the load sent (reachability,
 * protocol version, transport, the scenario's catalog): the target's own
 * counts include them, the run's figures do not. Read once the scenario is
 * prepared, before the first user starts.
 */
export function preLoadRequestsNote(target: Target): string | undefined {
  return preLoadNote(preLoadRequests(target));
}

/** The requests counted by `preLoadRequestsNote`, as a number (a worker sends it to its leader). */
export function preLoadRequests(target: Target): number {
  return requestsSent(target.dispatcher) ?? 0;
}

/** The note for `sent` requests before the load; `by`: whose, when several processes sent them. */
export function preLoadNote(sent: number, by = ''): string | undefined {
  if (sent === 0) return undefined;
  return `${sent} HTTP request${sent === 1 ? '' : 's'} went to the target before the load${by} (reachability, protocol version, transport, the scenario's catalog): the target counts ${sent === 1 ? 'it' : 'them'}, the run's figures do not`;
}

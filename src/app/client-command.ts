/**
 * `mcpload client`: one MCP client, one session, no load. It does what an
 * agent does on connecting and prints each exchange:
 *
 *   the version: pinned, or negotiated with one server/discover (target.ts)
 *   initialize + notifications/initialized (2026-07-28: server/discover)
 *   tools/list (every page), then tools/call on each tool with arguments
 *     generated from its inputSchema (seeded)
 *   answers to the server's requests on the way (sampling, elicitation with
 *     the form's defaults, roots, ping), and SSE streams closed early are
 *     resumed with Last-Event-ID after the server's `retry`
 *   DELETE of the session
 *
 * It is the client-side command of the official conformance suite
 * (`conformance client --command "mcpload client"`), which appends the
 * server URL and names its scenario in MCP_CONFORMANCE_SCENARIO; it is also
 * a quick "does my server answer like it should" check. The same client code
 * as the load test runs here (McpHttpClient), so what passes here is what
 * virtual users do.
 */
import type { Recorder, SampleError } from '../metrics/sample.js';
import { errorLabel } from '../metrics/sample.js';
import { agentReplies } from '../scenarios/agent-replies.js';
import { createRng } from '../engine/rng.js';
import { SchemaArgGenerator } from '../scenarios/schema-args.js';
import { createDispatcher } from '../transports/http-pool.js';
import { preflightConnect } from '../transports/preflight.js';
import { tlsConnectOptions, TlsFileError, type TlsOptions } from '../transports/tls-options.js';
import { RunSetupError } from './scenario-setup.js';
import { McpHttpClient, takeToolWarnings } from '../transports/mcp-http.js';
import type { OAuthOptions } from '../transports/oauth/options.js';
import { OAuthSetupError, prepareOAuth } from '../transports/oauth/setup.js';
import { negotiateProtocol } from './target.js';
import { ServerStream } from '../transports/server-stream.js';

export interface ClientCommandOptions {
  /** The MCP endpoint, used as given (no `/mcp` appended). */
  url: string;
  /** The conformance scenario's name: printed, so that the suite's logs say what ran. */
  scenario?: string;
  /** Pinned version; absent: negotiated (2026-07-28 when server/discover answers, else the newest legacy one). */
  protocolVersion?: string;
  requestTimeoutMs: number;
  headers: Record<string, string>;
  authToken?: string;
  seed: number;
  /** HTTPS trust and client certificates (--insecure-skip-tls-verify, --ca-cert, --client-cert, --client-key). */
  tls?: TlsOptions;
  /** OAuth 2.1 on a 401 (discovery, registration, PKCE with the redirect followed by HTTP, client credentials...). */
  oauth?: OAuthOptions;
  /** Arguments to call named tools with instead of generated ones (the conformance context's `toolCalls`). */
  toolArguments?: ReadonlyMap<string, Record<string, unknown>>;
}

/**
 * The `toolCalls` of the suite's MCP_CONFORMANCE_CONTEXT (JSON): the
 * arguments a scenario wants its tools called with, e.g. the values whose
 * header encoding it grades. Anything else in the context is not ours.
 */
export function conformanceToolArguments(context: string | undefined): Map<string, Record<string, unknown>> {
  const byTool = new Map<string, Record<string, unknown>>();
  let parsed: unknown;
  try {
    parsed = context === undefined ? undefined : JSON.parse(context);
  } catch {
    return byTool; // not JSON: nothing asked
  }
  const calls = (parsed as { toolCalls?: unknown } | undefined)?.toolCalls;
  if (!Array.isArray(calls)) return byTool;
  for (const call of calls as { name?: unknown; arguments?: unknown }[]) {
    if (typeof call?.name === 'string' && typeof call.arguments === 'object' && call.arguments !== null) {
      byTool.set(call.name, call.arguments as Record<string, unknown>);
    }
  }
  return byTool;
}

export interface ClientIo {
  out(text: string): void;
  err(text: string): void;
}

/** Longest tools/list walk: a server whose cursors never end must not hold the client forever. */
const MAX_PAGES = 100;

/** Prints every exchange as one line and remembers whether any failed. */
class PrintingRecorder implements Recorder {
  failures = 0;

  constructor(private readonly io: ClientIo) {}

  record(type: string, name: string, latencyUs: number, bytes: number, error?: SampleError): void {
    if (error !== undefined) this.failures++;
    const outcome = error === undefined ? 'ok' : errorLabel(error);
    this.io.out(`${type.padEnd(26)} ${name.padEnd(36)} ${(latencyUs / 1000).toFixed(1).padStart(8)} ms ${String(bytes).padStart(7)} B  ${outcome}\n`);
  }

  exception(err: unknown, where: string): void {
    this.failures++;
    this.io.err(`exception in ${where}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

interface ToolInfo {
  name: string;
  inputSchema: unknown;
}

/** Runs the session; returns the exit code (0: every exchange succeeded, 1: some failed). */
export async function runClient(opts: ClientCommandOptions, io: ClientIo): Promise<number> {
  const recorder = new PrintingRecorder(io);
  let dispatcher: ReturnType<typeof createDispatcher>;
  try {
    dispatcher = createDispatcher({ tls: opts.tls });
    // Connection only, no HTTP request: a conformance harness may count the requests it gets.
    const problem = await preflightConnect(opts.url, tlsConnectOptions(opts.tls), Math.min(opts.requestTimeoutMs, 10_000));
    if (problem !== undefined) {
      await dispatcher.destroy().catch(() => undefined);
      throw new RunSetupError(`cannot reach the target: ${problem}`);
    }
  } catch (err) {
    if (err instanceof TlsFileError) throw new RunSetupError(err.message);
    throw err;
  }
  const headers = { ...opts.headers };
  if (opts.authToken !== undefined) headers.authorization = `Bearer ${opts.authToken}`;
  const replies = agentReplies(opts.seed);
  io.out(`mcpload client: ${opts.url}${opts.scenario === undefined ? '' : ` (scenario ${opts.scenario})`}\n`);
  let protocolVersion: string | undefined;
  let auth;
  try {
    auth = opts.oauth === undefined ? undefined : prepareOAuth(opts.oauth, { mcpUrl: opts.url, dispatcher, timeoutMs: opts.requestTimeoutMs }).forUser(recorder);
    const choice = await negotiateProtocol({ url: opts.url, dispatcher, headers, timeoutMs: opts.requestTimeoutMs, pinned: opts.protocolVersion });
    if (choice.note !== undefined) io.out(`${choice.note}\n`);
    protocolVersion = choice.version;
  } catch (err) {
    await dispatcher.destroy().catch(() => undefined);
    if (err instanceof OAuthSetupError) throw new RunSetupError(err.message);
    throw err;
  }
  const client = new McpHttpClient({
    url: opts.url, recorder, dispatcher, headers, timeoutMs: opts.requestTimeoutMs, protocolVersion, serverRequests: replies, auth,
  });
  let serverStream: ServerStream | undefined;
  try {
    if (!(await client.initialize())) return 1;
    io.out(`session ${client.sessionId ?? '(none: stateless server)'}, protocol ${client.negotiatedProtocolVersion}\n`);
    if (client.sessionId !== undefined) {
      // Like the official clients: listen for the server's own requests (elicitation, sampling) on GET.
      serverStream = new ServerStream({
        dispatcher, url: opts.url, recorder, replies, timeoutMs: opts.requestTimeoutMs,
        headers: {
          ...headers, 'mcp-session-id': client.sessionId, 'mcp-protocol-version': client.negotiatedProtocolVersion,
          ...(client.authorization !== undefined ? { authorization: client.authorization } : {}),
        },
      });
      await serverStream.open();
    }
    if (client.serverCapabilities?.tools !== undefined) {
      const tools = await listAllTools(client);
      for (const warning of takeToolWarnings()) io.err(`warning: ${warning}`);
      const generator = new SchemaArgGenerator(createRng(opts.seed));
      for (const tool of tools) {
        await client.callTool(tool.name, opts.toolArguments?.get(tool.name) ?? generator.toolArguments(tool.inputSchema));
      }
    }
  } finally {
    await serverStream?.close();
    await client.close();
    await dispatcher.destroy().catch(() => undefined);
  }
  return recorder.failures === 0 ? 0 : 1;
}

async function listAllTools(client: McpHttpClient): Promise<ToolInfo[]> {
  const tools: ToolInfo[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = cursor === undefined ? await client.listTools() : await client.request('tools/list', { cursor }, { name: client.endpointPath });
    if (!out.ok) break;
    const result = out.result as { tools?: unknown; nextCursor?: unknown } | undefined;
    if (Array.isArray(result?.tools)) {
      for (const tool of result.tools as { name?: unknown; inputSchema?: unknown }[]) {
        if (typeof tool?.name === 'string') tools.push({ name: tool.name, inputSchema: tool.inputSchema });
      }
    }
    if (typeof result?.nextCursor !== 'string' || result.nextCursor.length === 0) break;
    cursor = result.nextCursor;
  }
  return tools;
}

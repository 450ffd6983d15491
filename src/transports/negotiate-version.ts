/**
 * Which protocol era a Streamable HTTP server speaks, found the way the
 * 2026-07-28 revision tells a dual-era client to (basic/versioning and
 * basic/transports/streamable-http, "Backward Compatibility"): send one
 * stateless request, `server/discover`, and read the answer.
 *
 * - a DiscoverResult: a stateless server; the newest version both sides list;
 * - a 4xx whose body is a stateless JSON-RPC error (-32022 with `supported`,
 *   -32020, -32021): a stateless server; -32022 names the versions to retry with;
 * - anything else (400 "no session", 404, 405, -32601, an empty body...):
 *   a legacy server; the client falls back to `initialize` with the newest
 *   legacy version (and the transport check may go on to HTTP+SSE).
 *
 * The answer is a property of the server, so it is asked once per target
 * and every client of the run speaks the version chosen.
 */
import type { Dispatcher } from 'undici';
import {
  LEGACY_PROTOCOL_VERSIONS, META_CLIENT_CAPABILITIES, META_CLIENT_INFO, META_PROTOCOL_VERSION, STATELESS_ERROR_CODES,
  STATELESS_PROTOCOL_VERSIONS, pickSupportedVersion, UNSUPPORTED_PROTOCOL_VERSION,
} from '../protocol/rev-2026-07-28.js';
import { classifyNetworkError } from './errors.js';
import { readCapped } from './read-body.js';
import { isEventStream, readSseReply } from './sse.js';

export type Era = 'stateless' | 'legacy';

export interface Negotiated {
  era: Era;
  /** The version every client of the target speaks. */
  version: string;
  /** Why, in a few words, for the line that says which version was chosen. */
  reason: string;
}

/** The server could not be asked (network error, timeout, 5xx): nothing says which era it speaks. */
export interface NotNegotiated {
  era?: undefined;
  reason: string;
}

export interface NegotiateOptions {
  url: string;
  dispatcher: Dispatcher;
  headers: Record<string, string>;
  timeoutMs: number;
  clientInfo?: { name: string; version: string };
  /** Start-up's shared deadline (startup-deadline.ts): a silent target holds the start for --connect-timeout in all. */
  deadline?: { readonly signal: AbortSignal; answered(): void };
}

const NEWEST_STATELESS = STATELESS_PROTOCOL_VERSIONS[0]!;
const NEWEST_LEGACY = LEGACY_PROTOCOL_VERSIONS[0]!;
const MAX_REPLY_BYTES = 1024 * 1024;
const DISCOVER_ID = 1;

interface DiscoverReply {
  status: number;
  /** The JSON-RPC message of the reply, when it had one. */
  message?: { result?: unknown; error?: unknown };
}

/** Decides the era from one `server/discover` reply (pure: the tests feed it replies). */
export function eraFromDiscoverReply(reply: DiscoverReply): Negotiated | NotNegotiated {
  const { status, message } = reply;
  const error = message?.error as { code?: unknown; data?: { supported?: unknown } } | undefined;
  const code = typeof error?.code === 'number' ? error.code : undefined;
  if (status >= 200 && status < 300 && message?.result !== undefined) {
    const listed = (message.result as { supportedVersions?: unknown } | null)?.supportedVersions;
    // A legacy server may answer any method with an empty result: only a DiscoverResult lists versions.
    if (!Array.isArray(listed)) return legacy('a result without supportedVersions');
    const version = pickSupportedVersion(listed);
    if (version === undefined) return { reason: `server/discover lists none of mcpload's versions (${JSON.stringify(listed)})` };
    return decided(version, 'server/discover answered');
  }
  if (code === UNSUPPORTED_PROTOCOL_VERSION) {
    const version = pickSupportedVersion(error?.data?.supported);
    if (version === undefined) return { reason: `the server supports none of mcpload's versions (it lists ${JSON.stringify(error?.data?.supported ?? [])})` };
    return decided(version, `server/discover answered -32022, ${version} is in its supported list`);
  }
  if (code !== undefined && STATELESS_ERROR_CODES.has(code)) return decided(NEWEST_STATELESS, `server/discover answered ${code}, a stateless error`);
  if (status >= 500) return { reason: `server/discover answered HTTP ${status}` };
  // Authorization comes before any method, in both eras: a refusal says nothing of the version.
  if (status === 401 || status === 403) return { reason: `server/discover needs authorization first (HTTP ${status})` };
  return legacy(code !== undefined ? `HTTP ${status} with JSON-RPC error ${code}` : `HTTP ${status} without a stateless JSON-RPC error`);
}

function legacy(what: string): Negotiated {
  return { era: 'legacy', version: NEWEST_LEGACY, reason: `server/discover got ${what}: a legacy server` };
}

function decided(version: string, reason: string): Negotiated {
  return { era: STATELESS_PROTOCOL_VERSIONS.includes(version) ? 'stateless' : 'legacy', version, reason };
}

/** POSTs one `server/discover` (newest stateless version) and decides the era from its reply. */
export async function negotiateVersion(opts: NegotiateOptions): Promise<Negotiated | NotNegotiated> {
  const url = new URL(opts.url);
  const meta = {
    [META_PROTOCOL_VERSION]: NEWEST_STATELESS,
    [META_CLIENT_INFO]: opts.clientInfo ?? { name: 'mcpload', version: '0.1.0' },
    [META_CLIENT_CAPABILITIES]: {},
  };
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(opts.headers)) headers[key.toLowerCase()] = value;
  Object.assign(headers, {
    'content-type': 'application/json', accept: 'application/json, text/event-stream',
    'mcp-protocol-version': NEWEST_STATELESS, 'mcp-method': 'server/discover',
  });
  try {
    const res = await opts.dispatcher.request({
      origin: url.origin, path: url.pathname + url.search, method: 'POST', headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: DISCOVER_ID, method: 'server/discover', params: { _meta: meta } }),
      signal: opts.deadline === undefined ? AbortSignal.timeout(opts.timeoutMs) : AbortSignal.any([AbortSignal.timeout(opts.timeoutMs), opts.deadline.signal]),
    });
    const message = await readMessage(res);
    opts.deadline?.answered();
    return eraFromDiscoverReply({ status: res.statusCode, message });
  } catch (err) {
    return { reason: `server/discover failed: ${classifyNetworkError(err).detail}` };
  }
}

async function readMessage(res: Dispatcher.ResponseData): Promise<DiscoverReply['message']> {
  if (isEventStream(res.headers['content-type'])) {
    const reply = await readSseReply(res.body, DISCOVER_ID, MAX_REPLY_BYTES);
    if (reply.rest !== undefined) void res.body.destroy();
    return reply.response as DiscoverReply['message'];
  }
  const body = await readCapped(res.body, MAX_REPLY_BYTES);
  if (body.data === undefined || body.data.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(body.data.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as DiscoverReply['message'] : undefined;
  } catch {
    return undefined;
  }
}

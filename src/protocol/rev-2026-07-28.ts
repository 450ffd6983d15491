/**
 * Wire facts of the stateless 2026-07-28 revision that both ends of mcpload
 * need, its client (transports/rev-2026-07-28-http.ts) and its reference server
 * (server/rev-2026-07-28-endpoint.ts): the versions, the reserved `_meta` keys, which
 * param `Mcp-Name` mirrors, and the header value encoding
 * (basic/transports/streamable-http#value-encoding).
 */

/** The stateless revisions mcpload speaks, newest first. */
export const STATELESS_PROTOCOL_VERSIONS: readonly string[] = Object.freeze(['2026-07-28']);

export function isStatelessRevision(version: string): boolean {
  return STATELESS_PROTOCOL_VERSIONS.includes(version);
}

/** The handshake-era revisions mcpload speaks, newest first (basic/versioning#terminology: "legacy"). */
export const LEGACY_PROTOCOL_VERSIONS: readonly string[] = Object.freeze(['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']);

/**
 * JSON-RPC errors only a stateless server sends (basic/versioning#backward-compatibility):
 * in a 4xx body they say the server speaks the stateless revision, so a
 * dual-era client corrects its request instead of falling back to `initialize`.
 */
export const HEADER_MISMATCH = -32020;
export const MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;
export const UNSUPPORTED_PROTOCOL_VERSION = -32022;
export const STATELESS_ERROR_CODES: ReadonlySet<number> = new Set([HEADER_MISMATCH, MISSING_REQUIRED_CLIENT_CAPABILITY, UNSUPPORTED_PROTOCOL_VERSION]);

/**
 * Methods and notifications the 2026-07-28 revision removed (changelog):
 * a stateless client never sends them.
 */
export const NOT_SENT_SINCE_2026_07_28: ReadonlySet<string> = new Set([
  'initialize', 'notifications/initialized', 'ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe',
  'notifications/cancelled', 'notifications/roots/list_changed',
]);

/**
 * The version to retry with after UnsupportedProtocolVersionError: the
 * newest of `supported` that mcpload speaks, a stateless one before any legacy
 * one (`eras: 'stateless'` for a client that cannot change era mid-way).
 */
export function pickSupportedVersion(supported: unknown, eras: 'any' | 'stateless' = 'any'): string | undefined {
  if (!Array.isArray(supported)) return undefined;
  const ours = eras === 'stateless' ? STATELESS_PROTOCOL_VERSIONS : [...STATELESS_PROTOCOL_VERSIONS, ...LEGACY_PROTOCOL_VERSIONS];
  return ours.find((version) => supported.includes(version));
}

export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';
export const META_CLIENT_INFO = 'io.modelcontextprotocol/clientInfo';
export const META_CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
export const META_LOG_LEVEL = 'io.modelcontextprotocol/logLevel';
export const META_SERVER_INFO = 'io.modelcontextprotocol/serverInfo';

/** Methods whose target is mirrored into `Mcp-Name`, and the param it comes from. */
export const MCP_NAME_PARAM: ReadonlyMap<string, 'name' | 'uri'> = new Map([
  ['tools/call', 'name'], ['prompts/get', 'name'], ['resources/read', 'uri'],
]);

const HEADER_SAFE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const SENTINEL = /^=\?base64\?.*\?=$/;
const ENCODED = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

/** A header value as the spec wants it: as is when plain visible ASCII, else the Base64 sentinel form. */
export function encodeHeaderValue(value: string): string {
  return HEADER_SAFE.test(value) && !SENTINEL.test(value) ? value : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** `Mcp-Name` / `Mcp-Param-*` values as sent: plain, or the `=?base64?…?=` sentinel for anything not header-safe. */
export function decodeHeaderValue(value: string): string {
  const match = ENCODED.exec(value);
  return match ? Buffer.from(match[1]!, 'base64').toString('utf8') : value;
}

/** `_meta` key tagging every notification of a `subscriptions/listen` stream (the id of the request that opened it). */
export const META_SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';

/** Methods of the handshake era that 2026-07-28 removed: a server answers them 404 with -32601, a client does not send them. */
export const METHODS_REMOVED_IN_2026_07_28: ReadonlySet<string> = new Set([
  'initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'resources/unsubscribe',
]);

/** Results that must carry `ttlMs` and `cacheScope` (basic/patterns/caching). */
export const CACHEABLE_METHODS_2026_07_28: ReadonlySet<string> = new Set([
  'server/discover', 'tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'resources/read',
]);

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Like decodeHeaderValue, but a `=?base64?…?=` value whose payload is not
 * canonical Base64 (bad padding, characters outside the alphabet) is
 * undefined: a server must refuse it rather than guess.
 */
export function decodeHeaderValueStrict(value: string): string | undefined {
  if (!value.startsWith('=?base64?') || !value.endsWith('?=') || value.length < 11) return value;
  const payload = value.slice('=?base64?'.length, -2);
  return BASE64.test(payload) ? Buffer.from(payload, 'base64').toString('utf8') : undefined;
}

/** `--protocol-version latest`: the same as leaving the flag out, negotiated with the server. */
export const LATEST = 'latest';

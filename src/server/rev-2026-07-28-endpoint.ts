/**
 * The stateless 2026-07-28 revision of MCP on the same `/mcp` endpoint
 * ("dual-era" server): a request whose `_meta` (and `MCP-Protocol-Version`
 * header) names a 2026-07-28-era version needs no handshake and no session.
 *
 * - The envelope is checked before any work: a `_meta` without the protocol
 *   version or the client capabilities is 400 with -32602; routing headers
 *   that disagree with the body (`MCP-Protocol-Version`, `Mcp-Method`,
 *   `Mcp-Name`, and `Mcp-Param-*` for tool parameters marked `x-mcp-header`)
 *   are 400 with -32020 HeaderMismatch; an unknown version is 400 with
 *   -32022 and the supported list; a `requestState` this process did not
 *   seal for this target, or malformed `inputResponses`, is 400 with -32602.
 * - `server/discover` is answered here; the methods 2026-07-28 removed
 *   (initialize, ping, logging/setLevel, resources/subscribe and
 *   unsubscribe) and unknown ones are 404 with -32601.
 * - `subscriptions/listen` keeps its stream open (rev-2026-07-28-listen.ts).
 * - Every other request gets an SDK server of its own (rev-2026-07-28-exchange.ts).
 * - Results carry `resultType`, and the cacheable ones (discover, the lists,
 *   resources/read) `ttlMs` and `cacheScope`: the catalog is the same for
 *   every caller and fixed while the process runs, so it is `public` and
 *   fresh for a minute; a resource that changes on a clock says when.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  decodeHeaderValueStrict, isStatelessRevision, MCP_NAME_PARAM, META_CLIENT_CAPABILITIES, META_LOG_LEVEL, META_PROTOCOL_VERSION, META_SERVER_INFO,
  CACHEABLE_METHODS_2026_07_28, STATELESS_PROTOCOL_VERSIONS, METHODS_REMOVED_IN_2026_07_28,
} from '../protocol/rev-2026-07-28.js';
import { LoggingLevelSchema, type LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import { watchResource } from './conformance-catalog.js';
import { sendJson } from './http-util.js';
import { describeServer, METHOD_NOT_FOUND, runExchange } from './rev-2026-07-28-exchange.js';
import { agreedFilter, ListenHub } from './rev-2026-07-28-listen.js';
import { Rev20260728RequestContext, openState, type ListChanges } from './rev-2026-07-28-request.js';
import { PACKAGE_INFO, SERVER_NAME } from './package-info.js';

/** Every version the endpoint accepts, 2026-07-28 and legacy (the handshake era), for -32022 and server/discover. */
export const SUPPORTED_VERSIONS: readonly string[] = Object.freeze([...STATELESS_PROTOCOL_VERSIONS, '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']);

const HEADER_MISMATCH = -32020;
const UNSUPPORTED_PROTOCOL_VERSION = -32022;
const INVALID_PARAMS = -32602;
const INVALID_REQUEST = -32600;

/** How long a cacheable result stays fresh (see the header comment). */
export const CACHE_TTL_MS = 60_000;
const CACHE_SCOPE = 'public';
/** Default bound on open `subscriptions/listen` streams. */
const DEFAULT_MAX_LISTENERS = 10_000;

const VERSION_SHAPE = /^\d{4}-\d{2}-\d{2}$/;

/** A header version of the stateless era (or later): its requests take this path whatever their body says. */
export function isStatelessRevisionHeader(value: string | string[] | undefined): boolean {
  return typeof value === 'string' && VERSION_SHAPE.test(value) && value >= STATELESS_PROTOCOL_VERSIONS[STATELESS_PROTOCOL_VERSIONS.length - 1]!;
}

/** A body that declares its protocol version in `_meta`, as only the stateless era does. */
export function hasRev20260728Meta(body: unknown): boolean {
  return metaOf(body)?.[META_PROTOCOL_VERSION] !== undefined;
}

function metaOf(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const params = (body as { params?: unknown }).params;
  if (typeof params !== 'object' || params === null) return undefined;
  const meta = (params as { _meta?: unknown })._meta;
  return typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? meta as Record<string, unknown> : undefined;
}

interface Refusal { status: number; code: number; message: string; data?: unknown }

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value.trim() : undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What is wrong with a 2026-07-28 request's envelope, checked before any work is done. */
export function checkRev20260728Request(req: IncomingMessage, body: unknown): Refusal | undefined {
  if (!isObject(body)) return { status: 400, code: INVALID_REQUEST, message: 'Invalid Request: 2026-07-28 takes one JSON-RPC message per POST' };
  const message = body as { method?: unknown; id?: unknown; params?: Record<string, unknown> };
  const method = message.method;
  if (typeof method !== 'string') return { status: 400, code: INVALID_REQUEST, message: 'Invalid Request: no method' };
  const meta = metaOf(body);
  const bodyVersion = meta?.[META_PROTOCOL_VERSION];
  if (typeof bodyVersion !== 'string') {
    return { status: 400, code: INVALID_PARAMS, message: `Invalid params: params._meta["${META_PROTOCOL_VERSION}"] is required` };
  }
  const headerVersion = header(req, 'mcp-protocol-version');
  if (headerVersion === undefined) return { status: 400, code: HEADER_MISMATCH, message: 'Header mismatch: MCP-Protocol-Version header is required' };
  if (bodyVersion !== headerVersion) {
    return {
      status: 400, code: HEADER_MISMATCH,
      message: `Header mismatch: MCP-Protocol-Version header value '${headerVersion}' does not match body value '${bodyVersion}'`,
    };
  }
  if (!isStatelessRevision(headerVersion)) {
    return {
      status: 400, code: UNSUPPORTED_PROTOCOL_VERSION, message: 'Unsupported protocol version',
      data: { supported: SUPPORTED_VERSIONS, requested: headerVersion },
    };
  }
  const methodHeader = header(req, 'mcp-method');
  if (methodHeader !== method) {
    return {
      status: 400, code: HEADER_MISMATCH,
      message: methodHeader === undefined ? 'Header mismatch: Mcp-Method header is required'
        : `Header mismatch: Mcp-Method header value '${methodHeader}' does not match body value '${method}'`,
    };
  }
  const named = MCP_NAME_PARAM.get(method);
  if (named !== undefined) {
    const target = message.params?.[named];
    const nameHeader = header(req, 'mcp-name');
    if (nameHeader === undefined) return { status: 400, code: HEADER_MISMATCH, message: `Header mismatch: Mcp-Name header is required for ${method}` };
    if (decodeHeaderValueStrict(nameHeader) !== target) {
      return { status: 400, code: HEADER_MISMATCH, message: `Header mismatch: Mcp-Name header does not match params.${named}` };
    }
  }
  if (message.id !== undefined && !isObject(meta?.[META_CLIENT_CAPABILITIES])) {
    return { status: 400, code: INVALID_PARAMS, message: `Invalid params: params._meta["${META_CLIENT_CAPABILITIES}"] is required` };
  }
  return undefined;
}

/** A tool parameter mirrored into an `Mcp-Param-*` header (SEP-2243). */
interface HeaderParam { param: string; header: string; type: string }

/** The `x-mcp-header` parameters of each listed tool: top-level properties of a primitive type only, as the spec allows. */
function headerParamsOf(tools: unknown[]): Map<string, HeaderParam[]> {
  const out = new Map<string, HeaderParam[]>();
  for (const tool of tools as Array<{ name?: unknown; inputSchema?: { properties?: Record<string, Record<string, unknown>> } }>) {
    const params: HeaderParam[] = [];
    for (const [param, schema] of Object.entries(tool.inputSchema?.properties ?? {})) {
      const name = schema['x-mcp-header'];
      const type = String(schema.type);
      if (typeof name === 'string' && ['string', 'integer', 'number', 'boolean'].includes(type)) params.push({ param, header: name, type });
    }
    if (typeof tool.name === 'string' && params.length > 0) out.set(tool.name, params);
  }
  return out;
}

/** A `tools/call` whose `Mcp-Param-*` headers disagree with its arguments (absent, undecodable or different). */
function checkParamHeaders(req: IncomingMessage, params: HeaderParam[], args: unknown): Refusal | undefined {
  for (const { param, header: name, type } of params) {
    const value = isObject(args) ? args[param] : undefined;
    // A null or absent argument sends no header, and none is expected.
    if (value === undefined || value === null) continue;
    const raw = header(req, `mcp-param-${name.toLowerCase()}`);
    if (raw === undefined) return { status: 400, code: HEADER_MISMATCH, message: `Header mismatch: Mcp-Param-${name} header is required when ${param} is given` };
    const decoded = decodeHeaderValueStrict(raw);
    if (decoded === undefined) return { status: 400, code: HEADER_MISMATCH, message: `Header mismatch: Mcp-Param-${name} is not valid Base64` };
    const same = type === 'string' ? decoded === value : type === 'boolean' ? decoded === String(value) : decoded.trim() !== '' && Number(decoded) === value;
    if (!same) return { status: 400, code: HEADER_MISMATCH, message: `Header mismatch: Mcp-Param-${name} header does not match arguments.${param}` };
  }
  return undefined;
}

/** Malformed `inputResponses` or a `requestState` not sealed here for `target`. */
function checkRoundParams(params: Record<string, unknown> | undefined, target: string): Refusal | { state: { data: unknown } | undefined } {
  const responses = params?.inputResponses;
  if (responses !== undefined && (!isObject(responses) || !Object.values(responses).every(isObject))) {
    return { status: 400, code: INVALID_PARAMS, message: 'Invalid params: inputResponses must map each key to a result object' };
  }
  const state = params?.requestState;
  if (state === undefined) return { state: undefined };
  const opened = typeof state === 'string' ? openState(target, state) : undefined;
  if (opened === undefined) return { status: 400, code: INVALID_PARAMS, message: 'Invalid params: requestState failed its integrity check (altered, or not issued for this request)' };
  return { state: opened };
}

function withResultType(result: unknown): Record<string, unknown> {
  const out = isObject(result) ? result : {};
  return 'resultType' in out ? out : { resultType: 'complete', ...out };
}

/** `resultType`, and for a cacheable method the caching hints (kept when the catalog set its own). */
function decorate(method: string, result: unknown): Record<string, unknown> {
  const out = withResultType(result);
  if (!CACHEABLE_METHODS_2026_07_28.has(method)) return out;
  return { ...out, ttlMs: typeof out.ttlMs === 'number' ? out.ttlMs : CACHE_TTL_MS, cacheScope: out.cacheScope ?? CACHE_SCOPE };
}

/** The handshake era's "resource not found" (-32002, or the SDK's -32602 without data) becomes SEP-2164's: -32602 naming the URI. */
function decorateError(method: string, params: Record<string, unknown> | undefined, error: { code?: unknown; data?: unknown }): unknown {
  if (method !== 'resources/read' || (error.code !== -32002 && error.code !== INVALID_PARAMS)) return error;
  return { ...error, code: INVALID_PARAMS, data: { ...(isObject(error.data) ? error.data : {}), uri: params?.uri } };
}

const LOG_LEVELS: ReadonlySet<string> = new Set(LoggingLevelSchema.options);

/** What every request would see, learnt once from a throwaway per-request server. */
interface Template { discovery: Record<string, unknown>; headerParams: Map<string, HeaderParam[]> }

export class Rev20260728Endpoint {
  private readonly hub: ListenHub;
  private readonly changes: ListChanges;
  private template: Promise<Template> | undefined;

  /** `onServed`: a request or notification passed the checks and is served (the server's `served` counts). */
  constructor(private readonly opts: { jsonResponse: boolean; maxListeners?: number; onServed?: (body: unknown) => void }) {
    this.hub = new ListenHub({ maxListeners: opts.maxListeners ?? DEFAULT_MAX_LISTENERS, watch: watchResource });
    this.changes = { tools: () => this.hub.listChanged('toolsListChanged'), prompts: () => this.hub.listChanged('promptsListChanged') };
  }

  /** Open `subscriptions/listen` streams. */
  listeners(): number {
    return this.hub.size;
  }

  async close(): Promise<void> {
    this.hub.close();
  }

  /** Serves one POST whose body is already read and parsed. */
  async serve(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const message = body as { method: string; id?: unknown; params?: Record<string, unknown> };
    const clientId = typeof message?.id === 'string' || typeof message?.id === 'number' ? message.id : null;
    const refuse = (refusal: Refusal): void => sendJson(res, refusal.status, {
      jsonrpc: '2.0', id: clientId, error: { code: refusal.code, message: refusal.message, ...(refusal.data ? { data: refusal.data } : {}) },
    });
    const envelope = checkRev20260728Request(req, body);
    if (envelope) return refuse(envelope);
    // 2026-07-28 defines no client notifications over HTTP; accept and drop them, as the transport rules allow.
    if (clientId === null) {
      this.opts.onServed?.(body);
      res.writeHead(202).end();
      return;
    }
    const { method, params } = message;
    const template = await this.describe();
    if (method === 'server/discover') {
      this.opts.onServed?.(body);
      return sendJson(res, 200, { jsonrpc: '2.0', id: clientId, result: decorate(method, template.discovery) });
    }
    if (METHODS_REMOVED_IN_2026_07_28.has(method)) {
      return refuse({ status: 404, code: METHOD_NOT_FOUND, message: `Method not found: ${method} is not part of 2026-07-28${method === 'initialize' ? '; call server/discover, or send initialize without _meta for a legacy session' : ''}` });
    }
    const accept = header(req, 'accept') ?? '';
    if (method === 'subscriptions/listen') return this.listen(res, clientId, params, accept, refuse);

    const named = MCP_NAME_PARAM.get(method);
    const target = named === undefined ? method : `${method}:${String(params?.[named])}`;
    const round = checkRoundParams(params, target);
    if ('code' in round) return refuse(round);
    if (method === 'tools/call') {
      const headerParams = template.headerParams.get(String(params?.name));
      const mismatch = headerParams && checkParamHeaders(req, headerParams, params?.arguments);
      if (mismatch) return refuse(mismatch);
    }
    const meta = metaOf(body)!;
    const level = meta[META_LOG_LEVEL];
    const ctx = new Rev20260728RequestContext(
      target,
      meta[META_CLIENT_CAPABILITIES] as Record<string, unknown>,
      typeof level === 'string' && LOG_LEVELS.has(level) ? level as LoggingLevel : undefined,
      isObject(params?.inputResponses) ? params.inputResponses : {},
      round.state,
      this.changes,
    );
    this.opts.onServed?.(body);
    await runExchange({
      clientId, request: { method, ...(params === undefined ? {} : { params }) }, ctx, res,
      stream: !this.opts.jsonResponse && accept.includes('text/event-stream'),
      decorate: (result) => decorate(method, result),
      decorateError: (error) => decorateError(method, params, error),
    });
  }

  private listen(res: ServerResponse, id: string | number, params: Record<string, unknown> | undefined, accept: string, refuse: (r: Refusal) => void): void {
    if (!accept.includes('text/event-stream')) {
      return refuse({ status: 400, code: INVALID_REQUEST, message: 'Invalid Request: subscriptions/listen answers with an SSE stream; Accept must include text/event-stream' });
    }
    const filter = agreedFilter(params?.notifications);
    if (filter === undefined) return refuse({ status: 400, code: INVALID_PARAMS, message: 'Invalid params: notifications must be a subscription filter object' });
    this.opts.onServed?.({ jsonrpc: '2.0', id, method: 'subscriptions/listen' });
    this.hub.open(res, id, filter);
  }

  private describe(): Promise<Template> {
    this.template ??= (async () => {
      const noop = (): void => undefined;
      const { init, tools } = await describeServer(new Rev20260728RequestContext('', {}, undefined, {}, undefined, { tools: noop, prompts: noop }));
      const discovery = {
        resultType: 'complete',
        supportedVersions: SUPPORTED_VERSIONS,
        capabilities: init.capabilities ?? {},
        ...(typeof init.instructions === 'string' ? { instructions: init.instructions } : {}),
        _meta: { [META_SERVER_INFO]: init.serverInfo ?? { name: SERVER_NAME, version: PACKAGE_INFO.version } },
      };
      return { discovery, headerParams: headerParamsOf(tools) };
    })();
    return this.template;
  }
}

/**
 * What the stateless 2026-07-28 revision adds to a Streamable HTTP request
 * (basic/transports/streamable-http#request-metadata, basic/versioning):
 * - `_meta` on every request: protocol version, client info, capabilities;
 * - routing headers mirrored from the body: `MCP-Protocol-Version`,
 *   `Mcp-Method`, `Mcp-Name` (tools/call, prompts/get, resources/read) and
 *   `Mcp-Param-{Name}` for tool arguments whose schema says `x-mcp-header`,
 *   each value plain when header-safe, else `=?base64?…?=`;
 * - multi round-trip requests (MRTR): a result with `resultType:
 *   "input_required"` is answered and the request sent again.
 */
import {
  encodeHeaderValue, MCP_NAME_PARAM, META_CLIENT_CAPABILITIES, META_CLIENT_INFO, META_PROTOCOL_VERSION,
} from '../protocol/rev-2026-07-28.js';
import { answerServerRequest, type ServerRequestReplies } from './server-messages.js';

export function statelessMeta(version: string, clientInfo: object, capabilities: object): Readonly<Record<string, unknown>> {
  return Object.freeze({ [META_PROTOCOL_VERSION]: version, [META_CLIENT_INFO]: clientInfo, [META_CLIENT_CAPABILITIES]: capabilities });
}

/** `params` with the request `_meta` merged in (the caller's own `_meta` keys, e.g. progressToken, kept). */
export function withMeta(params: object | undefined, meta: Readonly<Record<string, unknown>>): object {
  if (params === undefined) return { _meta: meta };
  const own = (params as { _meta?: unknown })._meta;
  return { ...params, _meta: typeof own === 'object' && own !== null ? { ...meta, ...own } : meta };
}

/** Where an `x-mcp-header` value is read from in the call's arguments. */
interface MirroredParam {
  path: readonly string[];
  header: string;
}

/** RFC 9110 token. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAX_SCHEMA_DEPTH = 16;

/**
 * The `x-mcp-header` annotations of one tool's inputSchema, or a reason the
 * tool must be left out (the spec's rules: token names, unique ignoring
 * case, primitive non-number types, reachable through `properties` only).
 */
export function mirroredParams(inputSchema: unknown): MirroredParam[] | string {
  const found: MirroredParam[] = [];
  const seen = new Set<string>();
  let problem: string | undefined;
  const visit = (schema: unknown, path: string[], reachable: boolean, depth: number): void => {
    if (problem !== undefined || typeof schema !== 'object' || schema === null || depth > MAX_SCHEMA_DEPTH) return;
    const node = schema as Record<string, unknown>;
    const header = node['x-mcp-header'];
    if (header !== undefined) {
      const type = node.type;
      if (!reachable || path.length === 0) problem = 'x-mcp-header outside a properties chain';
      else if (typeof header !== 'string' || !TOKEN.test(header)) problem = `x-mcp-header ${JSON.stringify(header)} is not a header token`;
      else if (seen.has(header.toLowerCase())) problem = `x-mcp-header ${header} is used twice`;
      else if (type !== 'string' && type !== 'integer' && type !== 'boolean') problem = `x-mcp-header ${header} is on a ${String(type)} parameter`;
      else {
        seen.add(header.toLowerCase());
        found.push({ path: [...path], header: `mcp-param-${header.toLowerCase()}` });
      }
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && typeof value === 'object' && value !== null) {
        for (const [prop, sub] of Object.entries(value)) visit(sub, [...path, prop], reachable, depth + 1);
      } else if (typeof value === 'object' && value !== null && key !== 'x-mcp-header') {
        // Anything else (items, anyOf, $defs...) is not statically reachable, but may not carry the annotation either.
        const children = Array.isArray(value) ? value : [value];
        for (const child of children) visit(child, path, false, depth + 1);
      }
    }
  };
  visit(inputSchema, [], true, 0);
  return problem ?? found;
}

function valueAt(args: unknown, path: readonly string[]): unknown {
  let value = args;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * The `x-mcp-header` annotations of the tools an endpoint listed, shared by
 * every client of that endpoint (users call tools that another client listed).
 */
export class MirroredHeaders {
  private readonly byTool = new Map<string, readonly MirroredParam[]>();
  /** Tools already warned about: each is named once, however many clients list it. */
  private readonly warned = new Set<string>();
  private pending: string[] = [];
  /** The first listing asked for by a tools/call that came before any tools/list (one for all clients). */
  private listing: Promise<void> | undefined;
  /** True once a tools/list of this endpoint was learnt: the annotations are known. */
  listed = false;

  /**
   * Before a tools/call that no tools/list of this endpoint came before: the
   * call cannot know which arguments the server wants mirrored, so the tools
   * are listed first, once for all clients (a failed listing is not retried:
   * the calls then go out without the headers, and the server's reply tells).
   */
  whenListed(list: () => Promise<unknown>): Promise<void> {
    return this.listing ??= list().then(() => undefined, () => undefined);
  }

  /**
   * Learns the annotations from a tools/list result, and takes out the tools
   * whose annotations break the rules (the spec: such a tool MUST be left
   * out of the list). Returns the names left out, with why.
   */
  learn(result: unknown): string[] {
    const tools = (result as { tools?: unknown } | null)?.tools;
    if (!Array.isArray(tools)) return [];
    this.listed = true;
    const rejected: string[] = [];
    const kept = tools.filter((tool: { name?: unknown; inputSchema?: unknown }) => {
      if (typeof tool?.name !== 'string') return true;
      const params = mirroredParams(tool.inputSchema);
      if (typeof params === 'string') {
        rejected.push(`${tool.name} (${params})`);
        this.byTool.delete(tool.name);
        if (!this.warned.has(tool.name)) {
          this.warned.add(tool.name);
          this.pending.push(`left out tool ${tool.name}: ${params} (a client MUST exclude it, 2026-07-28 x-mcp-header rules)`);
        }
        return false;
      }
      if (params.length > 0) this.byTool.set(tool.name, params);
      else this.byTool.delete(tool.name);
      return true;
    });
    if (rejected.length > 0) (result as { tools: unknown[] }).tools = kept;
    return rejected;
  }

  /** The warnings (the spec: a client SHOULD log one per rejected tool) not yet taken, each tool once. */
  takeWarnings(): string[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }

  /** Adds the `Mcp-Param-*` headers of a tools/call; values absent or null are left out, as the spec says. */
  addTo(headers: Record<string, string>, tool: string, args: unknown): void {
    const params = this.byTool.get(tool);
    if (params === undefined) return;
    for (const { path, header } of params) {
      const value = valueAt(args, path);
      if (value === undefined || value === null) continue;
      headers[header] = encodeHeaderValue(typeof value === 'string' ? value : String(value));
    }
  }
}

/**
 * The routing headers of one request: `base` (which carries
 * MCP-Protocol-Version) plus Mcp-Method, Mcp-Name and any Mcp-Param-*.
 */
export function routingHeaders(
  base: Record<string, string>, method: string, params: object | undefined, mirrored: MirroredHeaders | undefined,
): Record<string, string> {
  const headers: Record<string, string> = { ...base, 'mcp-method': method };
  const nameParam = MCP_NAME_PARAM.get(method);
  if (nameParam !== undefined) {
    const target = (params as Record<string, unknown> | undefined)?.[nameParam];
    if (typeof target === 'string') headers['mcp-name'] = encodeHeaderValue(target);
    if (method === 'tools/call' && typeof target === 'string') mirrored?.addTo(headers, target, (params as { arguments?: unknown }).arguments);
  }
  return headers;
}

export function isInputRequired(result: unknown): boolean {
  return (result as { resultType?: unknown } | null)?.resultType === 'input_required';
}

/**
 * The params of the next round of a multi round-trip request: the original
 * params plus `inputResponses` (one per input request, answered as the
 * scenario configured) and the server's opaque `requestState`. A string when
 * an input request cannot be answered.
 */
export function nextRoundParams(params: object | undefined, result: unknown, replies: ServerRequestReplies | undefined): object | string {
  const { inputRequests, requestState } = result as { inputRequests?: unknown; requestState?: unknown };
  const inputResponses: Record<string, unknown> = {};
  if (typeof inputRequests === 'object' && inputRequests !== null) {
    for (const [key, request] of Object.entries(inputRequests)) {
      const method = (request as { method?: unknown } | null)?.method;
      const reply = answerServerRequest({ ...(request as object), id: key }, replies);
      if (reply === undefined || !('result' in reply)) return `no answer configured for ${String(method)} (input_required)`;
      inputResponses[key] = reply.result;
    }
  }
  return { ...params, inputResponses, ...(typeof requestState === 'string' ? { requestState } : {}) };
}

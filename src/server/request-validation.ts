/**
 * Checks on a JSON-RPC body that the SDK transport does not make, or makes
 * with another error code than JSON-RPC 2.0 §5.1 asks for:
 * - nesting deeper than MAX_JSON_DEPTH is refused before JSON.parse (V8
 *   parses 10,000 levels happily, and every later walk over it costs);
 * - a message that is not a JSON-RPC request, notification or response is
 *   -32600 (the SDK says -32700);
 * - batches are refused unless the client speaks a version that had them
 *   (2025-06-18 removed batching);
 * - params that do not fit a known method's schema are -32602 (the SDK
 *   answers -32603).
 */
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  GetPromptRequestSchema,
  InitializeRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';

export const MAX_JSON_DEPTH = 64;
export const JSONRPC_INVALID_REQUEST = -32600;
export const JSONRPC_INVALID_PARAMS = -32602;
/** Versions whose transport still allowed JSON-RPC batches. */
const BATCH_VERSIONS = new Set(['2024-11-05', '2025-03-26']);

interface SafeParser {
  safeParse(value: unknown): { success: boolean };
}

const REQUEST_SCHEMAS: ReadonlyMap<string, SafeParser> = new Map<string, SafeParser>([
  ['initialize', InitializeRequestSchema],
  ['tools/list', ListToolsRequestSchema],
  ['tools/call', CallToolRequestSchema],
  ['resources/list', ListResourcesRequestSchema],
  ['resources/templates/list', ListResourceTemplatesRequestSchema],
  ['resources/read', ReadResourceRequestSchema],
  ['resources/subscribe', SubscribeRequestSchema],
  ['resources/unsubscribe', UnsubscribeRequestSchema],
  ['prompts/list', ListPromptsRequestSchema],
  ['prompts/get', GetPromptRequestSchema],
  ['completion/complete', CompleteRequestSchema],
  ['logging/setLevel', SetLevelRequestSchema],
]);

export interface Rejection {
  status: number;
  code: number;
  message: string;
  /** The request id to answer with, when one could be read. */
  id: string | number | null;
}

/** Deepest nesting of arrays and objects in JSON text, stopping once past `limit` (strings are skipped). */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}

function idOf(message: unknown): string | number | null {
  const id = (message as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

/** A request, notification or response per JSON-RPC 2.0 §4–5. */
function isJsonRpcMessage(message: unknown): boolean {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return false;
  const m = message as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') return false;
  const idOk = m.id === undefined || typeof m.id === 'string' || typeof m.id === 'number';
  if (typeof m.method === 'string') return idOk && (m.params === undefined || (typeof m.params === 'object' && m.params !== null));
  return m.id !== undefined && idOk && ('result' in m || 'error' in m);
}

/** Why the parsed `body` must be refused, or undefined when the SDK may have it. */
export function rejectJsonRpcBody(body: unknown, protocolVersionHeader: string | undefined): Rejection | undefined {
  if (Array.isArray(body)) {
    if (protocolVersionHeader === undefined || !BATCH_VERSIONS.has(protocolVersionHeader)) {
      return { status: 400, code: JSONRPC_INVALID_REQUEST, message: 'Invalid Request: JSON-RPC batching is not supported (removed in 2025-06-18)', id: null };
    }
    if (body.length === 0) return { status: 400, code: JSONRPC_INVALID_REQUEST, message: 'Invalid Request: empty batch', id: null };
    for (const message of body) {
      const rejection = rejectMessage(message);
      if (rejection) return rejection;
    }
    return undefined;
  }
  return rejectMessage(body);
}

function rejectMessage(message: unknown): Rejection | undefined {
  if (!isJsonRpcMessage(message)) return { status: 400, code: JSONRPC_INVALID_REQUEST, message: 'Invalid Request: not a JSON-RPC 2.0 message', id: idOf(message) };
  const m = message as { id?: unknown; method?: unknown };
  if (m.id === undefined || typeof m.method !== 'string') return undefined;
  const schema = REQUEST_SCHEMAS.get(m.method);
  if (schema && !schema.safeParse(message).success) {
    // 200: a JSON-RPC error about one request, like every other -326xx the SDK sends.
    return { status: 200, code: JSONRPC_INVALID_PARAMS, message: `Invalid params for ${m.method}`, id: idOf(message) };
  }
  return undefined;
}

/** Picks the MCP client for a target: its connector's (stdio, legacy SSE), else Streamable HTTP. */
import type { McpClient, McpClientOptions, McpTargetInfo } from './mcp-client.js';
import { McpHttpClient } from './mcp-http.js';

/**
 * A user's MCP client for the target. `ownProcess` (stdio only) keeps a
 * client off the shared process of `--stdio-shared` (discovery's probe).
 */
export function createMcpClient(target: McpTargetInfo, opts: McpClientOptions & { ownProcess?: boolean }): McpClient {
  if (target.mcpConnector !== undefined) return target.mcpConnector.create({ timeoutMs: target.timeoutMs, ...opts });
  return new McpHttpClient({
    url: target.mcpUrl, dispatcher: target.dispatcher, headers: target.headers, timeoutMs: opts.timeoutMs ?? target.timeoutMs,
    recorder: opts.recorder, signal: opts.signal, timing: opts.timing, firstByte: opts.firstByte, protocolVersion: opts.protocolVersion, serverRequests: opts.serverRequests,
    trace: opts.trace,
    ...(target.oauth !== undefined ? { auth: target.oauth.forUser(opts.recorder) } : {}),
  });
}

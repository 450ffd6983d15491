/**
 * The classic REST face of the reference server: status, health, discovery,
 * tool calls and resource reads as plain JSON over HTTP. It calls the
 * definitions of tools.ts directly, never through MCP.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { toJsonSchemaCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import { readBody, sendJson, sendRawJson, sendTooLarge } from './http-util.js';
import { PACKAGE_INFO, SERVER_NAME } from './package-info.js';
import type { ServedSnapshot } from './served-counts.js';
import { findTool, PROMPTS, readResource, RESOURCE_SCHEME, RESOURCES, RESOURCE_TEMPLATES, TOOLS, type ToolDef } from './tools.js';

export const HEALTH_PATHS: ReadonlySet<string> = new Set(['/api/v1/health', '/api/v1/mcp/health']);
const RESOURCES_PREFIX = '/api/v1/resources/';

const HEALTH_JSON = JSON.stringify({ status: 'ok' });
const NOT_FOUND = { error: 'not found' };

/** The catalog as JSON, in the shapes MCP's list methods use; it never changes, so it is built once. */
function buildDiscoveryJson(extraTools: readonly ToolDef[]): string {
  return JSON.stringify({
    tools: [...TOOLS, ...extraTools].map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      // The same conversion options the SDK uses for tools/list, so both faces show one schema.
      inputSchema: toJsonSchemaCompat(tool.inputSchema, { strictUnions: true, pipeStrategy: 'input' }),
      ...(tool.outputSchema
        ? { outputSchema: toJsonSchemaCompat(tool.outputSchema, { strictUnions: true, pipeStrategy: 'output' }) }
        : {}),
      annotations: tool.annotations,
    })),
    resources: RESOURCES.map(({ uri, name, title, description, mimeType }) => ({ uri, name, title, description, mimeType })),
    resourceTemplates: RESOURCE_TEMPLATES.map(({ uriTemplate, name, title, description, mimeType }) => ({
      uriTemplate,
      name,
      title,
      description,
      mimeType,
    })),
    prompts: PROMPTS.map((prompt) => ({
      name: prompt.name,
      title: prompt.title,
      description: prompt.description,
      arguments: Object.entries(prompt.argsShape).map(([name, schema]) => ({
        name,
        description: schema.description,
        required: !schema.safeParse(undefined).success,
      })),
    })),
  });
}

const CallRequestSchema = z.object({
  name: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()).optional(),
});

export interface RestApiOptions {
  maxBodyBytes: number;
  stateless: boolean;
  openSessions: () => number;
  /** What the MCP endpoint served so far (served-counts.ts). */
  served?: () => ServedSnapshot;
  /** Tools this face offers besides the catalog (the insecure demo's hidden tool). */
  extraTools?: readonly ToolDef[];
}

export class RestApi {
  private readonly startedAt = performance.now();
  private discoveryJson: string | undefined;

  constructor(private readonly opts: RestApiOptions) {}

  /** Answers `method path`; unknown routes get 404 and known ones with another method 405. */
  async handle(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
    switch (path) {
      case '/api/v1/health':
      case '/api/v1/mcp/health':
        if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, 'GET');
        return sendRawJson(res, 200, HEALTH_JSON);
      case '/api/v1/mcp/status':
        if (method !== 'GET') return methodNotAllowed(res, 'GET');
        return sendJson(res, 200, this.status());
      case '/api/v1/mcp/discovery':
        if (method !== 'GET') return methodNotAllowed(res, 'GET');
        this.discoveryJson ??= buildDiscoveryJson(this.opts.extraTools ?? []);
        return sendRawJson(res, 200, this.discoveryJson);
      case '/api/v1/tools/call':
        if (method !== 'POST') return methodNotAllowed(res, 'POST');
        return this.callTool(req, res);
    }
    if (path.startsWith(RESOURCES_PREFIX)) {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      return this.readResource(res, path.slice(RESOURCES_PREFIX.length));
    }
    sendJson(res, 404, NOT_FOUND);
  }

  private status(): unknown {
    return {
      name: SERVER_NAME,
      version: PACKAGE_INFO.version,
      uptimeSeconds: Math.round(performance.now() - this.startedAt) / 1000,
      openSessions: this.opts.openSessions(),
      stateless: this.opts.stateless,
      counts: {
        tools: TOOLS.length,
        resources: RESOURCES.length,
        resourceTemplates: RESOURCE_TEMPLATES.length,
        prompts: PROMPTS.length,
      },
      ...(this.opts.served !== undefined ? { served: this.opts.served() } : {}),
    };
  }

  private async callTool(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const read = await readBody(req, this.opts.maxBodyBytes);
    if (read.kind === 'too-large') return sendTooLarge(res, this.opts.maxBodyBytes, false);
    if (read.kind === 'aborted') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(read.body.toString('utf8'));
    } catch {
      return sendJson(res, 400, { error: 'bad request', message: 'the body is not valid JSON' });
    }
    const call = CallRequestSchema.safeParse(parsed);
    if (!call.success) {
      return sendJson(res, 400, { error: 'bad request', message: 'expected {"name": string, "arguments"?: object}' });
    }
    const tool = findTool(call.data.name) ?? this.opts.extraTools?.find((t) => t.name === call.data.name);
    if (!tool) return sendJson(res, 404, { error: 'unknown tool', name: call.data.name });
    const args = tool.inputSchema.safeParse(call.data.arguments ?? {});
    if (!args.success) {
      return sendJson(res, 400, { error: 'invalid arguments', tool: tool.name, message: z.prettifyError(args.error) });
    }
    // A caller that hangs up cancels a slow tool instead of leaving it running.
    const cancel = new AbortController();
    res.once('close', () => cancel.abort());
    const result = await tool.run(args.data, { signal: cancel.signal });
    sendJson(res, 200, result);
  }

  private readResource(res: ServerResponse, rest: string): void {
    const result = rest.length > 0 ? readResource(RESOURCE_SCHEME + rest) : undefined;
    if (!result) return sendJson(res, 404, { error: 'unknown resource', uri: RESOURCE_SCHEME + rest });
    sendJson(res, 200, result);
  }
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  sendJson(res, 405, { error: 'method not allowed' }, { allow });
}

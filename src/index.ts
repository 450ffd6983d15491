/**
 * The public API for scenario authors: `import { ... } from 'mcpload'`.
 */
export { defineScenario, defineUserClass } from './scenarios/api.js';
export type { Scenario, ScenarioEnv, ScenarioExport, ScenarioFigures, Task, UserClass, VirtualUser } from './scenarios/api.js';
export type {
  QuittingEvent, RequestEvent, ScenarioEvents, SpawningCompleteEvent, StatsTable, TestStopEvent,
} from './scenarios/api.js';
export { between, constant, constantPacing } from './engine/user-class.js';
export type { TaskDef, UserClassDef, WaitTime } from './engine/user-class.js';
export { leakFloodClass, sessionChurnClass, SessionLeakTally } from './scenarios/sessions.js';
export type { SessionChurnOptions } from './scenarios/sessions.js';
export { McpHttpClient } from './transports/mcp-http.js';
export type { RpcOutcome } from './transports/mcp-client.js';
export type { McpClient } from './transports/mcp-client.js';
export type { ServerRequestReplies } from './transports/server-messages.js';
export { RestClient } from './transports/rest.js';
export type { RestOutcome } from './transports/rest.js';
export type { ErrorKind, Recorder, SampleError } from './metrics/sample.js';
export { DEFAULT_DENY_RULES, REFUSED_STATUSES, SECURITY_PROBES } from './protocol/sensitive-routes.js';
export type { DenyRule, SecurityProbeRequest } from './protocol/sensitive-routes.js';
import type { ReferenceServerOptions, RunningReferenceServer } from './server/reference-server.js';

/**
 * Starts the reference server. Loaded when called: every scenario file
 * imports this entry, and the server (the MCP SDK's server, zod, ajv) would
 * otherwise be loaded before each run that never starts one.
 */
export async function startReferenceServer(opts: ReferenceServerOptions = {}): Promise<RunningReferenceServer> {
  return (await import('./server/reference-server.js')).startReferenceServer(opts);
}
export type { ReferenceServerOptions, RunningReferenceServer } from './server/reference-server.js';

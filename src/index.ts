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
export { startReferenceServer } from './server/reference-server.js';
export type { ReferenceServerOptions, RunningReferenceServer } from './server/reference-server.js';

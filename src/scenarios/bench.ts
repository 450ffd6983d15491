/**
 * The built-in scenario of `--bench-mode`: like autocannon, every user
 * repeats ONE MCP `tools/call` (add 2+3, the body the peer benchmark sends)
 * with no think time, on its own keep-alive connection, through the lean
 * raw client. Each user first opens a real MCP session (initialize +
 * notifications/initialized, recorded) and ends it with DELETE at the end,
 * so against a real server this is a full MCP session, not a replay.
 * When the server answers 404 on the session (expired, or restarted), the
 * user opens a new session before its next call, as the general client's
 * users do; the 404 call itself counts as failed.
 */
import { fileURLToPath } from 'node:url';
import { RawMcpCaller } from '../transports/raw-http.js';
import type { Scenario, ScenarioEnv, VirtualUser } from './api.js';

export const BENCH_BODY = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}';

/** This file as a scenario path for the loader (bench.js in dist/, bench.ts from source). */
export function benchScenarioFile(): string {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return fileURLToPath(new URL(`./bench${ext}`, import.meta.url));
}

const RAW = 'raw';

/** The headers of the lean client: the run's, the session id and the negotiated version. */
function sessionHeaders(env: ScenarioEnv, user: VirtualUser): Record<string, string> {
  const headers: Record<string, string> = { ...env.headers };
  const sid = user.mcp.sessionId;
  if (sid !== undefined) headers['mcp-session-id'] = sid;
  if (user.mcp.initialized) headers['mcp-protocol-version'] = user.mcp.negotiatedProtocolVersion;
  return headers;
}

/** After a 404 on the session: initialize again (recorded), then call on the new session; no call when that failed. */
async function reopenThenCall(env: ScenarioEnv, user: VirtualUser, raw: RawMcpCaller): Promise<void> {
  if (!(await user.mcp.initialize())) return;
  raw.useHeaders(sessionHeaders(env, user));
  await raw.call();
}

export default function benchScenario(env: ScenarioEnv): Scenario {
  return {
    name: 'bench',
    description: 'one tools/call repeated with no think time (--bench-mode)',
    // A benchmark of failures measures nothing: more than 1 % of them fails the run.
    thresholds: ['error_rate<1%'],
    userClasses: [{
      name: 'Bench',
      tasks: [{
        name: 'tools/call add',
        run: (user: VirtualUser) => {
          const raw = user.data[RAW] as RawMcpCaller;
          return raw.sessionExpired ? reopenThenCall(env, user, raw) : raw.call();
        },
      }],
      async onStart(user: VirtualUser) {
        await user.mcp.initialize();
        user.data[RAW] = new RawMcpCaller({
          url: env.mcpUrl, headers: sessionHeaders(env, user), body: BENCH_BODY, id: 1, recorder: user.recorder,
          type: 'tools/call', name: 'add', timeoutMs: env.timeoutMs, tls: env.tls,
        });
      },
      onStop(user: VirtualUser) {
        (user.data[RAW] as RawMcpCaller | undefined)?.close();
      },
    }],
  };
}

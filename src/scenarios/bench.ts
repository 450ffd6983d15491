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
import { CUT_AT_STOP, nowUs, type Recorder } from '../metrics/sample.js';
import { RawMcpCaller, type RawCallOptions } from '../transports/raw-http.js';
import type { Scenario, ScenarioEnv, VirtualUser } from './api.js';

export const BENCH_BODY = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}';

const RAW = 'raw';

/** The headers of the lean client: the run's, the session id and the negotiated version. */
function sessionHeaders(env: ScenarioEnv, user: VirtualUser): Record<string, string> {
  const headers: Record<string, string> = { ...env.headers };
  const sid = user.mcp.sessionId;
  if (sid !== undefined) headers['mcp-session-id'] = sid;
  if (user.mcp.initialized) headers['mcp-protocol-version'] = user.mcp.negotiatedProtocolVersion;
  // OAuth: the token the user's client obtained in its handshake (renewed only when the session is reopened).
  if (user.mcp.authorization !== undefined) headers.authorization = user.mcp.authorization;
  return headers;
}

/** After a 404 on the session: initialize again (recorded), then call on the new session; no call when that failed. */
async function reopenThenCall(env: ScenarioEnv, user: VirtualUser, bench: BenchCall): Promise<void> {
  if (!(await user.mcp.initialize())) return;
  bench.useHeaders(sessionHeaders(env, user));
  await bench.call();
}

/**
 * The raw caller with the user's stop seen, as the other clients see it
 * (in-flight.ts): a call still waiting when the user is cut is recorded at
 * that moment as cut, with the time it had waited, and what the caller
 * reports afterwards (its socket closed by onStop) is dropped. One listener
 * per user, none per call: this is the hot path.
 */
export class BenchCall {
  private readonly raw: RawMcpCaller;
  /** When the call in flight was sent (nowUs), 0 when none is. */
  private pendingSince = 0;
  private cut = false;

  constructor(opts: Omit<RawCallOptions, 'recorder'>, signal: AbortSignal, recorder: Recorder) {
    const own: Recorder = {
      record: (type, name, latencyUs, bytes, error) => {
        this.pendingSince = 0;
        if (!this.cut) recorder.record(type, name, latencyUs, bytes, error);
      },
      exception: (err, where) => recorder.exception(err, where),
    };
    this.raw = new RawMcpCaller({ ...opts, recorder: own });
    signal.addEventListener('abort', () => {
      this.cut = true;
      if (this.pendingSince !== 0) recorder.record(opts.type, opts.name, nowUs() - this.pendingSince, 0, CUT_AT_STOP);
    }, { once: true });
  }

  /** The server answered 404 on the session: the next call must wait for a new one. */
  get sessionExpired(): boolean {
    return this.raw.sessionExpired;
  }

  useHeaders(headers: Record<string, string>): void {
    this.raw.useHeaders(headers);
  }

  call(): Promise<void> {
    this.pendingSince = nowUs();
    return this.raw.call();
  }

  close(): void {
    this.raw.close();
  }
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
          const bench = user.data[RAW] as BenchCall;
          return bench.sessionExpired ? reopenThenCall(env, user, bench) : bench.call();
        },
      }],
      async onStart(user: VirtualUser) {
        await user.mcp.initialize();
        user.data[RAW] = new BenchCall({
          url: env.mcpUrl, headers: sessionHeaders(env, user), body: BENCH_BODY, id: 1, type: 'tools/call', name: 'add', timeoutMs: env.timeoutMs, tls: env.tls,
        }, user.signal, user.recorder);
      },
      onStop(user: VirtualUser) {
        (user.data[RAW] as BenchCall | undefined)?.close();
      },
    }],
  };
}

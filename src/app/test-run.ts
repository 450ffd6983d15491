/**
 * One load test that can be driven while it runs: start, change the user
 * count, reset stats, stop, and judge. The headless CLI and the web UI both
 * drive this; neither knows about the engine or transports underneath.
 */
import { Runner, type RunnerState } from '../engine/runner.js';
import { Stats } from '../metrics/stats.js';
import type { Snapshot } from '../metrics/snapshot.js';
import { evaluateThresholds, securityResults, type Threshold } from '../metrics/thresholds.js';
import { redactSettings, type RunResult } from '../reporters/json.js';
import type { ScenarioEnv, UserClass, VirtualUser } from '../scenarios/api.js';
import { McpHttpClient } from '../transports/mcp-http.js';
import { RestClient } from '../transports/rest.js';
import { VERSION } from '../version.js';

export type TestRunState = 'ready' | RunnerState;

export interface TestRunConfig {
  scenarioName: string;
  classes: UserClass[];
  thresholds: Threshold[];
  env: ScenarioEnv;
  stopTimeoutMs: number;
  protocolVersion?: string;
  /** What the run was asked to do, for reports (redacted before it is written anywhere). */
  settings: Record<string, unknown>;
}

export class TestRun {
  readonly stats = new Stats();
  readonly config: TestRunConfig;
  private readonly runner: Runner<VirtualUser>;
  private startedAt?: Date;
  private startedMs = 0;
  private endedAt?: Date;
  private readonly ticker: NodeJS.Timeout;
  stopReason?: string;

  constructor(config: TestRunConfig) {
    this.config = config;
    const { env } = config;
    this.runner = new Runner<VirtualUser>({
      classes: config.classes,
      stopTimeoutMs: config.stopTimeoutMs,
      makeContext: ({ id, className, signal }) => ({
        id,
        className,
        signal,
        data: {},
        mcp: new McpHttpClient({
          url: env.mcpUrl, recorder: this.stats, dispatcher: env.dispatcher, timeoutMs: env.timeoutMs,
          protocolVersion: config.protocolVersion, headers: env.headers, signal,
        }),
        rest: new RestClient({
          baseUrl: env.restBaseUrl, recorder: this.stats, dispatcher: env.dispatcher, timeoutMs: env.timeoutMs,
          headers: env.headers, signal,
        }),
      }),
      closeContext: (user) => user.mcp.close(),
      onException: (err, where) => this.stats.exception(err, where),
    });
    // One history row per second, while the run lives (also while stopped, so charts keep their time axis honest).
    this.ticker = setInterval(() => {
      if (this.startedAt && !this.endedAt) this.stats.tick(this.runner.userCount);
    }, 1000);
    this.ticker.unref();
  }

  get state(): TestRunState {
    return this.startedAt ? this.runner.state : 'ready';
  }

  get userCount(): number {
    return this.runner.userCount;
  }

  get targetUsers(): number {
    return this.runner.targetUsers;
  }

  usersByClass(): Record<string, number> {
    return this.runner.usersByClass();
  }

  /** Seconds since start (frozen at the end). */
  get elapsedS(): number {
    if (!this.startedAt) return 0;
    const end = this.endedAt ? this.endedAt.getTime() - this.startedAt.getTime() : performance.now() - this.startedMs;
    return end / 1000;
  }

  start(users: number, spawnRate: number): void {
    if (!this.startedAt) {
      this.startedAt = new Date();
      this.startedMs = performance.now();
    }
    this.runner.start(users, spawnRate);
  }

  /** Changes the user count and spawn rate of a running test. */
  setUsers(users: number, spawnRate: number): void {
    this.runner.setTarget(users, spawnRate);
  }

  resetStats(): void {
    this.stats.reset();
  }

  /** Graceful stop (users get stopTimeoutMs to finish their task); idempotent. */
  async stop(reason: string): Promise<void> {
    this.stopReason ??= reason;
    await this.runner.stop();
    if (!this.endedAt) {
      this.endedAt = new Date();
      this.stats.tick(0);
    }
    clearInterval(this.ticker);
  }

  snapshot(opts?: { history?: boolean }): Snapshot {
    return this.stats.snapshot(opts);
  }

  /** Thresholds and security checks judged on the stats as they are now. */
  result(): RunResult {
    const snapshot = this.stats.snapshot();
    const thresholds = evaluateThresholds(this.config.thresholds, snapshot);
    const security = securityResults(snapshot);
    return {
      tool: 'mcpload',
      version: VERSION,
      settings: redactSettings({ ...this.config.settings, scenario: this.config.scenarioName, host: this.config.env.host }),
      startedAt: (this.startedAt ?? new Date()).toISOString(),
      endedAt: (this.endedAt ?? new Date()).toISOString(),
      snapshot,
      thresholds,
      security,
      passed: thresholds.every((t) => t.passed) && security.every((s) => s.passed),
    };
  }
}

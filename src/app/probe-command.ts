/**
 * `mcpload probe`: every security check once, no load. Opens the target
 * (the embedded reference server when no --host is given), runs the checks
 * one after another with a line per check, prints the failures with their
 * evidence, writes the reports asked for, and returns the exit code: 1 when
 * a check of severity >= --fail-on failed (or gave no verdict), else 0.
 */
import type { ProbeResult } from '../report/probe-result.js';
import type { ReportOptions } from '../reporters/output.js';
import { reportsAskedFor } from '../reporters/outputs.js';
import { formatCheckLine, formatFailures, formatProbeHeader, formatVerdict } from '../reporters/probe-console.js';
import type { Severity } from '../security/check.js';
import { ProbeContext } from '../security/probe-context.js';
import { selectChecks } from '../security/registry.js';
import { blockingFailures, runChecks } from '../security/runner.js';
import { VERSION } from '../version.js';
import type { TlsOptions } from '../transports/tls-options.js';
import type { OAuthOptions } from '../transports/oauth/options.js';
import { obtainAccessToken } from './oauth-token.js';
import { checkReportPaths } from './report-paths.js';
import { writeEach, type ReportJob } from './reports.js';
import { isStatelessRevision } from '../protocol/rev-2026-07-28.js';
import { openTarget } from './target.js';

/** The reports probe writes: those of the registry with a probe form. */
export type ProbeReportOptions = Pick<ReportOptions, 'json' | 'junit' | 'sarif'>;

export interface ProbeCommandOptions extends ProbeReportOptions {
  host?: string;
  authToken?: string;
  authTokenB?: string;
  blockedTools: string[];
  blockedRoutes: string[];
  failOn: Severity;
  aggressive: boolean;
  headers: Record<string, string>;
  requestTimeoutMs: number;
  protocolVersion?: string;
  /** --aggressive: idle wait before the expiry check, and the session cap search limit. */
  idleWaitMs?: number;
  maxProbeSessions?: number;
  /** HTTPS trust and client certificates (--insecure-skip-tls-verify, --ca-cert, --client-cert, --client-key). */
  tls?: TlsOptions;
  /** OAuth 2.1: a token is obtained first (one handshake) and the checks run with it as --auth-token. */
  oauth?: OAuthOptions;
}

export interface ProbeIo {
  out(text: string): void;
  err(text: string): void;
}

export async function runProbe(opts: ProbeCommandOptions, io: ProbeIo): Promise<number> {
  checkReportPaths(opts);
  const target = await openTarget({
    host: opts.host, authToken: opts.authToken, headers: opts.headers, requestTimeoutMs: opts.requestTimeoutMs, tls: opts.tls, oauth: opts.oauth,
    protocolVersion: opts.protocolVersion,
  });
  // The checks probe sessions, a handshake-era thing: against a stateless server they open them with the newest legacy version.
  const stateless = target.protocolVersion !== undefined && isStatelessRevision(target.protocolVersion);
  try {
    const { env } = target;
    const authToken = opts.oauth === undefined ? opts.authToken : await obtainAccessToken(env, stateless ? undefined : target.protocolVersion);
    const ctx = new ProbeContext({
      mcpUrl: env.mcpUrl,
      restBaseUrl: env.restBaseUrl,
      dispatcher: target.dispatcher,
      authToken,
      authTokenB: opts.authTokenB,
      headers: opts.headers,
      blockedTools: opts.blockedTools,
      blockedRoutes: opts.blockedRoutes,
      aggressive: opts.aggressive,
      timeoutMs: opts.requestTimeoutMs,
      protocolVersion: stateless ? undefined : target.protocolVersion,
      idleWaitMs: opts.idleWaitMs,
      maxProbeSessions: opts.maxProbeSessions,
      clientCertificate: opts.tls?.clientCertFile !== undefined,
    });
    const checks = selectChecks({ aggressive: opts.aggressive });
    const where = target.embedded ? `${target.host} (embedded reference server)` : target.host;
    io.out(`mcpload ${VERSION} probe: ${checks.length} checks against ${where}${opts.aggressive ? ' (aggressive)' : ''}\n`);
    if (target.protocolNote !== undefined || stateless) {
      io.out(`${target.protocolNote ?? `protocol ${target.protocolVersion}`}${stateless ? `; the session checks open legacy sessions (${ctx.protocolVersion}), as a dual-era server also serves` : ''}\n`);
    }
    io.out(`\n${formatProbeHeader()}\n`);

    const startedAt = new Date().toISOString();
    const reports = await runChecks(checks, ctx, (report) => io.out(`${formatCheckLine(report)}\n`));
    const endedAt = new Date().toISOString();

    if (await ctx.mcpEndpointMissing()) {
      io.out(`\nnote: ${new URL(env.mcpUrl).pathname} answered 404, so there is no MCP endpoint there: only the REST checks had something to try; ` +
        'if the server speaks MCP at another path, point at it with --host http://HOST:PORT/path/to/mcp\n');
    }
    const blocking = blockingFailures(reports, opts.failOn);
    const failures = formatFailures(reports);
    if (failures) io.out(`${failures}\n`);
    io.out(`\n${formatVerdict(reports, blocking, opts.failOn)}\n`);

    const passed = blocking.length === 0;
    const result: ProbeResult = { tool: 'mcpload', kind: 'probe', version: VERSION, target: target.host, startedAt, endedAt, failOn: opts.failOn, passed, checks: reports };
    const jobs: ReportJob[] = reportsAskedFor(opts).map(({ entry, path }) => ({
      flag: entry.flag,
      path,
      write: async () => {
        const output = await entry.load();
        if (output.writeProbe === undefined) throw new Error(`${entry.flag} has no probe report`);
        await output.writeProbe(path, result, env.mcpUrl);
      },
    }));
    // Each report on its own: one that cannot be written costs no other, and makes the exit code 1.
    const { written, failed } = await writeEach(jobs);
    if (written.length > 0) io.out(`reports: ${written.join(', ')}\n`);
    for (const line of failed) io.err(`error: report not written: ${line}`);
    return passed && failed.length === 0 ? 0 : 1;
  } finally {
    await target.close();
  }
}

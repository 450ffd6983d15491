/**
 * `mcpload run --security`: a SecurityProbe user class that runs the cheap
 * checks again and again beside the load. Each run of a check is one sample
 * of type SECURITY named by the check id, so the stats table shows a row per
 * check and securityResults() fails the run on a single failed attempt.
 *
 * Skipped checks record nothing (they do not apply to this target), a
 * conformance finding records a held attempt (nothing was let through), and
 * neither do checks without a verdict (no reply, the user was stopped): a
 * busy server that times out has not let anything through.
 */
import { between } from '../engine/user-class.js';
import { nowUs, type SampleError } from '../metrics/sample.js';
import { SECURITY_TYPE } from '../metrics/thresholds.js';
import type { ScenarioEnv, UserClass, VirtualUser } from '../scenarios/api.js';
import { isSecurityFailure, type SecurityCheck } from './check.js';
import { ProbeContext } from './probe-context.js';
import { selectChecks } from './registry.js';
import { runCheck } from './runner.js';

export const SECURITY_PROBE_CLASS = 'SecurityProbe';
const DETAIL_CHARS = 120;

export interface SecurityProbeClassOptions {
  /** Share of users, like any class weight; default 1. */
  weight?: number;
  /** Default: every cheap check. */
  checks?: readonly SecurityCheck[];
  protocolVersion?: string;
}

/** Error details must group: hashes and long hex ids are cut out, and the text is kept short. */
export function stableDetail(reason: string): string {
  const text = reason.replace(/\b[0-9a-f]{8,}\b/gi, '…').replace(/\s+/g, ' ').trim();
  return text.length > DETAIL_CHARS ? `${text.slice(0, DETAIL_CHARS - 1)}…` : text;
}

function tokenOf(headers: Record<string, string>): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === 'authorization') return /^Bearer +(\S+)/i.exec(v)?.[1];
  }
  return undefined;
}

function contextFor(env: ScenarioEnv, user: VirtualUser, protocolVersion: string | undefined): ProbeContext {
  return new ProbeContext({
    mcpUrl: env.mcpUrl,
    restBaseUrl: env.restBaseUrl,
    dispatcher: env.dispatcher,
    authToken: tokenOf(env.headers),
    headers: env.headers,
    timeoutMs: env.timeoutMs,
    signal: user.signal,
    ...(protocolVersion ? { protocolVersion } : {}),
  });
}

async function runAsSample(check: SecurityCheck, user: VirtualUser): Promise<void> {
  const ctx = user.data.securityProbe as ProbeContext;
  const start = nowUs();
  const outcome = await runCheck(check, ctx);
  if (outcome.status === 'skipped' || outcome.status === 'error') return;
  // A conformance finding (a refusal with another status code) let nothing through: the protection held.
  const error: SampleError | undefined = isSecurityFailure(check, outcome) ? { kind: 'security', detail: stableDetail(outcome.reason) } : undefined;
  user.recorder.record(SECURITY_TYPE, check.id, nowUs() - start, 0, error);
}

export function securityProbeClass(env: ScenarioEnv, opts: SecurityProbeClassOptions = {}): UserClass {
  const checks = opts.checks ?? selectChecks({ cheapOnly: true });
  return {
    name: SECURITY_PROBE_CLASS,
    weight: opts.weight ?? 1,
    // Paced like a cautious client, so that the probe stays a small part of the load.
    wait: between(0.5, 1.5),
    // One sweep first, so every check has its row even in a short run; then random picks.
    async onStart(user) {
      user.data.securityProbe = contextFor(env, user, opts.protocolVersion);
      for (const check of checks) await runAsSample(check, user);
    },
    tasks: checks.map((check) => ({ name: check.id, tags: ['security'], run: (user: VirtualUser) => runAsSample(check, user) })),
  };
}

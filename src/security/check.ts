/**
 * What a security check is: one small object with an id, a title, a
 * severity, the spec section or RFC it rests on, and `run(ctx)`. The probe
 * runs each once; the SecurityProbe user class runs the cheap ones again and
 * again beside the load.
 */
import type { ProbeContext } from './probe-context.js';

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/**
 * pass: the protection held. fail: it did not. skipped: the check does not
 * apply or lacks an input (the reason says which). error: no verdict, e.g.
 * the server did not answer; counted like a failure by the probe (nothing was
 * shown to hold) but never as a breach under load.
 */
export type CheckStatus = 'pass' | 'fail' | 'skipped' | 'error';

/** One exchange that a verdict rests on; tokens are redacted before it is stored. */
export interface Evidence {
  /** e.g. `POST /mcp [Origin: http://evil.example] {"jsonrpc":"2.0",...}` */
  request: string;
  /** HTTP status; 0 when no response came. */
  status: number;
  /** The start of the reply body (or the network error). */
  body: string;
  /** Interesting reply headers, e.g. WWW-Authenticate. */
  headers?: Record<string, string>;
}

export interface CheckOutcome {
  status: CheckStatus;
  /** Why: what held, what was seen instead, or why the check was skipped. Short and free of ids and tokens. */
  reason: string;
  evidence: Evidence[];
}

export type CheckCategory = 'auth' | 'origin' | 'session' | 'protocol' | 'exposure' | 'metadata' | 'limits';

export interface SecurityCheck {
  /** Stable, dotted: `auth.no-token`, `session.forged-id`. The SECURITY stats row name under load. */
  id: string;
  title: string;
  category: CheckCategory;
  severity: Severity;
  /** The spec section or RFC, e.g. `MCP 2025-11-25 basic/transports §Session Management`. */
  spec: string;
  /** Cheap and harmless enough to repeat under load (the SecurityProbe user class runs these). */
  cheap: boolean;
  /** Runs only with --aggressive (it loads or waits on the server). */
  aggressive?: boolean;
  run(ctx: ProbeContext): Promise<CheckOutcome>;
}

/** A check's outcome with the check's identity, as reporters see it. */
export interface CheckReport {
  id: string;
  title: string;
  category: CheckCategory;
  severity: Severity;
  spec: string;
  status: CheckStatus;
  reason: string;
  evidence: Evidence[];
  durationMs: number;
}

export function pass(reason: string, evidence: Evidence[] = []): CheckOutcome {
  return { status: 'pass', reason, evidence };
}

export function fail(reason: string, evidence: Evidence[] = []): CheckOutcome {
  return { status: 'fail', reason, evidence };
}

export function skip(reason: string, evidence: Evidence[] = []): CheckOutcome {
  return { status: 'skipped', reason, evidence };
}

export function inconclusive(reason: string, evidence: Evidence[] = []): CheckOutcome {
  return { status: 'error', reason, evidence };
}

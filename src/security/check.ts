/**
 * What a security check is: one small object with an id, a title, a
 * severity, the spec section or RFC it rests on, and `run(ctx)`. The probe
 * runs each once; the SecurityProbe user class runs the cheap ones again and
 * again beside the load.
 *
 * A failed check is one of two kinds of finding. `security`: something was
 * let through, or could be (a foreign Origin served, a forged session id
 * answered). `conformance`: the server refused, but not with the status or
 * error code the spec names; it is reported at `info` or `low` with the
 * spec's words, so it never decides the default `--fail-on medium`.
 */
import type { Evidence } from './evidence.js';
import type { ProbeContext } from './probe-context.js';

export type { Evidence } from './evidence.js';

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export type FindingKind = 'security' | 'conformance';

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

export interface CheckOutcome {
  status: CheckStatus;
  /** Why: what held, what was seen instead, or why the check was skipped. Short and free of ids and tokens. */
  reason: string;
  evidence: Evidence[];
  /** Set by `deviates()`: a conformance finding, with its own (low) severity and the spec's words. */
  kind?: FindingKind;
  severity?: Severity;
  quote?: string;
}

export type CheckCategory = 'auth' | 'origin' | 'session' | 'protocol' | 'exposure' | 'metadata' | 'limits';

export interface SecurityCheck {
  /** Stable, dotted: `auth.no-token`, `session.forged-id`. The SECURITY stats row name under load. */
  id: string;
  title: string;
  category: CheckCategory;
  severity: Severity;
  /** What a failure of this check is, unless its outcome says otherwise; default `security`. */
  kind?: FindingKind;
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
  /** The outcome's severity when it set one (a conformance finding), else the check's. */
  severity: Severity;
  /** security or conformance: what this check's failure is (see the file comment). */
  kind: FindingKind;
  spec: string;
  /** The spec's own words, for a conformance finding. */
  quote?: string;
  status: CheckStatus;
  reason: string;
  evidence: Evidence[];
  durationMs: number;
}

/** The kind and severity a check's outcome is reported with. */
export function findingOf(check: SecurityCheck, outcome: CheckOutcome): { kind: FindingKind; severity: Severity } {
  return { kind: outcome.kind ?? check.kind ?? 'security', severity: outcome.severity ?? check.severity };
}

/** A failure that is a security finding (under load, only these break a SECURITY row). */
export function isSecurityFailure(check: SecurityCheck, outcome: CheckOutcome): boolean {
  return outcome.status === 'fail' && findingOf(check, outcome).kind === 'security';
}

export function pass(reason: string, evidence: Evidence[] = []): CheckOutcome {
  return { status: 'pass', reason, evidence };
}

export function fail(reason: string, evidence: Evidence[] = []): CheckOutcome {
  return { status: 'fail', reason, evidence };
}

/**
 * The server refused, or answered correctly, but not with the status or code
 * the spec names: nothing was let through. `quote` is the spec's sentence.
 */
export function deviates(reason: string, quote: string, evidence: Evidence[] = [], severity: Severity = 'low'): CheckOutcome {
  return { status: 'fail', reason, evidence, kind: 'conformance', severity, quote };
}

export function skip(reason: string, evidence: Evidence[] = []): CheckOutcome {
  return { status: 'skipped', reason, evidence };
}

export function inconclusive(reason: string, evidence: Evidence[] = []): CheckOutcome {
  return { status: 'error', reason, evidence };
}

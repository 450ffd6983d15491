/**
 * The security rows of a run judged: a check that let one probe through
 * under load fails the run. Computed from the SECURITY entries and error
 * groups of a snapshot (security/probe-user.ts records them).
 */
import type { Snapshot } from '../metrics/snapshot.js';
import { SECURITY_TYPE } from '../metrics/thresholds.js';

export interface SecurityResult {
  name: string;
  attempts: number;
  failures: number;
  passed: boolean;
  /** The error details seen ("security: GET /admin answered 200 (×3)"). */
  evidence: string[];
}

/** Error groups of a probe that was let through; a probe that got no answer (connect, timeout, cut) judged nothing. */
const LET_THROUGH = 'security: ';

/** One result per SECURITY entry: passed when no probe got through. */
export function securityResults(snapshot: Snapshot): SecurityResult[] {
  return snapshot.entries
    .filter((entry) => entry.type === SECURITY_TYPE)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((entry) => {
      const groups = snapshot.errors.filter((group) => group.type === SECURITY_TYPE && group.name === entry.name && group.error.startsWith(LET_THROUGH));
      const failures = groups.reduce((sum, group) => sum + group.occurrences, 0);
      return {
        name: entry.name,
        attempts: entry.requests,
        failures,
        passed: failures === 0,
        evidence: groups.map((group) => (group.occurrences > 1 ? `${group.error} (×${group.occurrences})` : group.error)),
      };
    });
}

/** Why a security row failed, one line. */
export function securityLine(s: SecurityResult): string {
  return `security check ${s.name}: ${s.failures} of ${s.attempts} attempts let through`;
}

/**
 * Every check, in the order the probe runs them. Order matters in two places:
 * `protocol.still-alive` comes after the hostile requests it vouches for, and
 * `metadata.rug-pull` comes last, so that it compares the final tools/list
 * with the first one seen. Adding a check is one object and one line here.
 */
import type { SecurityCheck } from './check.js';
import { AUTH_CHECKS } from './checks/auth.js';
import { EXPOSURE_CHECKS } from './checks/exposure.js';
import { LIMIT_CHECKS } from './checks/limits.js';
import { hiddenInstructions, rugPull, toolShadowing } from './checks/metadata.js';
import { openOnNetwork } from './checks/network.js';
import { ORIGIN_CHECKS } from './checks/origin.js';
import { PROTOCOL_CHECKS } from './checks/protocol.js';
import { SESSION_CHECKS } from './checks/sessions.js';

export const ALL_CHECKS: readonly SecurityCheck[] = [
  openOnNetwork,
  ...AUTH_CHECKS,
  ...ORIGIN_CHECKS,
  ...SESSION_CHECKS,
  hiddenInstructions,
  toolShadowing,
  ...EXPOSURE_CHECKS,
  ...PROTOCOL_CHECKS,
  ...LIMIT_CHECKS,
  rugPull,
];

export function findCheck(id: string): SecurityCheck | undefined {
  return ALL_CHECKS.find((c) => c.id === id);
}

export interface CheckSelection {
  /** Include the --aggressive ones. */
  aggressive?: boolean;
  /** Only those cheap enough to repeat under load. */
  cheapOnly?: boolean;
}

export function selectChecks(sel: CheckSelection = {}): SecurityCheck[] {
  return ALL_CHECKS.filter((c) => (sel.aggressive || !c.aggressive) && (!sel.cheapOnly || c.cheap));
}

/** The result of `mcpload probe`, the model its reports read (`--json` holds it as it is). */
import type { CheckReport, Severity } from '../security/check.js';

export interface ProbeResult {
  tool: 'mcpload';
  kind: 'probe';
  version: string;
  /** The target as given (or the embedded server's address). */
  target: string;
  startedAt: string;
  endedAt: string;
  failOn: Severity;
  passed: boolean;
  checks: CheckReport[];
}

/**
 * The result of a run, the model every report reads: settings (secrets
 * redacted when written), the full snapshot (mergeable, so saved runs can be
 * combined later), threshold and security outcomes, and the verdict.
 * `notes`, `peakUsers` and `verdict` are always set by runs and merges of
 * this version; they are optional only so that result files written before
 * them still merge.
 */
import type { ProcessUsageReport } from '../metrics/process-usage.js';
import type { Snapshot } from '../metrics/snapshot.js';
import type { SecurityResult } from '../security/verdicts.js';
import type { ThresholdResult } from '../metrics/thresholds.js';
import type { VerdictSummary } from './verdict.js';

export interface RunResult {
  tool: 'mcpload';
  version: string;
  settings: Record<string, unknown>;
  /** ISO 8601. */
  startedAt: string;
  endedAt: string;
  snapshot: Snapshot;
  /** Every rule judged: mcpload's defaults and the scenario's included (`source`, `isDefault`), with what each was computed over (`over`). */
  thresholds: ThresholdResult[];
  security: SecurityResult[];
  passed: boolean;
  droppedIterations?: number;
  /** Open-model runs: raw service times (send to reply); `snapshot` then times each request from its iteration's intended start. */
  serviceSnapshot?: Snapshot;
  /** HTTP replies' time to first byte (send to response headers), per entry; absent when no reply came over HTTP. */
  firstByteSnapshot?: Snapshot;
  /** The scenario's own counts (e.g. the leak flood's accepted and refused sessions), added up across processes. */
  scenarioFigures?: Record<string, number>;
  /** `--stdio` runs: CPU and memory of the server processes, sampled once a second. */
  serverProcesses?: ProcessUsageReport;
  /** The scenario's notes (e.g. which tools discovery skipped and why), as printed before and after the run. */
  notes?: string[];
  /** The highest user count during the run (not the count at the end); summed over processes. */
  peakUsers?: number;
  /** Why the run failed (one line each, empty when it passed) and what it was judged on; see metrics/verdict.ts. */
  verdict?: VerdictSummary;
}

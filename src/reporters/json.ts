/**
 * The machine-readable result of a run: settings (secrets redacted), the full
 * snapshot (mergeable, so saved runs can be combined later), threshold and
 * security outcomes, and the verdict. `notes`, `peakUsers` and `verdict` are
 * always set by runs and merges of this version; they are optional only so
 * that result files written before them still merge.
 */
import { writeReportFile } from './report-file.js';
import type { ProcessUsageReport } from '../metrics/process-usage.js';
import type { Snapshot } from '../metrics/snapshot.js';
import type { SecurityResult, ThresholdResult } from '../metrics/thresholds.js';
import type { VerdictSummary } from '../metrics/verdict.js';

export type { VerdictSummary } from '../metrics/verdict.js';

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


export const REDACTED = '[redacted]';
const SECRET_KEY = /token|password|secret|authorization|api[-_]?key|assertion|private[-_]?key/i;
/** Header names that carry credentials without matching SECRET_KEY. */
const SECRET_HEADER = /^(cookie|set-cookie|proxy-authorization)$/i;
/** "scheme://user:password@host" */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#@]*@/i;

function redactString(value: string): string {
  return value.replace(URL_PASSWORD, `$1${REDACTED}@`);
}

/** "Authorization: Bearer x" style header lines, as given on a command line. */
function redactHeaderLine(line: string): string {
  const colon = line.indexOf(':');
  if (colon <= 0) return line;
  const name = line.slice(0, colon).trim();
  return SECRET_KEY.test(name) || SECRET_HEADER.test(name) ? `${line.slice(0, colon)}: ${REDACTED}` : line;
}

function redactValue(value: unknown, inHeaders: boolean, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return inHeaders ? redactHeaderLine(redactString(value)) : redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, inHeaders, seen));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (SECRET_KEY.test(key) || (inHeaders && SECRET_HEADER.test(key))) out[key] = REDACTED;
    else out[key] = redactValue(inner, /^headers$/i.test(key), seen);
  }
  return out;
}

/**
 * A copy of `settings` with the values of secret-looking keys (token,
 * password, secret, authorization, api key, assertion, private key) replaced by "[redacted]", at any
 * depth; inside `headers` also cookies and "Name: value" header lines, and
 * anywhere the password of a URL.
 */
export function redactSettings(settings: Record<string, unknown>): Record<string, unknown> {
  return redactValue(settings, false, new WeakSet()) as Record<string, unknown>;
}

/** Writes the result as pretty JSON (settings redacted), creating the parent directory; atomic via rename. */
export async function writeJsonReport(file: string, result: RunResult): Promise<void> {
  await writeReportFile(file, `${JSON.stringify({ ...result, settings: redactSettings(result.settings) }, null, 2)}\n`);
}

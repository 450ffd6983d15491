/**
 * `--out json=FILE`: one JSON object per line, per entry and per second (k6's
 * JSON output, at the granularity of the live table): the second's counts and
 * percentiles beside the run's totals so far. Streamed while the run goes.
 */
import type { HistoryRow } from '../metrics/snapshot.js';
import { intervalLinesOutput } from './line-file.js';

/** One line of the file, as a reader parses it. */
export interface IntervalLine {
  /** End of the second, ISO 8601 (`timestamp` as a date). */
  time: string;
  /** End of the second, Unix seconds. */
  timestamp: number;
  intervalS: number;
  users: number;
  /** `''` and `Aggregated` for the row of all entries together. */
  type: string;
  name: string;
  /** Requests and failures that finished in this second. */
  requests: number;
  failures: number;
  requestsPerSec: number;
  failuresPerSec: number;
  /** This second's percentiles ("50" ... "100"), ms; null when it had no requests. */
  percentilesMs: Record<string, number | null>;
  totalRequests: number;
  totalFailures: number;
  totalAvgMs: number;
  totalMinMs: number;
  totalMaxMs: number;
}

/** A history row as one line's object; counts are whole (rates times the interval). */
export function intervalLine(row: HistoryRow): IntervalLine {
  return {
    time: new Date(row.timestamp * 1000).toISOString(),
    timestamp: row.timestamp,
    intervalS: row.intervalS,
    users: row.userCount,
    type: row.type,
    name: row.name,
    requests: Math.round(row.requestsPerSec * row.intervalS),
    failures: Math.round(row.failuresPerSec * row.intervalS),
    requestsPerSec: row.requestsPerSec,
    failuresPerSec: row.failuresPerSec,
    percentilesMs: row.percentilesMs,
    totalRequests: row.totalRequests,
    totalFailures: row.totalFailures,
    totalAvgMs: row.totalAvgMs,
    totalMinMs: row.totalMinMs,
    totalMaxMs: row.totalMaxMs,
  };
}

export const jsonLinesOutput = intervalLinesOutput('json', {
  lines: (rows) => rows.map((row) => `${JSON.stringify(intervalLine(row))}\n`).join(''),
});

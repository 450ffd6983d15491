/**
 * Locust-compatible CSV reports: the same four files, the same headers, so
 * that tools written for Locust's --csv output read ours unchanged.
 */
import { csvField } from './csv-field.js';
import { writeReportFile } from './report-file.js';
import { PERCENTILES, percentileKey } from '../metrics/percentiles.js';
import { statsRows, type StatsRow } from '../metrics/rows.js';
import type { Snapshot } from '../metrics/snapshot.js';
import type { EndOutput } from './output.js';

export { csvField } from './csv-field.js';

const PERCENTILE_HEADERS = PERCENTILES.map((p) => `${percentileKey(p)}%`);

export const STATS_HEADER = [
  'Type', 'Name', 'Request Count', 'Failure Count', 'Median Response Time', 'Average Response Time',
  'Min Response Time', 'Max Response Time', 'Average Content Size', 'Requests/s', 'Failures/s', ...PERCENTILE_HEADERS,
];
export const HISTORY_HEADER = [
  'Timestamp', 'User Count', 'Type', 'Name', 'Requests/s', 'Failures/s', ...PERCENTILE_HEADERS,
  'Total Request Count', 'Total Failure Count', 'Total Median Response Time', 'Total Average Response Time',
  'Total Min Response Time', 'Total Max Response Time', 'Total Average Content Size',
];
export const FAILURES_HEADER = ['Method', 'Name', 'Error', 'Occurrences'];
export const EXCEPTIONS_HEADER = ['Count', 'Message', 'Traceback', 'Nodes'];

/** Locust writes with Python's csv module, whose line ending is CRLF (as RFC 4180). */
const EOL = '\r\n';
const NOT_AVAILABLE = 'N/A';


function csv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join(EOL) + EOL;
}

/** Up to `digits` decimals, no trailing zeros, never exponent notation for our ranges. */
function decimals(value: number, digits: number): string {
  if (!Number.isFinite(value)) return '0';
  return String(Number(value.toFixed(digits)));
}

const ms = (value: number): string => decimals(value, 3);
const rate = (value: number): string => decimals(value, 6);

function statsLine(row: StatsRow): Array<string | number> {
  return [
    row.type, row.name, row.requests, row.failures,
    ms(row.medianMs), ms(row.avgMs), ms(row.minMs), ms(row.maxMs), decimals(row.avgContentSize, 3),
    rate(row.rps), rate(row.fps),
    ...PERCENTILES.map((p) => (row.requests > 0 ? ms(row.percentilesMs[percentileKey(p)] ?? 0) : NOT_AVAILABLE)),
  ];
}

/** PREFIX_stats.csv: one line per (type, name), then Aggregated; rates over the whole run. */
export function statsCsv(snapshot: Snapshot): string {
  const { rows, aggregated } = statsRows(snapshot);
  return csv(STATS_HEADER, [...rows, aggregated].map(statsLine));
}

/** PREFIX_stats_history.csv: the per-tick rows; interval percentiles are N/A when the interval had no requests. */
export function historyCsv(snapshot: Snapshot): string {
  return csv(HISTORY_HEADER, snapshot.history.map((row) => [
    row.timestamp, row.userCount, row.type, row.name, rate(row.requestsPerSec), rate(row.failuresPerSec),
    ...PERCENTILES.map((p) => {
      const value = row.percentilesMs[percentileKey(p)];
      return value === null || value === undefined ? NOT_AVAILABLE : ms(value);
    }),
    row.totalRequests, row.totalFailures, ms(row.totalMedianMs), ms(row.totalAvgMs),
    ms(row.totalMinMs), ms(row.totalMaxMs), decimals(row.totalAvgContentSize, 3),
  ]));
}

/** PREFIX_failures.csv: one line per distinct (type, name, error). */
export function failuresCsv(snapshot: Snapshot): string {
  return csv(FAILURES_HEADER, snapshot.errors.map((e) => [e.type, e.name, e.error, e.occurrences]));
}

/** PREFIX_exceptions.csv: one line per distinct message. */
export function exceptionsCsv(snapshot: Snapshot): string {
  return csv(EXCEPTIONS_HEADER, snapshot.exceptions.map((e) => [e.count, e.message, e.traceback, e.nodes.join(', ')]));
}

/** Extra latency figures of the same requests, each written in the PREFIX_stats.csv layout. */
export interface ExtraLatencies {
  /** PREFIX_first_byte.csv: time to first byte (send to response headers). */
  firstByte?: Snapshot;
  /** PREFIX_service_time.csv: open-model raw service times (send to reply). */
  serviceTime?: Snapshot;
}

/**
 * Writes PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv and
 * PREFIX_exceptions.csv (Locust's four), plus the extra latency files there
 * are figures for, creating the parent directory. Returns the paths.
 */
export async function writeCsvReports(prefix: string, snapshot: Snapshot, extra: ExtraLatencies = {}): Promise<string[]> {
  if (typeof prefix !== 'string' || prefix.trim() === '') throw new Error('CSV prefix is empty (expected e.g. out/run)');
  const files: Array<[string, string]> = [
    [`${prefix}_stats.csv`, statsCsv(snapshot)],
    [`${prefix}_stats_history.csv`, historyCsv(snapshot)],
    [`${prefix}_failures.csv`, failuresCsv(snapshot)],
    [`${prefix}_exceptions.csv`, exceptionsCsv(snapshot)],
  ];
  if (extra.firstByte) files.push([`${prefix}_first_byte.csv`, statsCsv(extra.firstByte)]);
  if (extra.serviceTime) files.push([`${prefix}_service_time.csv`, statsCsv(extra.serviceTime)]);
  // Each file atomic (never half written); one after another, so the first failure stops the rest.
  for (const [path, text] of files) await writeReportFile(path, text);
  return files.map(([path]) => path);
}

/** `--csv PREFIX`: Locust's four files, and the time to first byte and open-model service times when the run has them. */
export const csvReport: EndOutput = {
  name: 'csv', flag: '--csv', mode: 'end',
  write: (prefix, result) => writeCsvReports(prefix, result.snapshot, { firstByte: result.firstByteSnapshot, serviceTime: result.serviceSnapshot }),
};

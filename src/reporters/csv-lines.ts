/**
 * `--out csv=FILE`: the `--out json` lines as CSV rows (a header, then one row
 * per entry per second), streamed while the run goes.
 */
import { PERCENTILES, percentileKey } from '../metrics/percentiles.js';
import { csvField } from './csv-field.js';
import { intervalLine } from './json-lines.js';
import { intervalLinesOutput } from './line-file.js';

const EOL = '\r\n';

export const INTERVAL_CSV_HEADER = [
  'Time', 'Timestamp', 'Interval (s)', 'User Count', 'Type', 'Name', 'Requests', 'Failures', 'Requests/s', 'Failures/s',
  ...PERCENTILES.map((p) => `${percentileKey(p)}%`),
  'Total Requests', 'Total Failures', 'Total Average (ms)', 'Total Min (ms)', 'Total Max (ms)',
];

export const csvLinesOutput = intervalLinesOutput('csv', {
  header: INTERVAL_CSV_HEADER.join(',') + EOL,
  lines: (rows) => rows.map((row) => {
    const line = intervalLine(row);
    return [
      line.time, line.timestamp, line.intervalS, line.users, line.type, line.name, line.requests, line.failures,
      line.requestsPerSec, line.failuresPerSec,
      // N/A for a second without requests, as Locust's history CSV writes it.
      ...PERCENTILES.map((p) => line.percentilesMs[percentileKey(p)] ?? 'N/A'),
      line.totalRequests, line.totalFailures, line.totalAvgMs, line.totalMinMs, line.totalMaxMs,
    ].map(csvField).join(',') + EOL;
  }).join(''),
});

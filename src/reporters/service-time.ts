/**
 * Open-model runs report two latencies per request: from the iteration's
 * intended start (what a user arriving on schedule saw; coordinated omission
 * corrected) and the raw service time (send to reply). This table puts them
 * side by side; a wide gap means requests waited for a free user or a late
 * schedule, i.e. the system (or the generator) fell behind.
 */
import { statsRows, type StatsRow } from '../metrics/rows.js';
import type { Snapshot } from '../metrics/snapshot.js';
import { clean, formatMs, padEnd, padStart } from './text.js';

const SHOWN = [50, 95, 99, 100] as const;

function cells(row: StatsRow | undefined): string[] {
  return SHOWN.map((p) => (row && row.requests > 0 ? formatMs(row.percentilesMs[String(p)] ?? 0) : 'N/A'));
}

/** "Latency from intended start vs service time (ms)" table, Aggregated last. */
export function formatLatencyComparison(corrected: Snapshot, service: Snapshot): string {
  const a = statsRows(corrected);
  const b = statsRows(service);
  const byKey = new Map(b.rows.map((row) => [`${row.type}\u0000${row.name}`, row]));
  const typeWidth = Math.min(26, Math.max(8, ...a.rows.map((r) => clean(r.type).length)));
  const nameWidth = Math.min(40, Math.max(10, ...a.rows.map((r) => clean(r.name).length)));
  const header = `${padEnd('Type', typeWidth)} ${padEnd('Name', nameWidth)} |`
    + SHOWN.map((p) => padStart(`p${p}`, 8)).join('') + ' |' + SHOWN.map((p) => padStart(`p${p}`, 8)).join('');
  const line = (row: StatsRow, other: StatsRow | undefined): string =>
    `${padEnd(clean(row.type), typeWidth)} ${padEnd(clean(row.name), nameWidth)} |`
    + cells(row).map((c) => padStart(c, 8)).join('') + ' |' + cells(other).map((c) => padStart(c, 8)).join('');
  const separator = '-'.repeat(header.length);
  const title = `${padEnd('Latency (ms)', typeWidth + nameWidth + 2)} |${padStart('from intended start', 32)} |${padStart('service time', 32)}`;
  return [
    title,
    header,
    separator,
    ...a.rows.map((row) => line(row, byKey.get(`${row.type}\u0000${row.name}`))),
    separator,
    line(a.aggregated, b.aggregated),
  ].join('\n');
}

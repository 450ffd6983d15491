/**
 * Two latency figures of the same requests, side by side per entry:
 * - open-model runs: from the iteration's intended start (what a user
 *   arriving on schedule saw; coordinated omission corrected) vs the raw
 *   service time (send to reply). A wide gap means requests waited for a
 *   free user or a late schedule: the system (or the generator) fell behind.
 * - HTTP replies: time to first byte (send to response headers) vs the full
 *   reply. For SSE replies the gap is the call itself streaming; for JSON
 *   replies it is the server buffering the whole answer.
 */
import { statsRows, type StatsRow } from '../metrics/rows.js';
import type { Snapshot } from '../metrics/snapshot.js';
import { clean, formatMs, padEnd, padStart } from './text.js';

const SHOWN = [50, 95, 99, 100] as const;
const COLUMN = 8;
const GROUP_WIDTH = SHOWN.length * COLUMN;

function cells(row: StatsRow | undefined): string[] {
  return SHOWN.map((p) => (row && row.requests > 0 ? formatMs(row.percentilesMs[String(p)] ?? 0) : 'N/A'));
}

const keyOf = (row: { type: string; name: string }): string => `${row.type}\u0000${row.name}`;

/** Rows of `left` (Aggregated last), each beside its entry in `right`. */
function formatSideBySide(left: Snapshot, right: Snapshot, leftTitle: string, rightTitle: string): string {
  const a = statsRows(left);
  const b = statsRows(right);
  const byKey = new Map(b.rows.map((row) => [keyOf(row), row]));
  const typeWidth = Math.min(26, Math.max(8, ...a.rows.map((r) => clean(r.type).length)));
  const nameWidth = Math.min(40, Math.max(10, ...a.rows.map((r) => clean(r.name).length)));
  const group = SHOWN.map((p) => padStart(`p${p}`, COLUMN)).join('');
  const header = `${padEnd('Type', typeWidth)} ${padEnd('Name', nameWidth)} |${group} |${group}`;
  const line = (row: StatsRow, other: StatsRow | undefined): string =>
    `${padEnd(clean(row.type), typeWidth)} ${padEnd(clean(row.name), nameWidth)} |`
    + cells(row).map((c) => padStart(c, COLUMN)).join('') + ' |' + cells(other).map((c) => padStart(c, COLUMN)).join('');
  const separator = '-'.repeat(header.length);
  const title = `${padEnd('Latency (ms)', typeWidth + nameWidth + 1)} |${padStart(leftTitle, GROUP_WIDTH)} |${padStart(rightTitle, GROUP_WIDTH)}`;
  return [
    title,
    header,
    separator,
    ...a.rows.map((row) => line(row, byKey.get(keyOf(row)))),
    separator,
    line(a.aggregated, b.aggregated),
  ].join('\n');
}

/** Open model: "from intended start" vs "service time". */
export function formatLatencyComparison(corrected: Snapshot, service: Snapshot): string {
  return formatSideBySide(corrected, service, 'from intended start', 'service time');
}

/**
 * HTTP replies: time to first byte vs the full reply. `fullReply` should be
 * timed from the send too (the service times in open-model runs), so both
 * figures start at the same instant. Only entries with both figures are
 * shown, and each Aggregated row is over those entries alone.
 */
export function formatFirstByteComparison(firstByte: Snapshot, fullReply: Snapshot): string {
  // The entries both have, so that the two Aggregated rows are over the same requests.
  const full = new Set(fullReply.entries.map(keyOf));
  const measured = new Set(firstByte.entries.filter((e) => full.has(keyOf(e))).map(keyOf));
  const only = (snapshot: Snapshot): Snapshot => ({ ...snapshot, entries: snapshot.entries.filter((e) => measured.has(keyOf(e))) });
  return formatSideBySide(only(firstByte), only(fullReply), 'time to first byte', 'full reply');
}

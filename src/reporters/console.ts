/**
 * Console output in Locust's headless layout: the live stats table printed
 * while a run goes on, and the final summary (stats, percentiles, errors,
 * exceptions, thresholds, security checks, verdict).
 */
import { PERCENTILES, percentileKey } from '../metrics/percentiles.js';
import { statsRows, type StatsRow } from '../metrics/rows.js';
import type { Snapshot } from '../metrics/snapshot.js';
import type { SecurityResult } from '../security/verdicts.js';
import type { ThresholdResult, ThresholdSource } from '../metrics/thresholds.js';
import { cutCount } from '../metrics/verdict.js';
import type { VerdictSummary } from '../report/verdict.js';
import { clean, formatDuration, formatMs, padEnd, padEndMiddle, padStart, plural, shortenMiddle, truncate } from './text.js';

/** Widest line the tables aim for. */
export const MAX_TABLE_WIDTH = 130;
const MIN_TYPE_WIDTH = 8;
const MAX_TYPE_WIDTH = 26;
const MIN_NAME_WIDTH = 10;
/** Names wider than the table allows are shortened in the middle; the column widens (up to this) only when that would make two rows read alike. */
const MAX_NAME_WIDTH = 120;
/** Width of everything right of the name column in the stats table: " # reqs  # fails |  Avg  Min  Max  Med |  req/s failures/s". */
const STATS_FIXED_WIDTH = 1 + 7 + 1 + 12 + 2 + 7 + 1 + 7 + 1 + 7 + 7 + 3 + 7 + 1 + 11;
/** Right of the name in the percentile table: 8 for 50%, 6 for each other percentile and # reqs, each after a space. */
const PERCENTILE_FIXED_WIDTH = 1 + 8 + PERCENTILES.length * 7;

interface Columns {
  type: number;
  name: number;
}

function columnsFor(rows: readonly StatsRow[], fixedWidth: number): Columns {
  const longestType = Math.max(0, ...rows.map((row) => clean(row.type).length));
  const type = Math.min(Math.max(longestType, MIN_TYPE_WIDTH), MAX_TYPE_WIDTH);
  const names = rows.map((row) => `${clean(row.type)}\u0000${clean(row.name)}`);
  const longestName = Math.max('Aggregated'.length, ...rows.map((row) => clean(row.name).length));
  let name = Math.max(MIN_NAME_WIDTH, Math.min(longestName, MAX_TABLE_WIDTH - type - 1 - fixedWidth));
  // Seven resources whose URIs differ only after 29 characters must not print as seven equal rows.
  const distinct = new Set(names).size;
  while (name < Math.min(longestName, MAX_NAME_WIDTH) && new Set(rows.map((row) => `${clean(row.type)}\u0000${shortenMiddle(clean(row.name), name)}`)).size < distinct) {
    name += 1;
  }
  return { type, name };
}

function failCell(row: StatsRow): string {
  const ratio = row.requests > 0 ? (row.failures / row.requests) * 100 : 0;
  return `${row.failures}(${ratio.toFixed(2)}%)`;
}

function statsLine(row: StatsRow, cols: Columns, current: boolean): string {
  const rps = current ? row.currentRps : row.rps;
  const fps = current ? row.currentFps : row.fps;
  return `${padEnd(clean(row.type), cols.type)} ${padEndMiddle(clean(row.name), cols.name)} `
    + `${padStart(String(row.requests), 7)} ${padStart(failCell(row), 12)} |`
    + `${padStart(formatMs(row.avgMs), 7)} ${padStart(formatMs(row.minMs), 7)} ${padStart(formatMs(row.maxMs), 7)}`
    + `${padStart(formatMs(row.medianMs), 7)} | ${padStart(rps.toFixed(2), 7)} ${padStart(fps.toFixed(2), 11)}`;
}

/** Locust's stats table; `current` picks windowed rates (live) or whole-run rates (summary). */
function statsTable(rows: readonly StatsRow[], aggregated: StatsRow, current: boolean): string[] {
  const cols = columnsFor(rows, STATS_FIXED_WIDTH);
  const header = `${padEnd('Type', cols.type)} ${padEnd('Name', cols.name)} ${padStart('# reqs', 7)} ${padStart('# fails', 12)} |`
    + `${padStart('Avg', 7)} ${padStart('Min', 7)} ${padStart('Max', 7)}${padStart('Med', 7)} | ${padStart('req/s', 7)} ${padStart('failures/s', 11)}`;
  const separator = ['-'.repeat(cols.type), '-'.repeat(cols.name), '-'.repeat(7), '-'.repeat(13),
    '-'.repeat(7), '-'.repeat(7), '-'.repeat(7), '-'.repeat(7), '-'.repeat(8), '-'.repeat(11)].join('|');
  return [
    header,
    separator,
    ...rows.map((row) => statsLine(row, cols, current)),
    separator,
    statsLine(aggregated, cols, current),
  ];
}

function percentileTable(rows: readonly StatsRow[], aggregated: StatsRow): string[] {
  const cols = columnsFor(rows, PERCENTILE_FIXED_WIDTH);
  const cells = (values: string[], reqs: string): string =>
    values.map((value, i) => padStart(value, i === 0 ? 8 : 6)).join(' ') + ` ${padStart(reqs, 6)}`;
  const line = (row: StatsRow): string =>
    `${padEnd(clean(row.type), cols.type)} ${padEndMiddle(clean(row.name), cols.name)} `
    + cells(PERCENTILES.map((p) => (row.requests > 0 ? formatMs(row.percentilesMs[percentileKey(p)] ?? 0) : 'N/A')), String(row.requests));
  const header = `${padEnd('Type', cols.type)} ${padEnd('Name', cols.name)} `
    + cells(PERCENTILES.map((p) => `${percentileKey(p)}%`), '# reqs');
  const separator = ['-'.repeat(cols.type), '-'.repeat(cols.name), '-'.repeat(8), ...PERCENTILES.map(() => '-'.repeat(6))].join('|');
  return [
    'Response time percentiles (approximated, ms)',
    header,
    separator,
    ...rows.map(line),
    separator,
    line(aggregated),
  ];
}

/** The table printed every few seconds during a headless run, with a status line under it. */
export function formatLiveTable(snapshot: Snapshot, info: LiveInfo): string {
  return formatLiveRows(statsRows(snapshot), info);
}

export interface LiveInfo {
  elapsedS: number;
  totalS?: number;
  users: number;
  state?: string;
}

/** `formatLiveTable` from rows already computed (e.g. `Stats.liveRows()`, which skips the snapshot round trip). */
export function formatLiveRows(table: { rows: readonly StatsRow[]; aggregated: StatsRow }, info: LiveInfo): string {
  const { rows, aggregated } = table;
  const elapsed = info.totalS !== undefined
    ? `elapsed ${formatDuration(info.elapsedS)} / ${formatDuration(info.totalS)}`
    : `elapsed ${formatDuration(info.elapsedS)}`;
  const status = [elapsed, `users ${info.users}`];
  if (info.state) status.push(`state ${clean(info.state)}`);
  return [...statsTable(rows, aggregated, true), '', status.join(' · ')].join('\n');
}

function errorReport(snapshot: Snapshot): string[] {
  if (snapshot.errors.length === 0) return [];
  const typeWidth = Math.min(Math.max(MIN_TYPE_WIDTH, ...snapshot.errors.map((e) => clean(e.type).length)), MAX_TYPE_WIDTH);
  const nameWidth = Math.min(Math.max(MIN_NAME_WIDTH, ...snapshot.errors.map((e) => clean(e.name).length)), 40);
  const errorWidth = Math.max(20, MAX_TABLE_WIDTH - 18 - typeWidth - nameWidth - 3);
  const separator = `${'-'.repeat(18)}|${'-'.repeat(typeWidth)}|${'-'.repeat(nameWidth)}|${'-'.repeat(errorWidth)}`;
  return [
    'Error report',
    `${padEnd('# occurrences', 18)} ${padEnd('Type', typeWidth)} ${padEnd('Name', nameWidth)} Error`,
    separator,
    ...snapshot.errors.map((e) =>
      // The whole text is in CSV, JSON and HTML; here both ends stay (the end often says why).
      `${padEnd(String(e.occurrences), 18)} ${padEnd(clean(e.type), typeWidth)} ${padEndMiddle(clean(e.name), nameWidth)} ${shortenMiddle(clean(e.error), errorWidth)}`),
    separator,
  ];
}

function exceptionReport(snapshot: Snapshot): string[] {
  if (snapshot.exceptions.length === 0) return [];
  const lines = ['Exceptions', `${padEnd('# count', 9)} Message`, `${'-'.repeat(9)}|${'-'.repeat(60)}`];
  for (const group of snapshot.exceptions) {
    lines.push(`${padEnd(String(group.count), 9)} ${shortenMiddle(clean(group.message), MAX_TABLE_WIDTH - 10)}`);
    for (const frame of group.traceback.split('\n')) lines.push(`${' '.repeat(10)}${truncate(clean(frame), MAX_TABLE_WIDTH - 10)}`);
  }
  return lines;
}

const SOURCE_TAG: Record<ThresholdSource, string> = { mcpload: '[mcpload default]', scenario: '[scenario default]', user: '' };

function thresholdReport(thresholds: readonly ThresholdResult[]): string[] {
  if (thresholds.length === 0) return [];
  return ['Thresholds', ...thresholds.map((t) => {
    const over = t.over ? ` over ${clean(t.over)}` : '';
    const tag = SOURCE_TAG[t.source ?? 'user'];
    return `  ${t.passed ? '✓' : '✗'} ${clean(t.expr)}  ${clean(t.detail)}${over}${tag ? `  ${tag}` : ''}`;
  })];
}

function securityReport(security: readonly SecurityResult[]): string[] {
  if (security.length === 0) return [];
  const lines = ['Security checks'];
  for (const check of security) {
    const counts = `${plural(check.attempts, 'attempt')}, ${check.failures} let through`;
    lines.push(`  ${check.passed ? '✓ pass' : '✗ FAIL'} ${clean(check.name)}  (${counts})`);
    if (!check.passed) for (const evidence of check.evidence) lines.push(`      ${truncate(clean(evidence), MAX_TABLE_WIDTH - 6)}`);
  }
  return lines;
}

/** "PASSED", or "FAILED: 2 thresholds, 1 security check" (and "requests never answered", see verdict.ts stuckLines). */
export function verdict(thresholds: readonly ThresholdResult[], security: readonly SecurityResult[], stuck = 0): string {
  const failedThresholds = thresholds.filter((t) => !t.passed).length;
  const failedChecks = security.filter((s) => !s.passed).length;
  if (failedThresholds === 0 && failedChecks === 0 && stuck === 0) return 'PASSED';
  const parts: string[] = [];
  if (failedThresholds > 0) parts.push(plural(failedThresholds, 'threshold'));
  if (failedChecks > 0) parts.push(plural(failedChecks, 'security check'));
  if (stuck > 0) parts.push('requests never answered');
  return `FAILED: ${parts.join(', ')}`;
}

/** "error_rate<1%, checks==100%, exceptions==0 (mcpload's defaults); p(95)<500 (the scenario's); ... 4 security checks". */
export function judgedOn(thresholds: readonly ThresholdResult[], security: readonly SecurityResult[]): string {
  const groups: Array<[ThresholdSource, string]> = [['mcpload', "mcpload's defaults"], ['scenario', "the scenario's"], ['user', 'yours']];
  const parts: string[] = [];
  for (const [source, label] of groups) {
    const exprs = thresholds.filter((t) => (t.source ?? 'user') === source).map((t) => clean(t.expr));
    if (exprs.length > 0) parts.push(`${exprs.join(', ')} (${label})`);
  }
  if (security.length > 0) parts.push(plural(security.length, 'security check'));
  return `Verdict judged on: ${parts.length > 0 ? parts.join('; ') : 'nothing (no rule, no security check)'}`;
}

/**
 * The summary's last lines: what the verdict was judged on, PASSED or FAILED,
 * and one line per reason it failed (a failed run never reads PASSED).
 */
export function verdictLines(
  thresholds: readonly ThresholdResult[], security: readonly SecurityResult[], summary?: VerdictSummary, exitCode?: number,
): string[] {
  const lines = [judgedOn(thresholds, security)];
  if (summary?.abortedBy !== undefined) lines.push(`Stopped early: threshold ${clean(summary.abortedBy)} crossed (abortOnFail)`);
  const head = verdict(thresholds, security, summary?.stuck ?? 0);
  lines.push(exitCode !== undefined && exitCode !== (head === 'PASSED' ? 0 : 1) ? `${head} (exit code ${exitCode}, as --exit-code-on-error asks)` : head);
  const failures = summary?.failures
    ?? [...thresholds.filter((t) => !t.passed).map((t) => `${t.expr}: ${t.detail}`), ...security.filter((c) => !c.passed).map((c) => `security check ${c.name}`)];
  for (const failure of failures) lines.push(`  ✗ ${shortenMiddle(clean(failure), 400)}`);
  return lines;
}

/** The end-of-run report. Sections with nothing to say are left out. */
export function formatSummary(
  snapshot: Snapshot,
  thresholds: ThresholdResult[],
  security: SecurityResult[],
  extra: { droppedIterations?: number; verdict?: VerdictSummary; exitCode?: number } = {},
): string {
  const { rows, aggregated } = statsRows(snapshot);
  const sections: string[][] = [
    statsTable(rows, aggregated, false),
    percentileTable(rows, aggregated),
    errorReport(snapshot),
    exceptionReport(snapshot),
    thresholdReport(thresholds),
    securityReport(security),
  ];
  if (extra.droppedIterations !== undefined && extra.droppedIterations > 0) {
    sections.push([`Dropped iterations: ${extra.droppedIterations} (the load generator could not start them on time)`]);
  }
  const cut = cutCount(snapshot);
  if (cut > 0) {
    sections.push([`Cut at the stop: ${plural(cut, 'request')} ${cut === 1 ? 'was' : 'were'} still waiting for a reply when the run stopped `
      + '(counted as failures of kind cut, left out of error_rate; their latency is the time they had waited)']);
  }
  sections.push(verdictLines(thresholds, security, extra.verdict, extra.exitCode));
  return sections.filter((lines) => lines.length > 0).map((lines) => lines.join('\n')).join('\n\n');
}

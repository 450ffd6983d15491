/**
 * Turns metric snapshots and run results into the JSON the web UI and the
 * HTML report draw (see view-model.ts). Pure functions: no I/O, no clocks.
 */
import { statsRows, type StatsRow } from '../metrics/rows.js';
import { AGGREGATED_NAME, type HistoryRow, type Snapshot } from '../metrics/snapshot.js';
import { parseThreshold, SECURITY_TYPE, type Threshold, type ThresholdResult } from '../metrics/thresholds.js';
import type { SecurityResult } from '../security/verdicts.js';
import type { RunResult } from './run-result.js';
import type { Comparison } from './comparison.js';
import type { UserClass } from '../scenarios/api.js';
import {
  entryId, type ClassRatio, type ErrorView, type ExceptionView, type ReportData, type RowView, type SecurityView,
  type SeriesPoint, type ThresholdView,
} from './view-model.js';

/** The report carries per-entry series only up to this many history rows (bigger runs keep the total series). */
export const MAX_REPORT_ENTRY_ROWS = 150_000;

function isAggregated(row: { type: string; name: string }): boolean {
  return row.type === '' && row.name === AGGREGATED_NAME;
}

/** A history row as one chart point. */
export function seriesPoint(row: HistoryRow): SeriesPoint {
  const p = row.percentilesMs;
  return [row.timestamp, row.requestsPerSec, row.failuresPerSec, p['50'] ?? null, p['95'] ?? null, p['99'] ?? null, row.userCount];
}

/** The Aggregated rows of a history as chart points, oldest first. */
export function aggregatedSeries(history: readonly HistoryRow[]): SeriesPoint[] {
  return history.filter(isAggregated).map(seriesPoint);
}

/** The latest point of every entry in `history` (Aggregated included), by entry id. */
export function latestPoints(history: readonly HistoryRow[]): Map<string, SeriesPoint> {
  const latest = new Map<string, SeriesPoint>();
  for (const row of history) latest.set(entryId(row.type, row.name), seriesPoint(row));
  return latest;
}

/** Which thresholds look at a row: those naming it, and the unselected ones on the Aggregated row. */
function thresholdsFor(row: { type: string; name: string }, thresholds: readonly Threshold[]): string[] {
  const out: string[] = [];
  for (const t of thresholds) {
    const { type, name } = t.selector;
    if (type === undefined && name === undefined) {
      if (isAggregated(row)) out.push(t.expr);
    } else if ((type === undefined || type === row.type) && (name === undefined || name === row.name)) {
      out.push(t.expr);
    }
  }
  return out;
}

function rowView(row: StatsRow, thresholds: readonly Threshold[], last: Map<string, SeriesPoint>): RowView {
  const view: RowView = {
    type: row.type,
    name: row.name,
    requests: row.requests,
    failures: row.failures,
    medianMs: row.medianMs,
    avgMs: row.avgMs,
    minMs: row.minMs,
    maxMs: row.maxMs,
    p90Ms: row.percentilesMs['90'] ?? 0,
    p95Ms: row.percentilesMs['95'] ?? 0,
    p99Ms: row.percentilesMs['99'] ?? 0,
    avgContentSize: row.avgContentSize,
    currentRps: row.currentRps,
    currentFps: row.currentFps,
    rps: row.rps,
    fps: row.fps,
  };
  if (row.type === SECURITY_TYPE) view.security = true;
  const marks = thresholdsFor(row, thresholds);
  if (marks.length > 0) view.thresholds = marks;
  const point = last.get(entryId(row.type, row.name));
  if (point) view.last = point;
  return view;
}

export interface TableView {
  rows: RowView[];
  aggregated: RowView;
}

/**
 * The statistics table of a snapshot.
 * @param last latest interval points by entry id (from `latestPoints`), for live per-entry charts.
 */
export function tableView(snapshot: Snapshot, thresholds: readonly Threshold[], last = new Map<string, SeriesPoint>(), now?: number): TableView {
  return tableViewOf(statsRows(snapshot, now === undefined ? {} : { now }), thresholds, last);
}

/** `tableView` from rows already computed (e.g. `Stats.liveRows()`, which skips the snapshot round trip). */
export function tableViewOf(table: { rows: readonly StatsRow[]; aggregated: StatsRow }, thresholds: readonly Threshold[], last = new Map<string, SeriesPoint>()): TableView {
  return { rows: table.rows.map((row) => rowView(row, thresholds, last)), aggregated: rowView(table.aggregated, thresholds, last) };
}

/**
 * Adds each entry's time to first byte (from the first-byte stats of the same
 * run) to its row; the Aggregated row gets the first bytes of all entries.
 */
export function withFirstBytes(table: TableView, firstBytes: { rows: readonly StatsRow[]; aggregated: StatsRow }): TableView {
  if (firstBytes.rows.length === 0) return table;
  const byKey = new Map(firstBytes.rows.map((row) => [entryId(row.type, row.name), row]));
  const add = (view: RowView, row: StatsRow | undefined): RowView => (row === undefined || row.requests === 0
    ? view
    : { ...view, firstByteMedianMs: row.medianMs, firstByteP95Ms: row.percentilesMs['95'] ?? 0 });
  return {
    rows: table.rows.map((view) => add(view, byKey.get(entryId(view.type, view.name)))),
    aggregated: add(table.aggregated, firstBytes.aggregated),
  };
}

export function errorViews(snapshot: Snapshot): ErrorView[] {
  return snapshot.errors.map(({ type, name, error, occurrences }) => ({ type, name, error, occurrences }));
}

export function exceptionViews(snapshot: Snapshot): ExceptionView[] {
  return snapshot.exceptions.map(({ message, traceback, count }) => ({ message, traceback, count }));
}

export function thresholdViews(results: readonly ThresholdResult[]): ThresholdView[] {
  return results.map(({ expr, passed, actual, detail, source, over }) => ({
    expr, passed, actual, detail, ...(source !== undefined ? { source } : {}), ...(over !== undefined ? { over } : {}),
  }));
}

/** The most users in a run: recorded by the run, else read from its history (results written before it was recorded). */
export function peakUsersOf(result: Pick<RunResult, 'peakUsers' | 'snapshot'>): number {
  let peak = result.peakUsers ?? 0;
  for (const row of result.snapshot.history) if (row.userCount > peak) peak = row.userCount;
  return peak;
}

export function securityViews(results: readonly SecurityResult[]): SecurityView[] {
  return results.map(({ name, attempts, failures, passed, evidence }) => ({ name, attempts, failures, passed, evidence: [...evidence] }));
}

/** User classes with their share of the users and their tasks' share of picks (Locust's "current ratio"). */
export function classRatios(available: readonly UserClass[], selected: ReadonlySet<string>, users: Record<string, number>): ClassRatio[] {
  const weighted = available.filter((c) => selected.has(c.name) && c.fixedCount === undefined);
  const totalWeight = weighted.reduce((sum, c) => sum + (c.weight ?? 1), 0);
  return available.map((c) => {
    const taskWeight = c.tasks.reduce((sum, t) => sum + (t.weight ?? 1), 0);
    const ratio: ClassRatio = {
      name: c.name,
      weight: c.weight ?? 1,
      share: selected.has(c.name) && c.fixedCount === undefined && totalWeight > 0 ? (c.weight ?? 1) / totalWeight : 0,
      tasks: c.tasks.map((t) => ({ name: t.name, weight: t.weight ?? 1, share: taskWeight > 0 ? (t.weight ?? 1) / taskWeight : 0 })),
      users: users[c.name] ?? 0,
      selected: selected.has(c.name),
    };
    if (c.fixedCount !== undefined) ratio.fixedCount = c.fixedCount;
    return ratio;
  });
}

/** Per-entry chart series from a history (every entry but Aggregated), by entry id. */
export function entrySeries(history: readonly HistoryRow[]): Record<string, SeriesPoint[]> {
  const out: Record<string, SeriesPoint[]> = {};
  for (const row of history) {
    if (isAggregated(row)) continue;
    (out[entryId(row.type, row.name)] ??= []).push(seriesPoint(row));
  }
  return out;
}

/** The points of one entry in a history. */
export function seriesOf(history: readonly HistoryRow[], type: string, name: string): SeriesPoint[] {
  return history.filter((row) => row.type === type && row.name === name).map(seriesPoint);
}

/** The thresholds of a result, parsed back from their text (to mark the rows they look at). */
function parsedThresholds(results: readonly ThresholdResult[]): Threshold[] {
  const out: Threshold[] = [];
  for (const { expr } of results) {
    try {
      out.push(parseThreshold(expr));
    } catch {
      // A result read from elsewhere may hold an expression this version does not know: it just marks no row.
    }
  }
  return out;
}

/** Everything the offline report shows, from a finished (or running) test's result. */
/** @param baseline the comparison with `run --baseline`'s result, drawn beside the run's figures. */
export function reportData(result: RunResult, baseline?: Comparison): ReportData {
  const { snapshot } = result;
  const thresholds = parsedThresholds(result.thresholds);
  const full = tableView(snapshot, thresholds, new Map(), snapshot.takenAt);
  const table = result.firstByteSnapshot ? withFirstBytes(full, statsRows(result.firstByteSnapshot, { now: snapshot.takenAt })) : full;
  const started = Date.parse(result.startedAt);
  const ended = Date.parse(result.endedAt);
  const settings = result.settings;
  return {
    version: result.version,
    scenario: typeof settings.scenario === 'string' ? settings.scenario : '',
    host: typeof settings.host === 'string' ? settings.host : '',
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    durationS: Number.isFinite(ended - started) ? Math.max(0, (ended - started) / 1000) : 0,
    passed: result.passed,
    peakUsers: peakUsersOf(result),
    notes: result.notes ?? [],
    settings,
    rows: table.rows,
    aggregated: table.aggregated,
    errors: errorViews(snapshot),
    exceptions: exceptionViews(snapshot),
    thresholds: thresholdViews(result.thresholds),
    security: securityViews(result.security),
    series: aggregatedSeries(snapshot.history),
    entrySeries: snapshot.history.length <= MAX_REPORT_ENTRY_ROWS ? entrySeries(snapshot.history) : {},
    ...(baseline !== undefined ? { baseline } : {}),
  };
}

/**
 * The page's state: the latest live figures, and the chart series kept as
 * column arrays (what uPlot draws) that only ever grow by appending, so a
 * one-hour run costs one push per second, not a copy of the history.
 */
import { useEffect, useState } from 'preact/hooks';
import {
  entryId, type FormDefaults, type InitMessage, type LiveStatus, type LogLine, type ReportData, type SeriesPoint,
  type UpdateMessage,
} from '../../../report/view-model.js';

export interface Series {
  t: number[];
  rps: number[];
  fps: number[];
  p50: Array<number | null>;
  p95: Array<number | null>;
  p99: Array<number | null>;
  users: number[];
}

export function emptySeries(): Series {
  return { t: [], rps: [], fps: [], p50: [], p95: [], p99: [], users: [] };
}

/** Appends points newer than the last one held (a reconnect may resend some). */
export function appendPoints(series: Series, points: readonly SeriesPoint[]): number {
  let added = 0;
  for (const [t, rps, fps, p50, p95, p99, users] of points) {
    const last = series.t[series.t.length - 1];
    if (last !== undefined && t <= last) continue;
    series.t.push(t);
    series.rps.push(rps);
    series.fps.push(fps);
    series.p50.push(p50);
    series.p95.push(p95);
    series.p99.push(p99);
    series.users.push(users);
    added++;
  }
  return added;
}

export interface SelectedEntry {
  type: string;
  name: string;
  series: Series;
  loading: boolean;
}

export interface UiState {
  mode: 'live' | 'report';
  connected: boolean;
  status: LiveStatus | null;
  version: string;
  scenario: string;
  form: FormDefaults | null;
  logs: LogLine[];
  series: Series;
  entry: SelectedEntry | null;
  report: ReportData | null;
  /** Bumped on every change: charts redraw when it moves. */
  revision: number;
}

const MAX_LOG_LINES = 2000;

type Listener = () => void;

class Store {
  state: UiState = {
    mode: 'live', connected: false, status: null, version: '', scenario: '', form: null,
    logs: [], series: emptySeries(), entry: null, report: null, revision: 0,
  };
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(patch: Partial<UiState>): void {
    this.state = { ...this.state, ...patch, revision: this.state.revision + 1 };
    for (const listener of this.listeners) listener();
  }

  setConnected(connected: boolean): void {
    if (connected !== this.state.connected) this.changed({ connected });
  }

  init(msg: InitMessage): void {
    const series = emptySeries();
    appendPoints(series, msg.series);
    this.changed({
      status: msg, version: msg.version, scenario: msg.scenario, form: msg.form, logs: msg.logs.slice(-MAX_LOG_LINES),
      series, connected: true,
    });
    const entry = this.state.entry;
    if (entry) void this.selectEntry(entry.type, entry.name);
  }

  update(msg: UpdateMessage): void {
    let { series, logs, entry } = this.state;
    if (msg.newRun) {
      series = emptySeries();
      if (entry) entry = { ...entry, series: emptySeries() };
    }
    appendPoints(series, msg.series);
    if (entry) {
      const row = msg.rows.find((r) => r.type === entry!.type && r.name === entry!.name);
      if (row?.last) appendPoints(entry.series, [row.last]);
    }
    if (msg.logs.length > 0) logs = [...logs, ...msg.logs].slice(-MAX_LOG_LINES);
    this.changed({ status: msg, series, logs, entry });
  }

  loadReport(report: ReportData): void {
    const series = emptySeries();
    appendPoints(series, report.series);
    this.changed({ mode: 'report', report, series, version: report.version, scenario: report.scenario, connected: true });
  }

  /** Picks the entry whose response times the per-entry chart shows. */
  async selectEntry(type: string, name: string): Promise<void> {
    const series = emptySeries();
    const report = this.state.report;
    if (report) {
      appendPoints(series, report.entrySeries[entryId(type, name)] ?? []);
      this.changed({ entry: { type, name, series, loading: false } });
      return;
    }
    this.changed({ entry: { type, name, series, loading: true } });
    try {
      const res = await fetch(`./api/entry-history?type=${encodeURIComponent(type)}&name=${encodeURIComponent(name)}`);
      const body = (await res.json()) as { series: SeriesPoint[] };
      const current = this.state.entry;
      if (!current || current.type !== type || current.name !== name) return;
      // Points pushed while the request was under way are newer; keep them after the history.
      const merged = emptySeries();
      appendPoints(merged, body.series);
      appendPoints(merged, seriesPoints(current.series));
      this.changed({ entry: { type, name, series: merged, loading: false } });
    } catch {
      const current = this.state.entry;
      if (current) this.changed({ entry: { ...current, loading: false } });
    }
  }

  clearEntry(): void {
    this.changed({ entry: null });
  }
}

function seriesPoints(s: Series): SeriesPoint[] {
  return s.t.map((t, i) => [t, s.rps[i] ?? 0, s.fps[i] ?? 0, s.p50[i] ?? null, s.p95[i] ?? null, s.p99[i] ?? null, s.users[i] ?? 0]);
}

export const store = new Store();

export function useStore(): UiState {
  const [state, setState] = useState(store.state);
  useEffect(() => store.subscribe(() => setState(store.state)), []);
  return state;
}

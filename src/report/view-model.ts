/**
 * What the web UI and the HTML report show, as plain JSON: the one contract
 * between the servers of both (src/web, src/reporters/html.ts) and the front end (src/web/ui). No imports, so
 * that the browser build can use this file as it is.
 */
export type RunState = 'ready' | 'idle' | 'spawning' | 'running' | 'stopping' | 'stopped';

/** One line of the statistics table (an entry, or the Aggregated total with type ""). */
export interface RowView {
  type: string;
  name: string;
  requests: number;
  failures: number;
  medianMs: number;
  avgMs: number;
  minMs: number;
  maxMs: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  avgContentSize: number;
  currentRps: number;
  currentFps: number;
  /** Whole-run rates. */
  rps: number;
  fps: number;
  /** Time to first byte (send to response headers), median and 95th percentile, for entries answered over HTTP. */
  firstByteMedianMs?: number;
  firstByteP95Ms?: number;
  /** Set on SECURITY probe rows. */
  security?: boolean;
  /** Expressions of the thresholds that select this row. */
  thresholds?: string[];
  /** Figures of the latest one-second interval: [timestamp s, rps, fps, p50, p95, p99] (ms; null without requests). */
  last?: SeriesPoint;
}

/** [unix seconds, requests/s, failures/s, p50 ms, p95 ms, p99 ms, users]. Percentiles are null for an interval without requests. */
export type SeriesPoint = [number, number, number, number | null, number | null, number | null, number];

export interface ErrorView {
  type: string;
  name: string;
  error: string;
  occurrences: number;
}

export interface ExceptionView {
  message: string;
  traceback: string;
  count: number;
}

export interface ThresholdView {
  expr: string;
  passed: boolean;
  actual: number | null;
  detail: string;
  /** Who set the rule: mcpload's default verdict, the scenario's defaults, or the user (absent: the user). */
  source?: 'mcpload' | 'scenario' | 'user';
  /** What the figure was computed over (e.g. "1,234 requests, SECURITY rows excluded"). */
  over?: string;
}

export interface SecurityView {
  name: string;
  attempts: number;
  failures: number;
  passed: boolean;
  evidence: string[];
}

export interface TaskRatio {
  name: string;
  weight: number;
  /** Share within its class, 0–1. */
  share: number;
}

export interface ClassRatio {
  name: string;
  weight: number;
  fixedCount?: number;
  /** Share of the users by weight, 0–1 (among the classes picked for the run). */
  share: number;
  tasks: TaskRatio[];
  /** Live users of this class right now. */
  users: number;
  /** Picked for the current (or next) run. */
  selected: boolean;
}

export interface LogLine {
  /** Epoch ms. */
  at: number;
  level: 'info' | 'warn' | 'error';
  text: string;
}

/** What the start form offers, pre-filled from the command line. */
export interface FormDefaults {
  /** Empty: the embedded reference server. */
  host: string;
  embeddedHost: string | null;
  users: number;
  spawnRate: number;
  /** Text as typed ("30s"); empty for no limit. */
  runTime: string;
  userClasses: string[];
}

/** The live figures pushed once a second. */
export interface LiveStatus {
  state: RunState;
  host: string;
  users: number;
  targetUsers: number;
  elapsedS: number;
  /** Run time limit in seconds; null when the run goes on until stopped. */
  runTimeS: number | null;
  totalRps: number;
  failRatio: number;
  rows: RowView[];
  aggregated: RowView | null;
  errors: ErrorView[];
  exceptions: ExceptionView[];
  thresholds: ThresholdView[];
  security: SecurityView[];
  classes: ClassRatio[];
  /** Run verdict so far: every threshold and security check holds. */
  passed: boolean;
  /** On a master (`run --master`): its workers, by index. Absent elsewhere. */
  workers?: WorkerView[];
}

/** One worker of a master, as the Workers tab shows it. */
export interface WorkerView {
  index: number;
  /** The host name the worker sent (absent before it joined). */
  host: string;
  /** The address it connected from. */
  address: string;
  /** waiting (joined, no run yet), starting, spawning, running, stopping, stopped, lost, failed. */
  state: string;
  users: number;
  /** Requests per second over the last seconds (its latest update). */
  rps: number;
  /** Its process's CPU use at its latest update, % of one core; null before the first. */
  cpuPercent: number | null;
  /** Above the warning line (90 %): its figures measure the generator more than the target. */
  cpuHigh: boolean;
  /** Seconds since the master last heard from it; null once it ended. */
  heartbeatAgoS: number | null;
  /** Why it is lost or failed. */
  detail?: string;
}

/** Sent once when a page connects: everything needed to draw the run so far. */
export interface InitMessage extends LiveStatus {
  version: string;
  scenario: string;
  form: FormDefaults;
  series: SeriesPoint[];
  logs: LogLine[];
}

/** Sent once a second (and after every command). */
export interface UpdateMessage extends LiveStatus {
  /** Points after the last one sent. */
  series: SeriesPoint[];
  logs: LogLine[];
  /** True after a new run started: the page drops its series first. */
  newRun?: boolean;
}

/** Everything the offline HTML report holds. */
export interface ReportData {
  version: string;
  scenario: string;
  host: string;
  startedAt: string;
  endedAt: string;
  durationS: number;
  passed: boolean;
  /** The most users during the run (not the count at the end, which is 0 after a stop). */
  peakUsers: number;
  /** The scenario's notes, e.g. which tools discovery skipped and why. */
  notes: string[];
  settings: Record<string, unknown>;
  rows: RowView[];
  aggregated: RowView | null;
  errors: ErrorView[];
  exceptions: ExceptionView[];
  thresholds: ThresholdView[];
  security: SecurityView[];
  series: SeriesPoint[];
  /** Per-entry series keyed by `${type} ${name}`; left out of very large runs. */
  entrySeries: Record<string, SeriesPoint[]>;
  /** `run --baseline`: the baseline's figures beside the run's, with the changes and the --fail-on checks. */
  baseline?: BaselineView;
}

/** Key of an entry in per-entry maps (type and name joined by a space, which no type contains). */
export function entryId(type: string, name: string): string {
  return `${type} ${name}`;
}

/** One metric of an entry beside the baseline's (the shape of report/comparison.ts's MetricChange). */
export interface BaselineMetricView {
  /** requests, error_rate (%), p50, p95, p99, max (ms), rps. */
  metric: string;
  base: number;
  current: number;
  change: number;
  changePct: number | null;
  /** 'significant', 'noise' or 'too few samples'; absent for metrics without a test. */
  significance?: string;
}

export interface BaselineEntryView {
  type: string;
  name: string;
  presence: 'both' | 'added' | 'removed';
  metrics: BaselineMetricView[];
  requests?: number;
}

/** `run --baseline` in the HTML report: the comparison (report/comparison.ts's Comparison, which fits this shape). */
export interface BaselineView {
  base: { label: string; startedAt: string; durationS: number };
  entries: BaselineEntryView[];
  aggregated: BaselineEntryView;
  checks: Array<{ expr: string; type: string; name: string; outcome: 'pass' | 'fail' | 'skipped'; message: string }>;
  failed: boolean;
  method: string;
}

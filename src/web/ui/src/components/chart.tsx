/**
 * One uPlot time chart that follows a growing series; resized with its box,
 * redrawn when the store moves. Charts of rates and times cut their y-axis
 * above a few outlying seconds (see y-range.ts) and say so; a log-scale
 * switch shows every point instead.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ms } from '../format.js';
import type { Series } from '../store.js';
import { yTop } from '../y-range.js';

export interface Line {
  label: string;
  color: string;
  values: (s: Series) => Array<number | null>;
  fill?: boolean;
  dash?: number[];
}

export interface ChartProps {
  title: string;
  unit: string;
  series: Series;
  lines: Line[];
  revision: number;
  height?: number;
  /** data-testid of the chart's box. */
  testId?: string;
  /** Cut the y-axis above outliers (rates and times; not user counts, whose steps are the point). */
  clip?: boolean;
}

interface Clip {
  top: number;
  clipped: number;
  max: number;
}

/** The values of every line between the x-axis' ends (the whole series before the first draw). */
function visibleLines(u: uPlot): Array<Array<number | null | undefined>> {
  const xs = u.data[0] as number[];
  const lo = u.scales.x?.min;
  const hi = u.scales.x?.max;
  let from = 0;
  let to = xs.length;
  if (lo !== undefined && lo !== null && hi !== undefined && hi !== null) {
    while (from < to && xs[from]! < lo) from++;
    while (to > from && xs[to - 1]! > hi) to--;
  }
  return u.data.slice(1).map((line) => Array.from(line as ArrayLike<number | null | undefined>).slice(from, to));
}

const AXIS = { stroke: '#8b98a8', grid: { stroke: 'rgba(148, 163, 184, 0.08)', width: 1 }, ticks: { stroke: 'rgba(148, 163, 184, 0.15)', width: 1 } };

/** Tick steps in seconds: never below one second (points are one per second). */
const TIME_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** A chart of one point (or none) still gets a sensible minute-wide time axis. */
function timeRange(_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null) {
    const now = Math.floor(Date.now() / 1000);
    return [now - 60, now];
  }
  return max - min < 10 ? [min - 5, Math.max(max, min) + 5] : [min, max];
}

function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** On the log scale, labels at 0, 1, 10, 100, …: none below zero (no rate or time lies there), none crowded between. */
function decades(_u: uPlot, splits: number[]): Array<number | null> {
  return splits.map((v) => (v === 0 || (v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9) ? v : null));
}

function dataOf(series: Series, lines: Line[]): uPlot.AlignedData {
  return [series.t, ...lines.map((l) => l.values(series))] as uPlot.AlignedData;
}

export function Chart({ title, unit, series, lines, revision, height = 220, testId, clip = false }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const linesKey = lines.map((l) => l.label).join('|');
  const [log, setLog] = useState(false);
  const [cut, setCut] = useState<Clip>({ top: 0, clipped: 0, max: 0 });
  const lastCut = useRef(cut);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    /** The y-axis: cut above outliers (linear), or every point on an arcsinh ("log") scale that also takes zeros. */
    const yRange = (u: uPlot, min: number): uPlot.Range.MinMax => {
      const found = yTop(visibleLines(u));
      const next = log || !clip ? { ...found, top: found.max > 0 ? found.max * (log ? 1.3 : 1.08) : 1, clipped: 0 } : found;
      el.dataset.yMax = String(next.top);
      el.dataset.clipped = String(next.clipped);
      if (next.clipped !== lastCut.current.clipped || next.top !== lastCut.current.top) {
        lastCut.current = next;
        setCut(next);
      }
      return [log ? 0 : Math.min(0, min), next.top];
    };
    el.dataset.scale = log ? 'log' : 'linear';
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      scales: { x: { time: true, range: timeRange }, y: log ? { distr: 4, asinh: 1, range: yRange } : { range: yRange } },
      axes: [{ ...AXIS, incrs: TIME_INCRS }, { ...AXIS, size: 54, ...(log ? { filter: decades } : {}) }],
      series: [
        {},
        ...lines.map((l) => ({
          label: l.label,
          stroke: l.color,
          width: 1.6,
          fill: l.fill ? withAlpha(l.color, 0.12) : undefined,
          dash: l.dash,
          // Percentiles are null in seconds without requests: join across them rather than leave dots.
          spanGaps: true,
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '–' : `${v < 10 ? v.toFixed(2) : v.toFixed(1)}${unit}`),
        })),
      ],
    };
    const u = new uPlot(opts, dataOf(series, lines), el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
    // The plot is rebuilt only when its lines or its scale change; data changes go through setData below.
  }, [linesKey, height, unit, log, clip]);

  useEffect(() => {
    plot.current?.setData(dataOf(series, lines));
  }, [revision, series]);

  return (
    <section class="chart-card">
      <header>
        <h3>{title}</h3>
        <span class="chart-tools">
          {cut.clipped > 0 && !log ? (
            <span class="clip-note" data-testid={testId ? `${testId}-clipped` : undefined} title="the y-axis is cut above the bulk of the points; switch to log scale to see them all">
              {`axis cut at ${ms(cut.top)}${unit}: ${cut.clipped} above (max ${ms(cut.max)}${unit})`}
            </span>
          ) : null}
          <span class="muted">{series.t.length > 0 ? `${series.t.length} points` : 'waiting for data'}</span>
          {clip ? (
            <label class="toggle" title="arcsinh scale: logarithmic for large values, linear near zero">
              <input type="checkbox" checked={log} data-testid={testId ? `${testId}-log` : undefined} onChange={(e) => setLog((e.currentTarget as HTMLInputElement).checked)} />
              log scale
            </label>
          ) : null}
        </span>
      </header>
      <div class="chart" ref={box} data-testid={testId} data-points={series.t.length} />
    </section>
  );
}

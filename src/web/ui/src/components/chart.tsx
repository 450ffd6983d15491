/** One uPlot time chart that follows a growing series; resized with its box, redrawn when the store moves. */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';
import type { Series } from '../store.js';

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

function dataOf(series: Series, lines: Line[]): uPlot.AlignedData {
  return [series.t, ...lines.map((l) => l.values(series))] as uPlot.AlignedData;
}

export function Chart({ title, unit, series, lines, revision, height = 220, testId }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const linesKey = lines.map((l) => l.label).join('|');

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      cursor: { drag: { x: true, y: false } },
      legend: { live: true },
      scales: { x: { time: true, range: timeRange }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] } },
      axes: [{ ...AXIS, incrs: TIME_INCRS }, { ...AXIS, size: 54 }],
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
    // The plot is rebuilt only when its lines change; data changes go through setData below.
  }, [linesKey, height, unit]);

  useEffect(() => {
    plot.current?.setData(dataOf(series, lines));
  }, [revision, series]);

  return (
    <section class="chart-card">
      <header>
        <h3>{title}</h3>
        <span class="muted">{series.t.length > 0 ? `${series.t.length} points` : 'waiting for data'}</span>
      </header>
      <div class="chart" ref={box} data-testid={testId} data-points={series.t.length} />
    </section>
  );
}

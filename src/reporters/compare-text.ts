/** The console table of `mcpload compare` (and of `run --baseline`, after the summary). */
import type { CompareMetric } from '../metrics/change-conditions.js';
import {
  describeChange, isLatency, type Comparison, type EntryComparison, type MetricChange,
} from '../report/comparison.js';
import { clean, formatMs, padEnd, padEndMiddle, padStart } from './text.js';

const METRIC_LABELS: Record<CompareMetric, string> = {
  requests: 'requests', error_rate: 'error rate', p50: 'p50 (ms)', p95: 'p95 (ms)', p99: 'p99 (ms)', max: 'max (ms)', rps: 'req/s',
};

export function metricLabel(metric: CompareMetric): string {
  return METRIC_LABELS[metric];
}

/** One figure of a metric in its unit, as the tables show it. */
export function formatFigure(metric: CompareMetric, value: number): string {
  if (metric === 'requests') return String(value);
  if (metric === 'error_rate') return `${value.toFixed(2)}%`;
  if (isLatency(metric)) return formatMs(value);
  return value.toFixed(2);
}

/** The verdict column: what the noise test said, blank for untested metrics. */
export function noiseLabel(m: MetricChange): string {
  if (m.significance === undefined) return '';
  return m.significance === 'significant' ? 'SIGNIFICANT' : m.significance;
}

/** The rows of one entry: [type, name, metric, base, current, change, noise]. */
export function entryCells(entry: EntryComparison): string[][] {
  if (entry.presence !== 'both') {
    const what = entry.presence === 'added' ? 'added (only in current)' : 'removed (only in base)';
    return [[entry.type, entry.name, what, entry.presence === 'removed' ? String(entry.requests ?? 0) : '', entry.presence === 'added' ? String(entry.requests ?? 0) : '', '', '']];
  }
  return entry.metrics.map((m, i) => [
    i === 0 ? entry.type : '', i === 0 ? entry.name : '', metricLabel(m.metric),
    formatFigure(m.metric, m.base), formatFigure(m.metric, m.current), describeChange(m), noiseLabel(m),
  ]);
}

export function formatComparisonText(comparison: Comparison): string {
  const rows = comparison.entries.flatMap(entryCells);
  const aggregated = entryCells(comparison.aggregated);
  const all = [...rows, ...aggregated];
  const typeWidth = Math.min(22, Math.max(4, ...all.map((r) => clean(r[0]!).length)));
  const nameWidth = Math.min(36, Math.max(10, ...all.map((r) => clean(r[1]!).length)));
  const width = (i: number, min: number) => Math.max(min, ...all.map((r) => r[i]!.length));
  const [metricW, baseW, currentW, changeW] = [width(2, 6), width(3, 4), width(4, 7), width(5, 6)];
  const line = (r: readonly string[]) => [
    padEnd(clean(r[0]!), typeWidth), padEndMiddle(clean(r[1]!), nameWidth), padEnd(r[2]!, metricW),
    padStart(r[3]!, baseW), padStart(r[4]!, currentW), padStart(r[5]!, changeW), r[6]!,
  ].join('  ').trimEnd();
  const header = line(['Type', 'Name', 'Metric', 'Base', 'Current', 'Change', 'Noise test']);
  const separator = '-'.repeat(header.length);
  const out = [
    `Comparison  base: ${comparison.base.label} (${comparison.base.durationS.toFixed(1)}s)  current: ${comparison.current.label} (${comparison.current.durationS.toFixed(1)}s)`,
    header, separator, ...rows.map(line), ...(rows.length > 0 ? [separator] : []), ...aggregated.map(line),
    `significance: ${comparison.method}`,
  ];
  if (comparison.checks.length > 0) {
    out.push('', 'Fail-on conditions');
    for (const c of comparison.checks) {
      const mark = c.outcome === 'fail' ? '✗ FAIL' : c.outcome === 'pass' ? '✓ pass' : '- skip';
      out.push(`  ${mark} ${c.expr}  [${clean(c.type ? `${c.type} ${c.name}` : c.name)}]  ${c.message}`);
    }
    out.push(comparison.failed ? 'REGRESSION: a --fail-on condition failed' : 'no regression by the --fail-on conditions');
  }
  return out.join('\n');
}

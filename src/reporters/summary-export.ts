/**
 * `--summary-export FILE`: k6's end-of-test summary export (the JSON that
 * `k6 run --summary-export` writes), so tools that read k6 summaries read
 * mcpload runs too. mcpload's figures, mapped onto k6's names:
 *
 * - `http_req_duration` (trend, ms): latency of every request but the SECURITY
 *   probes (the rows unselected thresholds judge): avg, min, med, max, p(90),
 *   p(95), p(99). One more per row as `http_req_duration{type:T,name:N}`.
 * - `http_reqs` (counter): those requests, `count` and `rate` per second of
 *   the run's elapsed time; per row as `http_reqs{type:T,name:N}`.
 * - `http_req_failed` (rate): k6's rate metric counts true values, so
 *   `passes` is the number of FAILED requests, `fails` the successful ones,
 *   `value` the error rate.
 * - `checks` (rate): replies checked by a `validate` (and mcpload's protocol
 *   checks): `passes`, `fails`, `value` = share that held.
 * - `data_received` (counter): response bytes, `count` and `rate`.
 * - `vus_max` (gauge): the peak user count during the run (`value`, `min`
 *   and `max` all the peak: mcpload does not keep the pre-allocated maximum).
 * - `exceptions` (counter, mcpload's own): errors thrown by scenario tasks.
 * - `security_checks` (rate, mcpload's own): probes refused (`passes`) and let through (`fails`).
 *
 * Thresholds sit under the metric they judge, keyed by their text. As in k6's
 * export (grafana/k6#1498), the boolean is TRUE WHEN THE THRESHOLD FAILED.
 * `root_group.checks` lists each checked row as one check. The `mcpload` key
 * holds what k6 has no place for: the verdict, its reasons and the exit code.
 */
import { writeReportFile } from './report-file.js';
import { percentileUs } from '../metrics/histogram.js';
import { runDurationS } from '../metrics/rows.js';
import { decodeEntryHistogram, totalsFromEntry, emptyTotals, addDecoded, type EntryTotals } from '../metrics/snapshot.js';
import { parseThreshold, SECURITY_TYPE, type Threshold, type ThresholdResult } from '../metrics/thresholds.js';
import type { RunResult } from '../report/run-result.js';
import type { EndOutput } from './output.js';

type Numbers = Record<string, number>;
interface MetricOut {
  [key: string]: number | Record<string, boolean>;
}

/** k6's id of its root group: the MD5 of the empty path. */
const ROOT_GROUP_ID = 'd41d8cd98f00b204e9800998ecf8427e';

function ms(us: number): number {
  return Math.round(us) / 1000;
}

function trend(totals: EntryTotals): Numbers {
  if (totals.requests === 0) return { avg: 0, min: 0, med: 0, max: 0, 'p(90)': 0, 'p(95)': 0, 'p(99)': 0 };
  const min = totals.minUs ?? 0;
  const max = totals.maxUs ?? 0;
  const p = (q: number) => ms(percentileUs(totals.histogram, q, min, max));
  return { avg: ms(totals.sumUs / totals.requests), min: ms(min), med: p(50), max: ms(max), 'p(90)': p(90), 'p(95)': p(95), 'p(99)': p(99) };
}

/** Which k6 metric a rule judges. */
function metricOf(t: Threshold): string {
  switch (t.metric) {
    case 'error_rate': return 'http_req_failed';
    case 'rps': case 'count': return 'http_reqs';
    case 'checks': return 'checks';
    case 'exceptions': return 'exceptions';
    default: return 'http_req_duration';
  }
}

function tagged(metric: string, t: Threshold): string {
  const tags = [t.selector.type !== undefined ? `type:${t.selector.type}` : '', t.selector.name !== undefined ? `name:${t.selector.name}` : '']
    .filter(Boolean).join(',');
  return tags ? `${metric}{${tags}}` : metric;
}

function ruleOf(result: ThresholdResult): Threshold | undefined {
  try {
    return parseThreshold(result.expr);
  } catch {
    return undefined;
  }
}

export function summaryExport(result: RunResult, exitCode: number): unknown {
  const snapshot = result.snapshot;
  const durationS = runDurationS(snapshot);
  const rate = (n: number) => (durationS > 0 ? n / durationS : 0);
  const metrics: Record<string, MetricOut> = {};
  const all = emptyTotals();
  const checks: Array<{ name: string; path: string; id: string; passes: number; fails: number }> = [];
  let probesHeld = 0;
  let probesLet = 0;
  for (const entry of snapshot.entries) {
    if (entry.type === SECURITY_TYPE) {
      probesHeld += entry.requests - entry.failures;
      probesLet += entry.failures;
      continue;
    }
    const histogram = decodeEntryHistogram(entry);
    addDecoded(all, entry, histogram);
    const totals = totalsFromEntry(entry, histogram);
    const tag = `{type:${entry.type},name:${entry.name}}`;
    metrics[`http_req_duration${tag}`] = trend(totals);
    metrics[`http_reqs${tag}`] = { count: totals.requests, rate: rate(totals.requests) };
    const checked = (entry.checksPassed ?? 0) + (entry.checksFailed ?? 0);
    if (checked > 0) {
      const name = `${entry.type} ${entry.name}`;
      checks.push({ name, path: `::${name}`, id: name, passes: entry.checksPassed ?? 0, fails: entry.checksFailed ?? 0 });
    }
  }
  const passes = all.checksPassed;
  const fails = all.checksFailed;
  metrics.http_req_duration = trend(all);
  metrics.http_reqs = { count: all.requests, rate: rate(all.requests) };
  metrics.http_req_failed = { passes: all.failures, fails: all.requests - all.failures, value: all.requests > 0 ? all.failures / all.requests : 0 };
  metrics.checks = { passes, fails, value: passes + fails > 0 ? passes / (passes + fails) : 0 };
  metrics.data_received = { count: all.bytes, rate: rate(all.bytes) };
  const peak = result.peakUsers ?? 0;
  metrics.vus_max = { value: peak, min: peak, max: peak };
  const exceptions = snapshot.exceptions.reduce((sum, group) => sum + group.count, 0);
  metrics.exceptions = { count: exceptions, rate: rate(exceptions) };
  if (probesHeld + probesLet > 0) {
    metrics.security_checks = { passes: probesHeld, fails: probesLet, value: probesHeld / (probesHeld + probesLet) };
  }
  for (const judged of result.thresholds) {
    const rule = ruleOf(judged);
    if (!rule) continue;
    const key = tagged(metricOf(rule), rule);
    const metric = (metrics[key] ??= {});
    const thresholds = (metric.thresholds ??= {}) as Record<string, boolean>;
    // k6's export: true means the threshold failed.
    thresholds[judged.expr] = !judged.passed;
  }
  return {
    root_group: { name: '', path: '', id: ROOT_GROUP_ID, groups: {}, checks: Object.fromEntries(checks.map((c) => [c.name, c])) },
    metrics,
    state: { testRunDurationMs: Math.round(durationS * 1000) },
    mcpload: {
      version: result.version,
      passed: result.passed,
      exitCode,
      failures: result.verdict?.failures ?? [],
      ...(result.verdict?.abortedBy !== undefined ? { abortedBy: result.verdict.abortedBy } : {}),
      thresholds: result.thresholds,
      security: result.security.map(({ name, attempts, failures, passed }) => ({ name, attempts, failures, passed })),
    },
  };
}

/** Writes the export (pretty JSON), creating the parent directory; atomic via rename. */
export async function writeSummaryExport(file: string, result: RunResult, exitCode: number): Promise<void> {
  await writeReportFile(file, `${JSON.stringify(summaryExport(result, exitCode), null, 2)}\n`);
}

export const summaryExportReport: EndOutput = {
  name: 'summary-export', flag: '--summary-export', mode: 'end',
  write: (file, result, { exitCode }) => writeSummaryExport(file, result, exitCode),
};

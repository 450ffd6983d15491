/**
 * `GET /stats/requests` in Locust's JSON layout, so that scripts written for
 * Locust's web API read mcpload's unchanged. Fields Locust lacks (p95,
 * thresholds, security checks, the verdict) are added beside Locust's.
 */
import type { LiveStatus, RowView } from '../report/view-model.js';

function round(value: number, digits = 3): number {
  return Number.isFinite(value) ? Number(value.toFixed(digits)) : 0;
}

function locustRow(row: RowView): Record<string, unknown> {
  return {
    method: row.type,
    name: row.name,
    safe_name: row.name,
    num_requests: row.requests,
    num_failures: row.failures,
    avg_response_time: round(row.avgMs),
    min_response_time: row.requests > 0 ? round(row.minMs) : null,
    max_response_time: round(row.maxMs),
    current_rps: round(row.currentRps),
    current_fail_per_sec: round(row.currentFps),
    median_response_time: round(row.medianMs),
    ninetieth_response_time: round(row.p90Ms),
    ninety_fifth_response_time: round(row.p95Ms),
    ninety_ninth_response_time: round(row.p99Ms),
    avg_content_length: round(row.avgContentSize),
    total_rps: round(row.rps),
    total_fail_per_sec: round(row.fps),
  };
}

export function locustStatsJson(status: LiveStatus): Record<string, unknown> {
  const total = status.aggregated;
  const stats = status.rows.map(locustRow);
  if (total) stats.push(locustRow(total));
  return {
    state: status.state,
    user_count: status.users,
    target_user_count: status.targetUsers,
    host: status.host,
    stats,
    errors: status.errors.map((e) => ({ method: e.type, name: e.name, error: e.error, occurrences: e.occurrences })),
    total_rps: round(total?.currentRps ?? 0),
    total_fail_per_sec: round(total?.currentFps ?? 0),
    fail_ratio: round(status.failRatio, 6),
    total_avg_response_time: round(total?.avgMs ?? 0),
    current_response_time_percentiles: {
      'response_time_percentile_0.5': round(total?.medianMs ?? 0),
      'response_time_percentile_0.95': round(total?.p95Ms ?? 0),
      'response_time_percentile_0.99': round(total?.p99Ms ?? 0),
    },
    user_classes: Object.fromEntries(status.classes.map((c) => [c.name, c.users])),
    elapsed_s: round(status.elapsedS, 1),
    run_time_s: status.runTimeS,
    thresholds: status.thresholds,
    security: status.security,
    passed: status.passed,
    // On a master, Locust lists its workers here; `index`, `host`, `current_rps` and `heartbeat_ago_s` are mcpload's.
    ...(status.workers !== undefined
      ? {
        worker_count: status.workers.filter((w) => w.state !== 'lost').length,
        workers: status.workers.map((w) => ({
          id: `${w.host}_${w.index}`, index: w.index, host: w.host, address: w.address, state: w.state, user_count: w.users,
          cpu_usage: w.cpuPercent, cpu_warning: w.cpuHigh, current_rps: round(w.rps), heartbeat_ago_s: w.heartbeatAgoS === null ? null : round(w.heartbeatAgoS, 1),
          ...(w.detail !== undefined ? { detail: w.detail } : {}),
        })),
      }
      : {}),
  };
}

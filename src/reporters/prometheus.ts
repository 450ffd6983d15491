/**
 * Prometheus metrics of the current run, read at scrape time from a metric
 * snapshot (nothing is added to the request hot path). Served at /metrics by
 * `--prometheus` (its own listener) and by the web UI.
 *
 * Counters are absolute totals of the run: a stats reset or a new run makes
 * them fall, which Prometheus treats as a counter reset. Latency histograms
 * are derived from the HDR histograms, so their buckets are exact to the HDR
 * resolution (3 significant digits).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import { decodeEntryHistogram, type Snapshot } from '../metrics/snapshot.js';
import { evaluateThresholds, type Threshold } from '../metrics/thresholds.js';
import { securityResults } from '../security/verdicts.js';
import type { Histogram } from '../metrics/histogram.js';

/** Latency bucket bounds in seconds (1 ms … 60 s). */
export const LATENCY_BUCKETS_S: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** What the metrics are read from: the run being watched, if any. */
export interface MetricsSource {
  current(): {
    state: string;
    userCount: number;
    targetUsers: number;
    thresholds: readonly Threshold[];
    snapshot(opts: { history: false }): Snapshot;
  } | null;
}

const RUN_STATES = ['ready', 'idle', 'spawning', 'running', 'stopping', 'stopped'] as const;

interface HdrIterator {
  reset(): void;
  hasNext(): boolean;
  next(): { valueIteratedTo: number; countAtValueIteratedTo: number };
}

/** Cumulative counts at each bound (µs histogram, bounds in seconds). */
export function bucketCounts(histogram: Histogram, boundsS: readonly number[]): number[] {
  const counts = boundsS.map(() => 0);
  const iterator = (histogram as unknown as { recordedValuesIterator?: HdrIterator }).recordedValuesIterator;
  if (!iterator) throw new Error('histogram cannot be iterated');
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    const valueS = step.valueIteratedTo / 1e6;
    for (let i = 0; i < boundsS.length; i++) if (valueS <= boundsS[i]!) counts[i]! += step.countAtValueIteratedTo;
  }
  return counts;
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

/** A histogram metric whose buckets come from snapshot entries (prom-client's Histogram only counts observations). */
class SnapshotHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  constructor(readonly name: string, readonly help: string, private readonly read: () => Snapshot | null) {}

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    const snapshot = this.read();
    for (const entry of snapshot?.entries ?? []) {
      const labels = { type: entry.type, name: entry.name };
      const counts = bucketCounts(decodeEntryHistogram(entry), LATENCY_BUCKETS_S);
      LATENCY_BUCKETS_S.forEach((le, i) => values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le }, value: counts[i] ?? 0 }));
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: entry.requests });
      values.push({ metricName: `${this.name}_sum`, labels, value: entry.sumUs / 1e6 });
      values.push({ metricName: `${this.name}_count`, labels, value: entry.requests });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

/** A registry with mcpload's metrics, read from `source` at every scrape. */
export function createMetricsRegistry(source: MetricsSource): Registry {
  const registry = new Registry();
  // One snapshot per scrape, shared by every metric below.
  let scrape: { at: number; snapshot: Snapshot | null } | undefined;
  const snapshot = (): Snapshot | null => {
    const now = Date.now();
    if (!scrape || now - scrape.at > 250) scrape = { at: now, snapshot: source.current()?.snapshot({ history: false }) ?? null };
    return scrape.snapshot;
  };

  const requests = new Counter({
    name: 'mcpload_requests_total', help: 'Requests sent, per type and name (failures included)', labelNames: ['type', 'name'], registers: [registry],
    collect() {
      requests.reset();
      for (const e of snapshot()?.entries ?? []) requests.inc({ type: e.type, name: e.name }, e.requests);
    },
  });
  const failures = new Counter({
    name: 'mcpload_failures_total', help: 'Failed requests, per type and name', labelNames: ['type', 'name'], registers: [registry],
    collect() {
      failures.reset();
      for (const e of snapshot()?.entries ?? []) failures.inc({ type: e.type, name: e.name }, e.failures);
    },
  });
  const errors = new Counter({
    name: 'mcpload_errors_total', help: 'Failures per type, name and error', labelNames: ['type', 'name', 'error'], registers: [registry],
    collect() {
      errors.reset();
      for (const g of snapshot()?.errors ?? []) errors.inc({ type: g.type, name: g.name, error: g.error }, g.occurrences);
    },
  });
  registry.registerMetric(new SnapshotHistogram('mcpload_request_duration_seconds', 'Response time per type and name', snapshot) as unknown as Metric);

  const users = new Gauge({
    name: 'mcpload_users', help: 'Virtual users running now', registers: [registry],
    collect() {
      users.set(source.current()?.userCount ?? 0);
    },
  });
  const targetUsers = new Gauge({
    name: 'mcpload_target_users', help: 'Virtual users asked for', registers: [registry],
    collect() {
      targetUsers.set(source.current()?.targetUsers ?? 0);
    },
  });
  const state = new Gauge({
    name: 'mcpload_run_state', help: 'State of the run: 1 for the current state, 0 for the others', labelNames: ['state'], registers: [registry],
    collect() {
      const now = source.current()?.state ?? 'ready';
      for (const s of RUN_STATES) state.set({ state: s }, s === now ? 1 : 0);
    },
  });
  const thresholds = new Gauge({
    name: 'mcpload_threshold_passed', help: 'Threshold holds now (1) or not (0)', labelNames: ['threshold'], registers: [registry],
    collect() {
      thresholds.reset();
      const run = source.current();
      const snap = snapshot();
      if (!run || !snap) return;
      for (const t of evaluateThresholds(run.thresholds, snap)) thresholds.set({ threshold: t.expr }, t.passed ? 1 : 0);
    },
  });
  const security = new Gauge({
    name: 'mcpload_security_check_passed', help: 'Security check held (1: every probe refused) or not (0)', labelNames: ['check'], registers: [registry],
    collect() {
      security.reset();
      const snap = snapshot();
      if (!snap) return;
      for (const s of securityResults(snap)) security.set({ check: s.name }, s.passed ? 1 : 0);
    },
  });
  return registry;
}

export interface PrometheusExporter {
  url: string;
  close(): Promise<void>;
}

/** Serves `registry` at http://host:port/metrics (and nothing else). */
export async function startPrometheusExporter(registry: Registry, host: string, port: number): Promise<PrometheusExporter> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: actual } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${actual}/metrics`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

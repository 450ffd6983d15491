/**
 * `--otel` (Locust's `--otel`): the run's requests as OpenTelemetry metrics
 * and one span per request, sent over OTLP/HTTP by the official SDK and set
 * up, as every OpenTelemetry program is, by the standard `OTEL_*` variables
 * (the SDK reads them: endpoint, headers, timeout, resource, service name,
 * sampler, batch sizes, temporality). Loaded only when `--otel` is given.
 *
 * Metrics: `mcpload.request.duration` (histogram, ms), `mcpload.requests`,
 * `mcpload.request.failures` (counters; attributes type, name and, for a
 * failure, `error.type` = the error kind) and `mcpload.users` (gauge).
 * Spans: `<type> <name>`, kind CLIENT, ending when the sample was recorded
 * and starting its latency earlier; a failure sets status ERROR with the
 * error's kind and detail. An HTTP request's span has the ids its
 * `traceparent` header carried (request-tracer.ts).
 *
 * A receiver that is down costs one warning line: the export is never in
 * the run's way, and the last flush is bounded.
 */
import { diag, DiagConsoleLogger, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Attributes, type Counter, type Histogram } from '@opentelemetry/api';
import { diagLogLevelFromString, ExportResultCode, getNumberFromEnv, getStringFromEnv, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ATTR_ERROR_TYPE, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { RequestEvent, RunListeners } from '../metrics/events.js';
import type { RequestTracer } from '../transports/request-tracer.js';
import { VERSION } from '../version.js';
import { PresetIdGenerator } from './otel-ids.js';

export interface OtelExport {
  /** The `request` listener that makes the metrics and spans. */
  readonly listeners: RunListeners;
  /** For the users' HTTP clients: a `traceparent` per request. */
  readonly tracer: RequestTracer;
  /** Exports what is left and shuts the exporters down, within FLUSH_BOUND_MS (idempotent). */
  close(): Promise<void>;
}

export interface OtelExportOptions {
  /** Users running now, for the users gauge. */
  users(): number;
  /** Where the one warning line goes (an export that failed, a last flush that did not end in time). */
  warn(line: string): void;
  /** Where a note goes (an OTEL_* setting this exporter does not follow). */
  note(line: string): void;
  /** Resource attributes of this generator (a worker's index), under OTEL_RESOURCE_ATTRIBUTES, which wins. */
  resource?: Attributes;
}

/** How long the end of the run waits for the last export. */
export const FLUSH_BOUND_MS = 5000;

const SCOPE = 'mcpload';
const ATTR_TYPE = 'mcpload.request.type';
const ATTR_NAME = 'mcpload.request.name';
const ATTR_BYTES = 'mcpload.response.bytes';
const ATTR_ERROR_DETAIL = 'mcpload.error.detail';

/**
 * @throws Error when an OTEL_* value makes the SDK refuse to start (say
 * OTEL_METRIC_EXPORT_INTERVAL=0): a usage error before the load.
 */
export function openOtelExport(opts: OtelExportOptions): OtelExport {
  let warned = false;
  const warnOnce = (what: string): void => {
    if (warned) return;
    warned = true;
    opts.warn(`warning: --otel: ${what}`);
  };
  const onExport = (signal: string) => (result: ExportResult): void => {
    if (result.code !== ExportResultCode.SUCCESS) {
      warnOnce(`exporting ${signal} failed (${oneLine(result.error)}); the run goes on (further export problems are not reported)`);
    }
  };

  // The SDK's own log, as every OpenTelemetry program has it (OTEL_LOG_LEVEL=debug shows each export).
  const logLevel = diagLogLevelFromString(getStringFromEnv('OTEL_LOG_LEVEL'));
  if (logLevel !== undefined) diag.setLogger(new DiagConsoleLogger(), logLevel);

  const protocol = getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL');
  if (protocol !== undefined && protocol !== 'http/json') opts.note(`--otel sends OTLP over HTTP as JSON (http/json); OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not used`);

  // Ours first, so that OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'mcpload', [ATTR_SERVICE_VERSION]: VERSION, ...opts.resource }))
    .merge(detectResources({ detectors: [envDetector] }));

  const interval = getNumberFromEnv('OTEL_METRIC_EXPORT_INTERVAL') ?? 60_000;
  if (!(interval > 0)) throw new Error(`OTEL_METRIC_EXPORT_INTERVAL must be more than 0 (ms), got ${interval}`);
  const reader = new PeriodicExportingMetricReader({
    exporter: new WatchedMetricExporter(onExport('metrics')),
    exportIntervalMillis: interval,
    exportTimeoutMillis: Math.min(getNumberFromEnv('OTEL_METRIC_EXPORT_TIMEOUT') ?? 30_000, interval),
  });
  const meterProvider = new MeterProvider({ resource, readers: [reader] });
  const ids = new PresetIdGenerator();
  const tracerProvider = new BasicTracerProvider({
    resource, idGenerator: ids, spanProcessors: [new BatchSpanProcessor(new WatchedTraceExporter(onExport('spans')))],
  });

  const meter = meterProvider.getMeter(SCOPE, VERSION);
  const instruments: Instruments = {
    duration: meter.createHistogram('mcpload.request.duration', { unit: 'ms', description: 'Request latency, as in the stats table' }),
    requests: meter.createCounter('mcpload.requests', { description: 'Requests with an outcome, failed ones included' }),
    failures: meter.createCounter('mcpload.request.failures', { description: 'Failed requests, by error kind' }),
  };
  meter.createObservableGauge('mcpload.users', { description: 'Virtual users running' }).addCallback((result) => result.observe(opts.users()));
  const tracer = tracerProvider.getTracer(SCOPE, VERSION);
  const attributes = new AttributeCache();

  /** The `traceparent` of the request being recorded now, if an HTTP client sent one. */
  let pending: string | undefined;
  const record = (event: RequestEvent): void => {
    const error = event.error;
    const attrs = attributes.of(event.type, event.name, error?.kind);
    instruments.requests.add(1, attrs);
    instruments.duration.record(event.latencyMs, attrs);
    if (error !== undefined) instruments.failures.add(1, attrs);
    if (pending !== undefined) {
      ids.preset(pending);
      pending = undefined;
    }
    const end = performance.timeOrigin + performance.now();
    const span = tracer.startSpan(`${event.type} ${event.name}`, { kind: SpanKind.CLIENT, startTime: end - event.latencyMs, attributes: attrs }, ROOT_CONTEXT);
    span.setAttribute(ATTR_BYTES, event.bytes);
    if (error !== undefined) {
      span.setAttribute(ATTR_ERROR_DETAIL, error.detail);
      span.setStatus({ code: SpanStatusCode.ERROR, message: `${error.kind}: ${error.detail}` });
    }
    span.end(end);
  };
  // The SDK is built not to throw; should it, the telemetry is lost, never the run's verdict (a listener's throw is a task exception).
  const request = (event: RequestEvent): void => {
    try {
      record(event);
    } catch (err) {
      pending = undefined;
      warnOnce(`a request's metrics or span could not be made (${oneLine(err)}); the run goes on (further problems are not reported)`);
    }
  };

  let closing: Promise<void> | undefined;
  return {
    listeners: { request },
    tracer: {
      start: () => ids.newTraceparent(),
      recording: (traceparent) => {
        pending = traceparent;
      },
    },
    close() {
      closing ??= boundedShutdown([meterProvider.shutdown(), tracerProvider.shutdown()], FLUSH_BOUND_MS).then((inTime) => {
        if (!inTime) warnOnce(`the last export did not reach the OTLP receiver within ${FLUSH_BOUND_MS / 1000} s (is it up at OTEL_EXPORTER_OTLP_ENDPOINT?) and is lost; the verdict is the run's own`);
      });
      return closing;
    },
  };
}

interface Instruments {
  duration: Histogram;
  requests: Counter;
  failures: Counter;
}

/** One attribute object per (type, name, error kind): the hot path allocates none. */
class AttributeCache {
  private readonly byKey = new Map<string, Attributes>();

  of(type: string, name: string, kind: string | undefined): Attributes {
    const key = kind === undefined ? `${type}\n${name}` : `${type}\n${name}\n${kind}`;
    let attrs = this.byKey.get(key);
    if (attrs === undefined) {
      attrs = Object.freeze(kind === undefined ? { [ATTR_TYPE]: type, [ATTR_NAME]: name } : { [ATTR_TYPE]: type, [ATTR_NAME]: name, [ATTR_ERROR_TYPE]: kind });
      this.byKey.set(key, attrs);
    }
    return attrs;
  }
}

/** The SDK's OTLP/HTTP exporter, telling `watch` how each export went. */
class WatchedMetricExporter extends OTLPMetricExporter {
  constructor(private readonly watch: (result: ExportResult) => void) {
    super();
  }

  override export(metrics: ResourceMetrics, done: (result: ExportResult) => void): void {
    super.export(metrics, (result) => {
      this.watch(result);
      done(result);
    });
  }
}

class WatchedTraceExporter extends OTLPTraceExporter {
  constructor(private readonly watch: (result: ExportResult) => void) {
    super();
  }

  override export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    super.export(spans, (result) => {
      this.watch(result);
      done(result);
    });
  }
}

/** @returns whether every shutdown settled within `boundMs` (the rest is left behind; the process exits anyway). */
async function boundedShutdown(shutdowns: Array<Promise<void>>, boundMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), boundMs);
  });
  try {
    return await Promise.race([Promise.allSettled(shutdowns).then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err ?? 'no reason given');
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

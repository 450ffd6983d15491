/**
 * A small OTLP/HTTP receiver for the tests: a node:http server on loopback
 * that takes `/v1/metrics` and `/v1/traces` as JSON (OTLP/HTTP with
 * `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`) and keeps what it was sent.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The parts of OTLP JSON the tests read (proto3 JSON: 64-bit integers may come as strings). */
export interface OtlpAttribute { key: string; value: { stringValue?: string; intValue?: number | string; doubleValue?: number } }
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  status?: { code?: number; message?: string };
  resource?: OtlpResource;
}
export interface OtlpNumberPoint { attributes: OtlpAttribute[]; asInt?: number | string; asDouble?: number; timeUnixNano: string }
export interface OtlpMetric {
  name: string;
  sum?: { dataPoints: OtlpNumberPoint[]; aggregationTemporality?: number };
  gauge?: { dataPoints: OtlpNumberPoint[] };
  histogram?: { dataPoints: Array<{ attributes: OtlpAttribute[]; count: number | string }> };
  /** The resource of the export it came in (which generator sent it). */
  resource?: OtlpResource;
}
export interface OtlpResource { attributes: OtlpAttribute[] }

export interface OtlpReceiver {
  /** The base URL to give as OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  readonly spans: OtlpSpan[];
  /** Every metric of every export, in the order they came. */
  readonly metrics: OtlpMetric[];
  readonly resources: OtlpResource[];
  /** Requests that were not OTLP JSON on a known path, for the failure message. */
  readonly rejected: string[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: OtlpSpan[] = [];
  const metrics: OtlpMetric[] = [];
  const resources: OtlpResource[] = [];
  const rejected: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const type = req.headers['content-type'] ?? '';
      if (req.method !== 'POST' || !type.startsWith('application/json')) {
        rejected.push(`${req.method} ${req.url} ${type}`);
        res.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>;
      if (req.url === '/v1/traces') {
        for (const rs of body.resourceSpans ?? []) {
          resources.push(rs.resource);
          for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) spans.push({ ...span, resource: rs.resource });
        }
      } else if (req.url === '/v1/metrics') {
        for (const rm of body.resourceMetrics ?? []) {
          resources.push(rm.resource);
          for (const sm of rm.scopeMetrics ?? []) for (const metric of sm.metrics ?? []) metrics.push({ ...metric, resource: rm.resource });
        }
      } else {
        rejected.push(`${req.method} ${req.url}`);
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    metrics,
    resources,
    rejected,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** An attribute's value as a string or number. */
export function attributeValue(attrs: readonly OtlpAttribute[] | undefined, key: string): string | number | undefined {
  const value = attrs?.find((a) => a.key === key)?.value;
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.doubleValue;
}

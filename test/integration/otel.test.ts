/**
 * `--otel`: metrics and a span per request reach an OTLP/HTTP receiver, the
 * request counts equal the JSON report's, and every HTTP request carried a
 * `traceparent` whose ids are those of an exported span (seen by a proxy in
 * front of the reference server, as the server would see them). A receiver
 * that is down costs one warning line and never the run.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { attributeValue, startOtlpReceiver, type OtlpMetric } from '../helpers/otlp-receiver.js';
import { freePort, LIFT_CLASSIC_LATENCY, runCli, startCli, startServeProcess } from './cli-helpers.js';
import { until } from '../helpers/until.js';

interface Entry { type: string; name: string; requests: number; failures: number }

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;
const RUN = ['run', 'test/fixtures/fast-classic.ts', '--headless', '-u', '3', '-r', '10', '--print-interval', '0', '--otel', ...LIFT_CLASSIC_LATENCY];
/** The SDK's span queue must hold every span of a short run (its default, 2048, drops the rest by design). */
const OTEL_ENV = { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_MAX_QUEUE_SIZE: '1000000', OTEL_SERVICE_NAME: 'otel-test' };

interface Seen { headers: IncomingHttpHeaders; body: string }

/** A pass-through proxy to `target` that keeps each request's headers and body. */
async function startRecordingProxy(target: string): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ headers: req.headers, body: body.toString('utf8') });
      const upstream = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * The last (cumulative) value of a counter per `type name`, summed over the generators that
 * exported it (one, or each worker, told apart by mcpload.worker.index) as a collector adds them.
 */
function lastCounts(metrics: readonly OtlpMetric[], name: string): Map<string, number> {
  const perWorker = new Map<string, number>();
  for (const metric of metrics.filter((m) => m.name === name)) {
    const worker = attributeValue(metric.resource?.attributes, 'mcpload.worker.index') ?? '-';
    for (const point of metric.sum?.dataPoints ?? []) {
      const key = `${attributeValue(point.attributes, 'mcpload.request.type')} ${attributeValue(point.attributes, 'mcpload.request.name')}`;
      const at = `${worker}\u0000${key}`;
      perWorker.set(at, Math.max(perWorker.get(at) ?? 0, Number(point.asInt ?? point.asDouble)));
    }
  }
  const counts = new Map<string, number>();
  for (const [at, value] of perWorker) {
    const key = at.slice(at.indexOf('\u0000') + 1);
    counts.set(key, (counts.get(key) ?? 0) + value);
  }
  return counts;
}

/** `interrupt`: a 60 s run stopped by Ctrl-C (SIGINT) once the load is on, instead of -t 3s. */
async function otelRun(extra: string[], interrupt = false): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-otel-'));
  const serve = await startServeProcess();
  const proxy = await startRecordingProxy(serve.url);
  const receiver = await startOtlpReceiver();
  try {
    const json = path.join(dir, 'run.json');
    const { child, done } = startCli([...RUN, '-H', proxy.url, '-t', interrupt ? '60s' : '3s', '--json', json, ...extra],
      { ...OTEL_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    if (interrupt) {
      await until('traced requests at the server', () => proxy.seen.filter((s) => s.headers.traceparent !== undefined).length > 150, 60_000);
      child.kill('SIGINT');
    }
    const r = await done;
    // After Ctrl-C the verdict is that of a short run (a scenario's per-row rule may find too few requests): a stop, not a crash.
    if (interrupt) assert.ok(r.signal === null && (r.code === 0 || r.code === 1) && /stopped \(SIGINT\)/.test(r.stdout), r.stdout + r.stderr);
    else assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stderr, /warning: --otel/);
    assert.deepEqual(receiver.rejected, []);

    // Metrics: each row's request count is the report's.
    const entries = (JSON.parse(readFileSync(json, 'utf8')) as { snapshot: { entries: Entry[] } }).snapshot.entries;
    const requests = lastCounts(receiver.metrics, 'mcpload.requests');
    const failures = lastCounts(receiver.metrics, 'mcpload.request.failures');
    assert.ok(entries.length > 1);
    let total = 0;
    for (const entry of entries) {
      const key = `${entry.type} ${entry.name}`;
      assert.equal(requests.get(key), entry.requests, `${key}: mcpload.requests`);
      assert.equal(failures.get(key) ?? 0, entry.failures, `${key}: mcpload.request.failures`);
      total += entry.requests;
    }
    assert.ok(receiver.metrics.some((m) => m.name === 'mcpload.request.duration' && (m.histogram?.dataPoints.length ?? 0) > 0));
    assert.ok(receiver.metrics.some((m) => m.name === 'mcpload.users' && (m.gauge?.dataPoints.length ?? 0) > 0));
    assert.ok(receiver.resources.every((res) => attributeValue(res.attributes, 'service.name') === 'otel-test'), 'OTEL_SERVICE_NAME is the service');

    // Spans: one per request, CLIENT, named after the row.
    assert.equal(receiver.spans.length, total, 'a span per request');
    // A failure is status ERROR with its kind; the rest are not.
    const failed = receiver.spans.filter((span) => span.status?.code === 2);
    assert.equal(failed.length, entries.reduce((sum, entry) => sum + entry.failures, 0), 'a failed request\'s span is ERROR');
    for (const span of failed) assert.match(span.status?.message ?? '', new RegExp(`^${attributeValue(span.attributes, 'error.type')}: `));
    const spans = new Map(receiver.spans.map((span) => [`${span.traceId}-${span.spanId}`, span]));
    for (const span of receiver.spans) {
      assert.equal(span.kind, 3, 'SPAN_KIND_CLIENT');
      assert.equal(span.name, `${attributeValue(span.attributes, 'mcpload.request.type')} ${attributeValue(span.attributes, 'mcpload.request.name')}`);
      assert.ok(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano));
    }

    // The server saw a traceparent on every request, each the ids of an exported span, never twice.
    // The checks before the load (is the target up, which version) are not load: no span, no traceparent.
    const first = proxy.seen.findIndex((s) => s.headers.traceparent !== undefined);
    assert.ok(first >= 0 && first < 10, `the load's requests are traced (first at ${first})`);
    const traced = proxy.seen.slice(first);
    assert.ok(traced.every((s) => s.headers.traceparent !== undefined), 'every request of the load carried a traceparent');
    const ids = new Set<string>();
    // A request cut at the stop is recorded by the stop, with a span of its own ids.
    const cut = receiver.spans.filter((span) => attributeValue(span.attributes, 'error.type') === 'cut').length;
    let unmatched = 0;
    for (const { headers, body } of traced) {
      const m = TRACEPARENT.exec(String(headers.traceparent));
      assert.ok(m, `a W3C traceparent: ${String(headers.traceparent)}`);
      const id = `${m[1]}-${m[2]}`;
      if (!spans.has(id)) unmatched++;
      assert.ok(!ids.has(id), 'a new span per request');
      ids.add(id);
      const meta = body === '' ? undefined : (JSON.parse(body) as { params?: { _meta?: Record<string, unknown> } }).params?._meta;
      const stateless = headers['mcp-protocol-version'] === '2026-07-28';
      // MCP requests (REST ones carry no version).
      if (body.includes('"jsonrpc"') && headers['mcp-protocol-version'] !== undefined) assert.equal(stateless, extra.includes('2026-07-28'), 'the version asked for');
      if (stateless && body.includes('"id"')) assert.equal(meta?.traceparent, headers.traceparent, '2026-07-28 requests carry it in _meta too');
      else assert.equal(meta?.traceparent, undefined, 'no _meta trace field where the protocol version defines none');
    }
    assert.ok(unmatched <= cut, `${unmatched} traceparents without their exported span (${cut} requests cut at the stop)`);
  } finally {
    await receiver.close();
    await proxy.close();
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// The cases run three at a time: each starts its own reference server, proxy, receiver and folder (or, for the
// refused receiver, its own embedded server and a port of its own), and asserts counts, never durations. The two
// whose receiver is down spend most of their time waiting on the bounded last export at the stop.
describe('--otel', { concurrency: 3 }, () => {
  test('--otel exports metrics that match the report and a span per request; each request carries its span\'s traceparent', () => otelRun(['--protocol-version', '2025-11-25']));

  test('--otel under 2026-07-28: the traceparent also rides in _meta, as the revision defines', () => otelRun(['--protocol-version', '2026-07-28']));

  test('--otel and Ctrl-C: the run stops, and everything it recorded is exported before the exit', () => otelRun(['--protocol-version', '2025-11-25'], true));

  test('--otel over --processes 2: each worker exports its share under its index; together they are the merged report', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-otel-'));
    const serve = await startServeProcess();
    const receiver = await startOtlpReceiver();
    try {
      const json = path.join(dir, 'run.json');
      const r = await runCli([...RUN, '-H', serve.url, '-t', '3s', '--processes', '2', '--json', json], { ...OTEL_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stderr, /warning: --otel/);
      assert.deepEqual(receiver.rejected, []);
      const entries = (JSON.parse(readFileSync(json, 'utf8')) as { snapshot: { entries: Entry[] } }).snapshot.entries;
      const requests = lastCounts(receiver.metrics, 'mcpload.requests');
      let total = 0;
      for (const entry of entries) {
        assert.equal(requests.get(`${entry.type} ${entry.name}`), entry.requests, `${entry.type} ${entry.name}: mcpload.requests over both workers`);
        total += entry.requests;
      }
      assert.equal(receiver.spans.length, total, 'a span per request, from both workers');
      const spanWorkers = new Set(receiver.spans.map((span) => attributeValue(span.resource?.attributes, 'mcpload.worker.index')));
      assert.deepEqual([...spanWorkers].sort(), [0, 1], 'each worker exports under its index');
      assert.ok(receiver.resources.every((res) => attributeValue(res.attributes, 'mcpload.worker.count') === 2));
    } finally {
      await receiver.close();
      await serve.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const verdict of ['passes', 'fails'] as const) {
    test(`--otel with a receiver that refuses connections: one warning line, and the run ${verdict} on its own merits`, async () => {
      const closed = await freePort();
      // A rule no run can hold makes the failing case (exit 1 is the verdict's, not the export's).
      const rules = verdict === 'fails' ? ['--threshold', 'count<1'] : [];
      const r = await runCli([...RUN, '-t', '2s', ...rules], { ...OTEL_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closed}` });
      assert.equal(r.code, verdict === 'passes' ? 0 : 1, r.stdout + r.stderr);
      assert.match(r.stdout, verdict === 'passes' ? /PASSED/ : /FAILED/);
      const warnings = r.stderr.split('\n').filter((line) => line.includes('--otel'));
      assert.equal(warnings.length, 1, r.stderr);
      assert.match(warnings[0]!, /^warning: --otel: .*(failed|did not reach)/);
    });
  }

  test('--otel outside a headless run, or with an OTEL_* value the SDK refuses, is a usage error before any load', async () => {
    const r = await runCli(['run', '--otel', '-t', '1s']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--otel exports from a headless run: add --headless/);
    const zero = await runCli([...RUN, '-t', '1s'], { OTEL_METRIC_EXPORT_INTERVAL: '0' });
    assert.equal(zero.code, 2, zero.stdout + zero.stderr);
    assert.match(zero.stderr, /^error: --otel: OTEL_METRIC_EXPORT_INTERVAL must be more than 0/m);
    assert.doesNotMatch(zero.stdout, /PASSED|FAILED/);
  });
});

/**
 * Span ids chosen before the span exists: a request's `traceparent` goes out
 * with the request, and its span is made only once the sample is in (its
 * start is the sample's latency before the end). The SDK's tracer asks its
 * IdGenerator for the ids of each new span; this one hands back the ids
 * preset from that header, once, and random ones otherwise.
 */
import { RandomIdGenerator, type IdGenerator } from '@opentelemetry/sdk-trace-base';

/** W3C Trace Context, version 00, sampled: `00-<trace id>-<span id>-01`. */
export function formatTraceparent(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`;
}

export class PresetIdGenerator implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private traceId: string | undefined = undefined;
  private spanId: string | undefined = undefined;

  /** A fresh `traceparent` with random ids (the SDK's generator). */
  newTraceparent(): string {
    return formatTraceparent(this.random.generateTraceId(), this.random.generateSpanId());
  }

  /** The next span gets the ids of this `traceparent` (as made by newTraceparent). */
  preset(traceparent: string): void {
    this.traceId = traceparent.slice(3, 35);
    this.spanId = traceparent.slice(36, 52);
  }

  generateTraceId(): string {
    const id = this.traceId;
    if (id === undefined) return this.random.generateTraceId();
    this.traceId = undefined;
    return id;
  }

  generateSpanId(): string {
    const id = this.spanId;
    if (id === undefined) return this.random.generateSpanId();
    this.spanId = undefined;
    return id;
  }
}

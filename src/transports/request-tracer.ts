/**
 * The hook `--otel` gives the HTTP clients so that a server's traces link to
 * the load test's: each request carries a W3C `traceparent` header whose ids
 * are those of the span exported for that request's sample. A client with
 * no tracer pays nothing for it (one `undefined` check).
 */
export interface RequestTracer {
  /**
   * A new trace context for a request about to be sent: the `traceparent`
   * value, `00-<32 hex trace id>-<16 hex span id>-01` (W3C Trace Context).
   */
  start(): string;
  /**
   * The request sent with `traceparent` is recorded right after this call
   * (synchronously): the span made for that sample takes its ids.
   */
  recording(traceparent: string): void;
}

/** The `_meta` key 2026-07-28 reserves for the W3C trace context (basic/index, "OpenTelemetry trace context"). */
export const META_TRACEPARENT = 'traceparent';

/**
 * The seam between transports and metrics: one finished request becomes one
 * call to `Recorder.record`. Transports know nothing else about metrics.
 */

/**
 * How a request failed. `security` is a must-stay-closed probe that was let
 * through. `cut` is a request still waiting for its reply when the run
 * stopped (or at the end of --stop-timeout): it did not complete, but the
 * server was not seen to fail it, so error_rate leaves it out (verdict.ts
 * judges it on its own).
 */
export type ErrorKind = 'connect' | 'timeout' | 'http' | 'jsonrpc' | 'tool' | 'check' | 'security' | 'cut';

export interface SampleError {
  kind: ErrorKind;
  /** Short and stable, so that equal errors group together (no ids, no timestamps, no tokens). */
  detail: string;
}

export interface Recorder {
  /**
   * One finished request.
   * @param type  `GET`, `POST`, an MCP method such as `tools/call`, or `SECURITY`
   * @param name  path, tool name, resource URI or check name
   * @param latencyUs  microseconds on a monotonic clock
   * @param bytes  response body size
   */
  record(type: string, name: string, latencyUs: number, bytes: number, error?: SampleError): void;
  /** An error thrown by scenario code rather than a failed request. `where` is file:line or task name. */
  exception(err: unknown, where: string): void;
  /**
   * A check on a reply held (a `validate` that found nothing wrong), so that
   * `checks` is the rate of passed checks; a failed check is a sample with an
   * error of kind `check`. Optional: recorders that do not count checks omit it.
   */
  checkPassed?(type: string, name: string): void;
}

/** The error of a request cut at the stop; its latency is the time it had waited (a lower bound). */
export const CUT_AT_STOP: SampleError = Object.freeze({ kind: 'cut', detail: 'still waiting when the run stopped' });

/** The text shown for an error in failure tables and CSV: `kind: detail`. */
export function errorLabel(error: SampleError): string {
  return `${error.kind}: ${error.detail}`;
}

/** Monotonic now in microseconds (fractional). */
export function nowUs(): number {
  return performance.now() * 1000;
}

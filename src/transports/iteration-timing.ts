/**
 * The open model's hook into the transports (wrk2's correction for
 * coordinated omission). Before an iteration runs, the engine writes its
 * intended start here; the first request of the iteration takes it (and
 * clears it) and times itself from that instant instead of from when it was
 * sent. Every request also hands its raw service time (send to reply) to
 * `service`, so a run reports both figures side by side.
 */
import type { Recorder } from '../metrics/sample.js';

export interface IterationTiming {
  /** Intended start (µs, the `nowUs()` clock) of the next request; 0 when there is none. */
  intendedStartUs: number;
  /** Gets every sample again with its raw service time. */
  service: Recorder;
}

/**
 * The instant a request's latency counts from: a pending intended start
 * (consumed here, so only the iteration's first request gets it), else
 * `sentUs`. An intended start in the future (clock skew) counts as none.
 */
export function takeLatencyOrigin(timing: IterationTiming | undefined, sentUs: number): number {
  if (timing === undefined || timing.intendedStartUs === 0) return sentUs;
  const intended = timing.intendedStartUs;
  timing.intendedStartUs = 0;
  return intended < sentUs ? intended : sentUs;
}

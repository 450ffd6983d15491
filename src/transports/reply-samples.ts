/**
 * The one place a reply becomes samples: the run's sample (timed from the
 * latency origin, the intended start in open-model runs), the service time
 * (open-model runs only, from the send) and the time to first byte (when
 * the transport saw one).
 */
import type { Recorder, SampleError } from '../metrics/sample.js';
import type { IterationTiming } from './iteration-timing.js';

export class ReplySamples {
  constructor(
    private readonly recorder: Recorder,
    private readonly timing: IterationTiming | undefined,
    private readonly firstByte: Recorder | undefined,
  ) {}

  /** Times in µs (nowUs); `firstByteAt` 0 when no reply head came. */
  record(type: string, name: string, originUs: number, startUs: number, endUs: number, firstByteAt: number, bytes: number, error?: SampleError): void {
    this.recorder.record(type, name, endUs - originUs, bytes, error);
    this.timing?.service.record(type, name, endUs - startUs, bytes, error);
    if (firstByteAt !== 0) this.firstByte?.record(type, name, firstByteAt - startUs, 0);
  }
}

import type { Recorder, SampleError } from '../../src/metrics/sample.js';

export interface RecordedSample {
  type: string;
  name: string;
  latencyUs: number;
  bytes: number;
  error: SampleError | undefined;
}

/** Keeps every sample a transport records; an exception from scenario code fails the test. */
export class SampleLog implements Recorder {
  readonly samples: RecordedSample[] = [];
  record(type: string, name: string, latencyUs: number, bytes: number, error?: SampleError): void {
    this.samples.push({ type, name, latencyUs, bytes, error });
  }
  exception(err: unknown): void {
    throw err;
  }
  ofType(type: string): RecordedSample[] {
    return this.samples.filter((s) => s.type === type);
  }
}

/**
 * The contract every run output keeps: its name, the flag that turns it on,
 * and whether it writes once the run is over or streams while it goes. A
 * streaming output is a set of run listeners (the same events a scenario
 * listens to) writing into a file it opened before the load.
 */
import type { RunListeners } from '../metrics/events.js';
import type { RunResult } from '../report/run-result.js';

/** `--out NAME=PATH` as given on the command line. */
export interface OutputRequest {
  name: string;
  path: string;
}

interface OutputBase {
  /** The NAME in `--out NAME=PATH`. */
  readonly name: string;
  /** The flag as the user writes it, for messages: `--out json`. */
  readonly flag: string;
}

/** An output written while the run goes. */
export interface StreamOutput extends OutputBase {
  readonly mode: 'stream';
  /** Opens (truncates) `path` now, before the load. @throws on a file that cannot be opened. */
  open(path: string): OpenOutput;
}

/** An output written once, from the run's result. */
export interface EndOutput extends OutputBase {
  readonly mode: 'end';
  /** @returns the files written (default: [path]). */
  write(path: string, result: RunResult): Promise<string[] | void>;
}

export type Output = StreamOutput | EndOutput;

/**
 * An output as the registry lists it: what the command line and --help need,
 * and the implementation, loaded only when a run asks for it (--help and
 * usage errors stay light).
 */
export interface OutputEntry {
  /** The NAME in `--out NAME=PATH`. */
  readonly name: string;
  /** One line for --help and the docs. */
  readonly description: string;
  load(): Promise<Output>;
}

/** A streaming output at work: its listeners, and how it ends. */
export interface OpenOutput {
  readonly listeners: RunListeners;
  /** Ends the file (idempotent). @returns the first write error, if one stopped the output. */
  close(): unknown;
}

/**
 * The contract every output keeps: its name, the flag that turns it on, and
 * whether it writes once the run is over or streams while it goes. The
 * reports (`--csv`, `--json`, `--html`, `--junit`, `--sarif`,
 * `--summary-export`) are written at the end, each from its own flag; `--out
 * NAME=PATH` adds more, written at the end or streamed. A streaming output is
 * a set of run listeners (the same events a scenario listens to) writing
 * into a file it opened before the load. outputs.ts lists them all.
 */
import type { Comparison } from '../report/comparison.js';
import type { RunListeners } from '../metrics/events.js';
import type { ProbeResult } from '../report/probe-result.js';
import type { RunResult } from '../report/run-result.js';

/** The reports a run, `merge` or `probe` writes at the end, each the option of its own flag. */
export type ReportOption = 'csv' | 'json' | 'html' | 'junit' | 'sarif' | 'summaryExport';

/** The paths the report flags gave, by option: `{ json: 'out/run.json' }`. */
export type ReportOptions = { [K in ReportOption]?: string };

/** `--out NAME=PATH` (repeatable): the outputs of outputs.ts; streaming ones are opened by the run itself. */
export interface OutputOptions {
  out?: OutputRequest[];
}

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

/** What an output written at the end knows besides the result. */
export interface EndContext {
  /** The exit code the run ends with (k6's summary export holds it). */
  exitCode: number;
  /** `run --baseline`: the run compared with the baseline (the HTML report draws it). */
  comparison?: Comparison;
}

/** An output written once, from the run's result. */
export interface EndOutput extends OutputBase {
  readonly mode: 'end';
  /** @returns the files written (default: [path]). */
  write(path: string, result: RunResult, context: EndContext): Promise<string[] | void>;
  /** The same report for `mcpload probe`, when it has one; `endpoint` is the MCP URL the checks spoke to. */
  writeProbe?(path: string, probe: ProbeResult, endpoint: string): Promise<void>;
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

/** A report as the registry lists it: turned on by its own flag, written at the end, loaded when asked for. */
export interface ReportEntry {
  /** The key in ReportOptions (the flag's name in camel case). */
  readonly option: ReportOption;
  /** `--summary-export` */
  readonly flag: string;
  /** `<file>`, or `<prefix>` for several files. */
  readonly argument: string;
  /** One line for --help of run and merge. */
  readonly description: string;
  /** The line for --help of probe; absent when probe does not write this report. */
  readonly probeDescription?: string;
  load(): Promise<EndOutput>;
}

/** A streaming output at work: its listeners, and how it ends. */
export interface OpenOutput {
  readonly listeners: RunListeners;
  /** Ends the file (idempotent). @returns the first write error, if one stopped the output. */
  close(): unknown;
}

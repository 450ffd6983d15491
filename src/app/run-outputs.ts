/**
 * The `--out` outputs of one run: each streaming one opens its file before
 * the load and listens to the run's events; at the end, what could not be
 * written is said as report failures are.
 */
import type { RunEvents } from '../metrics/events.js';
import type { OpenOutput, OutputRequest } from '../reporters/output.js';
import { loadOutput } from '../reporters/outputs.js';
import { describeFileError } from '../reporters/report-file.js';
import { RunSetupError } from './run-setup-error.js';

export interface OpenOutputs {
  /** Ends every file (idempotent); one line per output that failed: `--out json=live.jsonl: no space left on the device (ENOSPC)`. */
  close(): string[];
}

/** Why `--out` cannot be used by this run mode, or undefined. */
export function outputModeProblem(opts: { out?: readonly OutputRequest[]; headless: boolean }): string | undefined {
  if (opts.out === undefined || opts.out.length === 0) return undefined;
  if (!opts.headless) return '--out streams from a headless run: add --headless';
  return undefined;
}

/** @throws RunSetupError when a file cannot be opened (its path was checked before; this is the rare race). */
export async function openOutputs(requests: readonly OutputRequest[] | undefined, events: RunEvents): Promise<OpenOutputs> {
  const opened: Array<{ label: string; output: OpenOutput }> = [];
  const close = () => opened.flatMap(({ label, output }) => {
    const failure = output.close();
    return failure === undefined ? [] : [`${label}: ${describeFileError(failure)}`];
  });
  for (const { name, path } of requests ?? []) {
    const output = await loadOutput(name);
    // Written-at-the-end outputs go with the reports (reports.ts).
    if (output?.mode !== 'stream') continue;
    const label = `${output.flag}=${path}`;
    try {
      const open = output.open(path);
      events.add(open.listeners);
      opened.push({ label, output: open });
    } catch (err) {
      close();
      throw new RunSetupError(`${label}: ${describeFileError(err)}`);
    }
  }
  return { close };
}

/** Says each output that was not written whole; the exit code becomes 1 for it when the run would have passed. */
export function exitCodeWithOutputs(code: number, failures: readonly string[], io: { out(text: string): void; err(text: string): void }): number {
  for (const line of failures) io.err(`error: output not written whole: ${line}`);
  if (failures.length === 0 || code !== 0) return code;
  io.out(`exit code 1: ${failures.length === 1 ? 'an output was' : `${failures.length} outputs were`} not written whole\n`);
  return 1;
}

/**
 * `--otel` for one run: loads the OpenTelemetry export (and with it the SDK)
 * only now, has it listen to the run's requests and gives its tracer to the
 * users' HTTP clients, before the first user starts.
 */
import type { RunIo } from './conclude.js';
import { RunSetupError } from './run-setup-error.js';
import type { TestRun } from './test-run.js';
import type { OtelExport } from '../reporters/otel.js';

/** Why `--otel` cannot be used by this run mode, or undefined. */
export function otelModeProblem(opts: { otel?: boolean; headless: boolean; processes?: number }): string | undefined {
  if (opts.otel !== true) return undefined;
  if (opts.processes !== undefined && opts.processes > 1) return '--otel exports from one process: leave out --processes';
  if (!opts.headless) return '--otel exports from a headless run: add --headless';
  return undefined;
}

/** @throws RunSetupError when an OTEL_* value makes the SDK refuse to start. */
export async function startOtel(run: TestRun, io: RunIo): Promise<OtelExport> {
  const { openOtelExport } = await import('../reporters/otel.js');
  let otel: OtelExport;
  try {
    otel = openOtelExport({ users: () => run.userCount, warn: (line) => io.err(line), note: (line) => io.err(`note: ${line}`) });
  } catch (err) {
    throw new RunSetupError(`--otel: ${err instanceof Error ? err.message : String(err)}`);
  }
  run.events.add(otel.listeners);
  run.requestTracer = otel.tracer;
  return otel;
}

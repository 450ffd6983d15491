/**
 * `--otel` for one run: loads the OpenTelemetry export (and with it the SDK)
 * only now, has it listen to the run's requests and gives its tracer to the
 * users' HTTP clients, before the first user starts.
 */
import type { RunIo } from './conclude.js';
import { RunSetupError } from './run-setup-error.js';
import type { TestRun } from './test-run.js';
import type { OtelExport } from '../reporters/otel.js';
import type { Attributes } from '@opentelemetry/api';

/**
 * Why `--otel` cannot be used by this run mode, or undefined. Over
 * `--processes` and `--worker`s each worker exports its own share, told
 * apart by `mcpload.worker.index`: a collector adds them up, as it does for
 * any service with many instances.
 */
export function otelModeProblem(opts: { otel?: boolean; headless: boolean }): string | undefined {
  if (opts.otel !== true) return undefined;
  if (!opts.headless) return '--otel exports from a headless run: add --headless';
  return undefined;
}

/** @throws RunSetupError when an OTEL_* value makes the SDK refuse to start. */
export async function startOtel(run: TestRun, io: Pick<RunIo, 'err'>, resource?: Attributes): Promise<OtelExport> {
  const { openOtelExport } = await import('../reporters/otel.js');
  let otel: OtelExport;
  try {
    otel = openOtelExport({ users: () => run.userCount, warn: (line) => io.err(line), note: (line) => io.err(`note: ${line}`), resource });
  } catch (err) {
    throw new RunSetupError(`--otel: ${err instanceof Error ? err.message : String(err)}`);
  }
  run.events.add(otel.listeners);
  run.requestTracer = otel.tracer;
  return otel;
}

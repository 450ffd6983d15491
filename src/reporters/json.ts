/** `--json`: the run's result as pretty JSON, settings redacted; `mcpload merge` reads it back. */
import { redactSettings } from '../report/redact.js';
import type { RunResult } from '../report/run-result.js';
import { writeReportFile } from './report-file.js';

/** Writes the result as pretty JSON (settings redacted), creating the parent directory; atomic via rename. */
export async function writeJsonReport(file: string, result: RunResult): Promise<void> {
  await writeReportFile(file, `${JSON.stringify({ ...result, settings: redactSettings(result.settings) }, null, 2)}\n`);
}

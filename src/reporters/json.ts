/** `--json`: the run's result as pretty JSON, settings redacted (`mcpload merge` reads it back); a probe's checks with their evidence. */
import { redactSettings } from '../report/redact.js';
import type { RunResult } from '../report/run-result.js';
import type { EndOutput } from './output.js';
import { writeReportFile } from './report-file.js';

/** Writes the result as pretty JSON (settings redacted), creating the parent directory; atomic via rename. */
export async function writeJsonReport(file: string, result: RunResult): Promise<void> {
  await writeReportFile(file, `${JSON.stringify({ ...result, settings: redactSettings(result.settings) }, null, 2)}\n`);
}

export const jsonReport: EndOutput = {
  name: 'json', flag: '--json', mode: 'end',
  write: (file, result) => writeJsonReport(file, result),
  // The evidence in it is redacted already (ProbeContext redacts every exchange).
  writeProbe: (file, probe) => writeReportFile(file, `${JSON.stringify(probe, null, 2)}\n`),
};

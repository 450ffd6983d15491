/** `mcpload compare --json FILE`: the comparison model as pretty JSON. */
import type { Comparison } from '../report/comparison.js';
import { writeReportFile } from './report-file.js';

/** The JSON text; `kind` and `tool` let a reader tell it from a run's result. */
export function formatComparisonJson(comparison: Comparison): string {
  return `${JSON.stringify({ tool: 'mcpload', kind: 'comparison', ...comparison }, null, 2)}\n`;
}

export async function writeComparisonJson(file: string, comparison: Comparison): Promise<void> {
  await writeReportFile(file, formatComparisonJson(comparison));
}

/**
 * `mcpload compare --junit FILE`: one test case per `--fail-on` condition per
 * entry it was judged on; a condition that failed is a failure, one that could
 * not be judged (too few samples, entry in one run only) is skipped.
 */
import type { Comparison } from '../report/comparison.js';
import { formatJUnit, type JUnitSuite } from './junit.js';
import { writeReportFile } from './report-file.js';

export function comparisonSuite(comparison: Comparison, timestamp: string): JUnitSuite {
  return {
    name: 'compare',
    timestamp,
    timeS: 0,
    cases: comparison.checks.map((c) => ({
      name: `${c.expr} [${c.type ? `${c.type} ${c.name}` : c.name}]`,
      classname: 'compare',
      timeS: 0,
      outcome: c.outcome === 'fail' ? 'failure' : c.outcome === 'skipped' ? 'skipped' : 'pass',
      message: c.message,
    })),
  };
}

export function formatComparisonJUnit(comparison: Comparison, timestamp = new Date().toISOString()): string {
  return formatJUnit([comparisonSuite(comparison, timestamp)], 'mcpload compare');
}

export async function writeComparisonJUnit(file: string, comparison: Comparison): Promise<void> {
  await writeReportFile(file, formatComparisonJUnit(comparison));
}

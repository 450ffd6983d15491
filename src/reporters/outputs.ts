/**
 * The registry of outputs: every report a flag turns on (REPORTS, read by
 * run, merge, probe and the web UI) and every output `--out NAME=PATH` can
 * ask for (OUTPUTS). Add one by writing its file (see output.ts for the
 * contract) and one entry here. Each implementation is loaded only when
 * asked for, so that --help and a usage error stay light.
 */
import type { Output, OutputEntry, ReportEntry, ReportOption, ReportOptions } from './output.js';

/** By option, so that a report option without an entry does not build. */
const REPORT_ENTRIES: { readonly [K in ReportOption]: ReportEntry & { readonly option: K } } = {
  csv: {
    option: 'csv', flag: '--csv', argument: '<prefix>',
    description: 'write PREFIX_stats.csv, PREFIX_stats_history.csv, PREFIX_failures.csv, PREFIX_exceptions.csv',
    load: async () => (await import('./csv.js')).csvReport,
  },
  json: {
    option: 'json', flag: '--json', argument: '<file>',
    description: 'write the full result (mergeable histograms included)',
    probeDescription: 'write every check with its evidence as JSON',
    load: async () => (await import('./json.js')).jsonReport,
  },
  html: {
    option: 'html', flag: '--html', argument: '<file>',
    description: 'write a self-contained HTML report (charts, tables, settings) that opens offline',
    load: async () => (await import('./html.js')).htmlReport,
  },
  junit: {
    option: 'junit', flag: '--junit', argument: '<file>',
    description: 'write JUnit XML: each threshold and each security row a test case',
    probeDescription: 'write JUnit XML (each check a test case)',
    load: async () => (await import('./junit.js')).junitReport,
  },
  sarif: {
    option: 'sarif', flag: '--sarif', argument: '<file>',
    description: 'write SARIF 2.1.0: each security row a result',
    probeDescription: 'write SARIF 2.1.0 (for code-scanning dashboards)',
    load: async () => (await import('./sarif.js')).sarifReport,
  },
  summaryExport: {
    option: 'summaryExport', flag: '--summary-export', argument: '<file>',
    description: "write k6's end-of-test summary as JSON (metrics with their aggregates, thresholds, checks)",
    load: async () => (await import('./summary-export.js')).summaryExportReport,
  },
};

/** The reports in the order they are checked, written and listed in --help. */
export const REPORTS: readonly ReportEntry[] = Object.freeze(Object.values(REPORT_ENTRIES));

/** The reports `opts` asks for, each with its path. */
export function reportsAskedFor(opts: ReportOptions): Array<{ entry: ReportEntry; path: string }> {
  return REPORTS.flatMap((entry) => {
    const path = opts[entry.option];
    return path === undefined || path === '' ? [] : [{ entry, path }];
  });
}

export const OUTPUTS: readonly OutputEntry[] = Object.freeze([
  {
    name: 'json',
    description: 'JSON lines: one object per entry per second (counts, percentiles, totals so far)',
    load: async () => (await import('./json-lines.js')).jsonLinesOutput,
  },
  {
    name: 'csv',
    description: 'CSV: the same figures as --out json, a row per entry per second',
    load: async () => (await import('./csv-lines.js')).csvLinesOutput,
  },
]);

/** The implementation of the output `name`, loaded; undefined for a name no entry has. */
export function loadOutput(name: string): Promise<Output | undefined> {
  return OUTPUTS.find((entry) => entry.name === name)?.load() ?? Promise.resolve(undefined);
}

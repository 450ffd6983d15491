/**
 * The summary line for the server processes a run started (`--stdio`):
 * how many, their CPU and their memory, from metrics/process-usage.ts.
 */
import type { ProcessUsageReport } from '../metrics/process-usage.js';

/** One line: `server processes: 5 (peak) · CPU avg 12.3% max 40.1% of one core · RSS avg 210 MB max 230 MB (largest 48 MB)`. */
export function formatProcessUsage(report: ProcessUsageReport): string {
  if (!report.available) return `server processes: CPU and memory not sampled (${report.reason ?? 'unavailable'})`;
  if (report.series.length === 0) return 'server processes: no sample taken (the run was shorter than a second)';
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `server processes: ${report.peakProcesses} at most · CPU avg ${report.cpuPercent.avg}% max ${report.cpuPercent.max}% of one core · ` +
    `RSS avg ${mb(report.rssBytes.avg)} max ${mb(report.rssBytes.max)} (largest process ${mb(report.rssBytes.maxPerProcess)})`;
}

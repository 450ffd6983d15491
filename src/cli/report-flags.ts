/**
 * The report flags, declared from the registry (reporters/outputs.ts): run
 * and merge offer every report, probe those with a probe form. A new report
 * is an entry there, and every command that writes reports offers it.
 */
import type { Command, OptionValues } from 'commander';
import type { ReportOptions } from '../reporters/output.js';
import { REPORTS } from '../reporters/outputs.js';

/** Adds `--csv <prefix>`, `--json <file>`, ... to `command`; `probe`: only the reports probe writes. */
export function addReportOptions(command: Command, probe = false): Command {
  for (const report of REPORTS) {
    const description = probe ? report.probeDescription : report.description;
    if (description !== undefined) command.option(`${report.flag} ${report.argument}`, description);
  }
  return command;
}

/** The report paths commander parsed, by option. */
export function reportOptionsFrom(o: OptionValues, probe = false): ReportOptions {
  const offered = REPORTS.filter((report) => !probe || report.probeDescription !== undefined);
  return Object.fromEntries(offered.map((report) => [report.option, o[report.option] as string | undefined]));
}

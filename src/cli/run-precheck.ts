/**
 * What the relaying parent of `mcpload run` (relaunch.ts) checks before it
 * starts the run process: the command line, environment and config file,
 * read by the same `run` definitions as the run itself, and the report
 * paths. A usage error (a bad flag, `-u 0`, a report path under /proc) is
 * then one line and exit 2 from one Node start, without loading the run or
 * starting a second process. The run process checks again (the same code):
 * it is also started without this parent (Windows, a young generation set by hand).
 */
import type { Command, OptionValues } from 'commander';
import { checkReportPaths } from '../app/report-paths.js';
import { adoptLegacyEnv } from './env-command.js';
import { parseWithExitPolicy } from './exit-policy.js';
import { programShell } from './program-shell.js';
import { addRunCommand, resolveRunSettings } from './run-cli.js';

/** Undefined when `mcpload run` may start; else the exit code (help printed: 0; a usage error printed: 2). */
export async function precheckRun(argv: string[]): Promise<number | undefined> {
  adoptLegacyEnv(process.env);
  let clean = false;
  const program = programShell();
  addRunCommand(program, () => undefined).action((positional: string | undefined, _o: OptionValues, command: Command) => {
    const { opts, list } = resolveRunSettings(command, positional);
    if (!list) checkReportPaths(opts);
    clean = true;
  });
  const code = await parseWithExitPolicy(program, argv);
  return clean ? undefined : code;
}

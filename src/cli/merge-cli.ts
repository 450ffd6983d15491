/**
 * The `mcpload merge` command: options and help only; the work is in
 * src/app/merge-command.ts, loaded when the command runs.
 */
import type { Command } from 'commander';
import { addReportOptions, reportOptionsFrom } from './report-flags.js';

/** Adds `merge` to `program`; `onStart` lets main know the command finishes (exit when done). */
export function addMergeCommand(program: Command, onStart: () => void): Command {
  const merge = program
    .command('merge')
    .description('merge result files (run --json) from separate runs or machines into one result and one set of reports')
    .argument('<files...>', 'result JSON files');
  return addReportOptions(merge)
    .addHelpText('after', '\nExample:\n  mcpload merge a.json b.json --csv out/merged --json out/merged.json')
    .action(async (files: string[], o) => {
      onStart();
      const { runMerge } = await import('../app/merge-command.js');
      process.exitCode = await runMerge(files, reportOptionsFrom(o), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t + '\n') });
    });
}

/**
 * The `mcpload compare` command: options and help only; the work is in
 * src/app/compare-command.ts, loaded when the command runs.
 */
import type { Command } from 'commander';
import type { ChangeCondition } from '../metrics/change-conditions.js';
import { collectConditions, FAIL_ON_HELP, FAIL_ON_NOISE_HELP } from './fail-on-options.js';

/** Adds `compare` to `program`; `onStart` lets main know the command finishes (exit when done). */
export function addCompareCommand(program: Command, onStart: () => void): Command {
  return program
    .command('compare')
    .description('compare two run results (run --json): each entry side by side with the change and whether it is larger than the noise')
    .argument('<base>', 'the base result JSON (before the change)')
    .argument('<current>', 'the current result JSON (after the change)')
    .option('--fail-on <expr...>', FAIL_ON_HELP, collectConditions, [])
    .option('--fail-on-noise', FAIL_ON_NOISE_HELP, false)
    .option('--markdown', 'print the comparison as Markdown (a pull-request comment) instead of the console table', false)
    .option('--json <file>', 'write the comparison as JSON')
    .option('--junit <file>', 'write JUnit XML: one test case per --fail-on condition per entry it was judged on')
    .addHelpText('after', [
      '',
      'Examples:',
      "  mcpload compare base.json new.json --fail-on 'p95>+10%' 'error_rate>+0.5pp'",
      "  mcpload compare base.json new.json --markdown --fail-on '*:p99>+50ms' > comment.md",
      '',
      'Exit codes: 0 no --fail-on condition failed; 1 one did (a regression); 2 bad input (a file, an expression).',
    ].join('\n'))
    .action(async (baseFile: string, currentFile: string, o) => {
      onStart();
      const { runCompare } = await import('../app/compare-command.js');
      process.exitCode = await runCompare(baseFile, currentFile, {
        failOn: o.failOn as ChangeCondition[], failOnNoise: o.failOnNoise === true, markdown: o.markdown === true, json: o.json, junit: o.junit,
      }, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t + '\n') });
    });
}

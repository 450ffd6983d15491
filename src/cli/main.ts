/**
 * The mcpload command line: parses, runs the command, and owns the exit
 * policy. Usage errors print one line and exit 2; help and version exit 0.
 */
import { CommanderError } from 'commander';
import { RunSetupError } from '../app/run-test.js';
import { ScenarioError } from '../scenarios/loader.js';
import { adoptLegacyEnv } from './env-command.js';
import { buildProgram } from './program.js';
import { UsageError } from './usage-error.js';

/** Set by commands that finish (run); serve keeps the process alive until a signal. */
let exitWhenDone = false;

function isUsageProblem(err: unknown): boolean {
  return err instanceof UsageError || err instanceof RunSetupError || err instanceof ScenarioError || (err as Error)?.name === 'ThresholdError';
}

export async function main(argv: string[]): Promise<number> {
  adoptLegacyEnv(process.env);
  const program = buildProgram({ finishes: () => (exitWhenDone = true) });
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version are not errors; commander already printed the message
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: ${message.split('\n')[0]}\n`);
    return isUsageProblem(err) ? 2 : 1;
  }
}

const code = await main(process.argv);
if (exitWhenDone || code !== 0) {
  // A finished test exits now, even if a target left a socket half-open.
  process.stdout.write('', () => process.exit(code));
} else {
  process.exitCode = code;
}

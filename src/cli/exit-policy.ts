/**
 * The exit policy of every command: usage errors print one line and exit 2;
 * other failures one line and exit 1; help and version exit 0. Light, for
 * main and for the checks the relaying parent of `mcpload run` makes first.
 */
import { CommanderError, type Command } from 'commander';
import { RunSetupError } from '../app/run-setup-error.js';
import { ScenarioError } from '../scenarios/loader.js';
import { UsageError } from './usage-error.js';

function isUsageProblem(err: unknown): boolean {
  return err instanceof UsageError || err instanceof RunSetupError || err instanceof ScenarioError || (err as Error)?.name === 'ThresholdError';
}

/** Parses `argv` and runs the command's action; the exit code, any failure already printed as one line. */
export async function parseWithExitPolicy(program: Command, argv: string[]): Promise<number> {
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

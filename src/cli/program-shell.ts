/**
 * The mcpload program without its commands: name, version, the output and
 * error policy every command shares, and the environment hook. Light (no
 * command loaded), so the relaying parent of `mcpload run` can build a
 * program with `run` alone to check its command line (run-precheck.ts).
 */
import { VERSION } from '../version.js';
import { EnvCommand, readBooleanEnv } from './env-command.js';

/**
 * Commander's errors can span lines ("unknown option '--user'" then
 * "(Did you mean --users?)"): printed as one line, suggestion kept.
 */
export function oneLineError(text: string): string {
  return text.trim().split('\n').map((l) => l.trim()).filter(Boolean).join(' ') + '\n';
}

export function programShell(): EnvCommand {
  const program = new EnvCommand('mcpload')
    .description('Load tester and security prober for Model Context Protocol servers')
    .version(VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(oneLineError(text)) })
    .addHelpText('after', "\nStart with: mcpload run --headless -u 20 -r 5 -t 30s   (see 'mcpload run --help')\nExit codes: 0 passed, 1 failed, 2 bad input (before any load).");
  // Runs for every subcommand's action, before it: boolean options from the environment.
  program.hook('preAction', (_program, command) => readBooleanEnv(command));
  return program;
}

/**
 * The mcpload program: every command assembled, with the output and error
 * policy they share. Built without side effects, so the CLI reference
 * (docs/cli.md) can be rendered from the same definitions.
 */
import type { Command } from 'commander';
import { VERSION } from '../version.js';
import { addClientCommand } from './client-cli.js';
import { EnvCommand, readBooleanEnv } from './env-command.js';
import { addInitCommand } from './init-cli.js';
import { addMergeCommand } from './merge-cli.js';
import { addProbeCommand } from './probe-cli.js';
import { addRunCommand } from './run-cli.js';
import { addServeCommand } from './serve-cli.js';

export interface ProgramHooks {
  /** A command that finishes (run, probe, ...) started: the process exits when it is done, even with sockets left open. */
  finishes(): void;
}

/**
 * Commander's errors can span lines ("unknown option '--user'" then
 * "(Did you mean --users?)"): printed as one line, suggestion kept.
 */
export function oneLineError(text: string): string {
  return text.trim().split('\n').map((l) => l.trim()).filter(Boolean).join(' ') + '\n';
}

export function buildProgram(hooks: ProgramHooks = { finishes: () => {} }): Command {
  const program = new EnvCommand('mcpload')
    .description('Load tester and security prober for Model Context Protocol servers')
    .version(VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(oneLineError(text)) })
    .addHelpText('after', "\nStart with: mcpload run --headless -u 20 -r 5 -t 30s   (see 'mcpload run --help')\nExit codes: 0 passed, 1 failed, 2 bad input (before any load).");
  // Runs for every subcommand's action, before it: boolean options from the environment.
  program.hook('preAction', (_program, command) => readBooleanEnv(command));
  const finishes = () => hooks.finishes();
  addRunCommand(program, finishes);
  addMergeCommand(program, finishes);
  addProbeCommand(program, finishes);
  addClientCommand(program, finishes);
  addInitCommand(program, finishes);
  addServeCommand(program);
  return program;
}

/**
 * The mcpload program: every command assembled, with the output and error
 * policy they share. Built without side effects, so the CLI reference
 * (docs/cli.md) can be rendered from the same definitions.
 */
import type { Command } from 'commander';
import { addClientCommand } from './client-cli.js';
import { addCompareCommand } from './compare-cli.js';
import { addInitCommand } from './init-cli.js';
import { addKubeCommand } from './kube-cli.js';
import { addMergeCommand } from './merge-cli.js';
import { addProbeCommand } from './probe-cli.js';
import { addRecordCommand } from './record-cli.js';
import { programShell } from './program-shell.js';
import { addRunCommand } from './run-cli.js';
import { addServeCommand } from './serve-cli.js';

export { oneLineError } from './program-shell.js';

export interface ProgramHooks {
  /** A command that finishes (run, probe, ...) started: the process exits when it is done, even with sockets left open. */
  finishes(): void;
}

export function buildProgram(hooks: ProgramHooks = { finishes: () => {} }): Command {
  const program = programShell();
  const finishes = () => hooks.finishes();
  addRunCommand(program, finishes);
  addMergeCommand(program, finishes);
  addCompareCommand(program, finishes);
  addProbeCommand(program, finishes);
  addClientCommand(program, finishes);
  addRecordCommand(program, finishes);
  addInitCommand(program, finishes);
  addServeCommand(program);
  addKubeCommand(program);
  return program;
}

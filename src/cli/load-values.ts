/**
 * Parsers for the load-model and scaling options (--arrival-rate, --stages,
 * --user-stages, --max-users, --processes). Same contract as values.ts: one-line
 * InvalidArgumentError messages, so the CLI exits 2.
 */
import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from 'commander';
import { parseStages } from '../engine/arrival-plan.js';
import { parseUserStages } from '../engine/shape.js';

/** `"30s:100,2m:500,30s:0"`: checked now, kept as text (it goes to reports as given). */
export function parseStagesOption(text: string): string {
  try {
    parseStages(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return text;
}

/** `"30s:50,1m:50,30s:0"` (user counts): checked now, kept as text like --stages. */
export function parseUserStagesOption(text: string): string {
  try {
    parseUserStages(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return text;
}

export function parsePositiveInt(text: string): number {
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`"${text}" is not a whole number >= 1`);
  return n;
}

/** A process count: N >= 1, or -1 for one per core. */
export function parseProcesses(text: string): number {
  if (text.trim() === '-1') return availableParallelism();
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < 1 || n > 1024) {
    throw new InvalidArgumentError(`"${text}" is not a process count (1-1024, or -1 for all cores)`);
  }
  return n;
}

/**
 * Every output `--out NAME=PATH` can ask for: add an output by writing its
 * file (see output.ts for the contract) and one entry here.
 */
import type { Output, OutputEntry } from './output.js';

export const OUTPUTS: readonly OutputEntry[] = Object.freeze([
  {
    name: 'json',
    description: 'JSON lines: one object per entry per second (counts, percentiles, totals so far)',
    load: async () => (await import('./json-lines.js')).jsonLinesOutput,
  },
  {
    name: 'csv',
    description: 'CSV: the same figures as --out json, a row per entry per second',
    load: async () => (await import('./csv-lines.js')).csvLinesOutput,
  },
]);

/** The implementation of the output `name`, loaded; undefined for a name no entry has. */
export function loadOutput(name: string): Promise<Output | undefined> {
  return OUTPUTS.find((entry) => entry.name === name)?.load() ?? Promise.resolve(undefined);
}

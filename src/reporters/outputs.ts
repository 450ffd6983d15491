/**
 * Every output `--out NAME=PATH` can ask for: add an output by writing its
 * file (see output.ts for the contract) and one line here.
 */
import { csvLinesOutput } from './csv-lines.js';
import { jsonLinesOutput } from './json-lines.js';
import type { Output } from './output.js';

export const OUTPUTS: readonly Output[] = Object.freeze([jsonLinesOutput, csvLinesOutput]);

export function outputNamed(name: string): Output | undefined {
  return OUTPUTS.find((output) => output.name === name);
}

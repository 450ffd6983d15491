/**
 * The value parsers of values/option-values.ts as commander wants them: each
 * throws commander's InvalidArgumentError, so the CLI prints one line naming
 * the option and exits 2.
 */
import { InvalidArgumentError } from 'commander';
import * as values from '../values/option-values.js';

export { collect, formatDuration, humanDuration, parseNameList } from '../values/option-values.js';

/** `parse` with its ValueError (or any error) turned into commander's InvalidArgumentError. */
export function optionParser<A extends unknown[], T>(parse: (...args: A) => T): (...args: A) => T {
  return (...args: A): T => {
    try {
      return parse(...args);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}

export const parseDurationMs = optionParser(values.parseDurationMs);
export const parsePositiveDurationMs = optionParser(values.parsePositiveDurationMs);
export const parseNonNegativeInt = optionParser(values.parseNonNegativeInt);
export const parsePositiveNumber = optionParser(values.parsePositiveNumber);
export const parsePort = optionParser(values.parsePort);
export const parseHttpUrl = optionParser(values.parseHttpUrl);
export const parseHeader = optionParser(values.parseHeader);
export const parseTaskMode = optionParser(values.parseTaskMode);

/** `--fail-on` and `--fail-on-noise`, shared by `compare` and `run --baseline`: light (the parser only). */
import { parseChangeCondition, type ChangeCondition } from '../metrics/change-conditions.js';
import { optionParser } from './values.js';

const parseCondition = optionParser(parseChangeCondition);

/** Commander's collector for repeatable, variadic `--fail-on`: each expression parsed at once (a bad one exits 2 before anything). */
export function collectConditions(value: string, previous: ChangeCondition[] = []): ChangeCondition[] {
  return [...previous, parseCondition(value)];
}

export const FAIL_ON_HELP = "exit 1 when this change holds, e.g. 'p95>+10%' 'p99>+50ms' 'error_rate>+0.5pp' 'rps<-10%' "
  + "'name=add:p95>+10%' ('*:' every entry; no scope: the Aggregated row); latency and error-rate conditions fail only on a significant change";
export const FAIL_ON_NOISE_HELP = 'with --fail-on: fail on a condition that holds even when the change is within the noise (or too few samples)';

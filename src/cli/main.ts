/**
 * The mcpload command line: parses, runs the command, and owns the exit
 * policy. Usage errors print one line and exit 2; help and version exit 0.
 */
import { adoptLegacyEnv } from './env-command.js';
import { parseWithExitPolicy } from './exit-policy.js';
import { buildProgram } from './program.js';

/** Set by commands that finish (run); serve keeps the process alive until a signal. */
let exitWhenDone = false;

export async function main(argv: string[]): Promise<number> {
  adoptLegacyEnv(process.env);
  return parseWithExitPolicy(buildProgram({ finishes: () => (exitWhenDone = true) }), argv);
}

const code = await main(process.argv);
if (exitWhenDone || code !== 0) {
  // A finished test exits now, even if a target left a socket half-open.
  process.stdout.write('', () => process.exit(code));
} else {
  process.exitCode = code;
}

/**
 * The `mcpload run` flags given to `kube render`, read by `run`'s own
 * definitions (so a bad flag is refused here, exit 2, not in a pod) and
 * sorted: the scenario; the credentials, which go to the Secret, never
 * into args; and the rest, passed to the master Job as they were typed.
 */
import type { Command, Option, OptionValues } from 'commander';
import { envNameOf } from './env-command.js';
import { programShell } from './program-shell.js';
import { addRunCommand, checkCombinations } from './run-cli.js';
import { UsageError } from './usage-error.js';

/** `run` flags holding a secret: each goes to the Secret as the variable `run` reads it from (MCPLOAD_AUTH_TOKEN...). */
const SECRET_FLAGS = new Set(['--auth-token', '--header', '--web-login', '--web-token', '--oauth-client-secret', '--oauth-assertion', '--oauth-id-token']);

/**
 * `kube render` writes these itself, from --workers and its own names (the
 * token comes from the Secret). The master's other settings
 * (--expect-workers-max-wait, --on-worker-loss) pass through like any run flag.
 */
const DISTRIBUTION_FLAGS = [
  '--master', '--worker', '--expect-workers', '--master-host', '--master-port', '--master-bind-host', '--master-bind-port', '--master-token',
];

/** Flags that make no sense in a pod: what they name is on this machine. */
const LOCAL_ONLY: Readonly<Record<string, string>> = {
  config: '--config reads a file on this machine: give its settings as flags',
  list: '-l/--list lists and exits: run it here, without kube render',
};

export interface RunFlagsForKube {
  scenario?: string;
  /** For the master's args, in `run`'s option order. */
  masterFlags: string[];
  /** Secret values by environment variable name. */
  credentials: Record<string, string>;
}

function refuseDistributionFlags(tokens: readonly string[]): void {
  for (const token of tokens) {
    if (token === '--') return;
    const flag = DISTRIBUTION_FLAGS.find((f) => token === f || token.startsWith(`${f}=`));
    if (flag !== undefined) throw new UsageError(`kube render sets ${flag} itself (from --workers and --name); leave it out`);
  }
}

/** The raw text of every value commander parsed, per option, before its parser turned it into a number or list. */
function recordRawValues(run: Command): Map<Option, string[]> {
  const raw = new Map<Option, string[]>();
  for (const option of run.options) {
    raw.set(option, []);
    // A flag without a value (--security) has nothing to record, and must keep having no parser.
    if (option.isBoolean()) continue;
    const parse = option.parseArg;
    option.argParser((value: string, previous: unknown) => {
      if (typeof value === 'string') raw.get(option)?.push(value);
      if (parse !== undefined) return parse(value, previous);
      // commander's own rule for a variadic option without a parser: the values add up
      if (option.variadic) return previous === option.defaultValue || !Array.isArray(previous) ? [value] : [...previous as unknown[], value];
      return value;
    });
  }
  return raw;
}

/** A value starting with a dash would read as a flag; `--flag=value` keeps it a value. */
function flagWithValue(long: string, value: string): string[] {
  return value.startsWith('-') ? [`${long}=${value}`] : [long, value];
}

function sortFlags(run: Command, raw: Map<Option, string[]>): Pick<RunFlagsForKube, 'masterFlags' | 'credentials'> {
  const masterFlags: string[] = [];
  const credentials: Record<string, string> = {};
  for (const option of run.options) {
    const key = option.attributeName();
    const long = option.long;
    if (long === undefined || run.getOptionValueSource(key) !== 'cli') continue;
    const reason = LOCAL_ONLY[key];
    if (reason !== undefined) throw new UsageError(reason);
    // The scenario is mounted from the ConfigMap; the master is always headless.
    if (key === 'scenario' || key === 'headless') continue;
    const values = raw.get(option) ?? [];
    if (SECRET_FLAGS.has(long)) {
      if (values.length !== 1) throw new UsageError(`${long} given ${values.length} times: kube render puts one value in the Secret (${envNameOf(long)})`);
      credentials[envNameOf(long)] = values[0] ?? '';
      continue;
    }
    if (values.length === 0) masterFlags.push(long);
    else for (const value of values) masterFlags.push(...flagWithValue(long, value));
  }
  return { masterFlags, credentials };
}

/** Reads `tokens` as `mcpload run [flags] [scenario]` would; a usage error (one line, exit 2) when run would refuse them. */
export async function runFlagsForKube(tokens: readonly string[]): Promise<RunFlagsForKube> {
  refuseDistributionFlags(tokens);
  const program = programShell();
  const run = addRunCommand(program, () => undefined);
  const raw = recordRawValues(run);
  let positional: string | undefined;
  let options: OptionValues = {};
  run.action((scenario: string | undefined, o: OptionValues) => {
    positional = scenario;
    options = o;
  });
  await program.parseAsync(['run', ...tokens], { from: 'user' });
  // The master runs headless whatever was typed; the checks see it so.
  checkCombinations(run, { ...options, headless: true });
  const flagScenario = run.getOptionValueSource('scenario') === 'cli' ? options.scenario as string : undefined;
  if (positional !== undefined && flagScenario !== undefined && positional !== flagScenario) {
    throw new UsageError(`the scenario argument ${positional} and --scenario ${flagScenario} say two things; give one`);
  }
  const scenario = positional ?? flagScenario;
  // run's own rule (run-cli.ts): the bench scenario is built in.
  if (options.benchMode === true && scenario !== undefined) throw new UsageError('--bench-mode runs its own scenario; leave out the scenario argument');
  return { ...(scenario === undefined ? {} : { scenario }), ...sortFlags(run, raw) };
}

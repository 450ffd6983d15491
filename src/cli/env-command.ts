/**
 * The commander classes every mcpload command is built from: each option
 * reads MCPLOAD_<FLAG> from the environment, and help hides what only
 * clutters it (the env name of every option, "default: false").
 */
import { Command, Help, Option } from 'commander';
import { UsageError } from './usage-error.js';

/** Locust-era variable names still work: they feed the MCPLOAD_ ones. */
const LEGACY_ENV: Readonly<Record<string, string>> = {
  MCP_TEST_HOST: 'MCPLOAD_HOST',
  MCP_TEST_USERS: 'MCPLOAD_USERS',
  MCP_TEST_DURATION: 'MCPLOAD_TIME',
};

/** Copies MCP_TEST_* into their MCPLOAD_ names unless those are set (the newer name wins). */
export function adoptLegacyEnv(env: NodeJS.ProcessEnv): void {
  for (const [legacy, current] of Object.entries(LEGACY_ENV)) {
    if (env[legacy] !== undefined && env[current] === undefined) env[current] = env[legacy];
  }
}

/** `--spawn-rate` → `MCPLOAD_SPAWN_RATE`. */
export function envNameOf(longFlag: string): string {
  return `MCPLOAD_${longFlag.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
}

/** Commander's own flags: not settings. */
const NO_ENV = new Set(['--help', '--version']);

/** Boolean options and the variable each one reads. */
const BOOLEAN_ENV = new WeakMap<Option, string>();

const TRUE = new Set(['', 'true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

/**
 * Sets `command`'s boolean options from their MCPLOAD_ variables where the
 * command line did not: `true`/`false` (`1`/`0`, `yes`/`no`, `on`/`off`; set
 * but empty is true). Run before the action, as commander does for the others.
 */
export function readBooleanEnv(command: Command, env: NodeJS.ProcessEnv = process.env): void {
  for (const option of command.options) {
    const name = BOOLEAN_ENV.get(option);
    const raw = name === undefined ? undefined : env[name];
    if (raw === undefined) continue;
    const key = option.attributeName();
    if (command.getOptionValueSource(key) === 'cli') continue;
    const value = raw.trim().toLowerCase();
    if (!TRUE.has(value) && !FALSE.has(value)) throw new UsageError(`${name}: "${raw}" is not true or false`);
    command.setOptionValueWithSource(key, TRUE.has(value), 'env');
  }
}

class QuietHelp extends Help {
  override optionDescription(option: Option): string {
    // The env name is the same rule for every flag: the help's last lines say it once.
    return super.optionDescription(option)
      .replace(/, env: MCPLOAD_\w+\)$/, ')')
      .replace(/ \(env: MCPLOAD_\w+\)$/, '')
      // Empty collections and false say nothing to a reader.
      .replace(/ \(default: (false|\[\]|\{\})\)$/, '');
  }
}

/**
 * Commander wires an env var only when the option is created with it, hence
 * the factory overrides; subcommands made with `.command()` are EnvCommands too.
 */
export class EnvCommand extends Command {
  override createCommand(name?: string): Command {
    return new EnvCommand(name);
  }

  override createOption(flags: string, description?: string): Option {
    const option = super.createOption(flags, description);
    if (!option.long || NO_ENV.has(option.long)) return option;
    // Commander sets a boolean flag whatever its variable says (MCPLOAD_HEADLESS=false meant true):
    // booleans are read by readBooleanEnv instead, which knows false.
    if (option.isBoolean()) BOOLEAN_ENV.set(option, envNameOf(option.long));
    else option.env(envNameOf(option.long));
    return option;
  }

  override createHelp(): Help {
    return Object.assign(new QuietHelp(), this.configureHelp());
  }
}

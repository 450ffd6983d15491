/**
 * The config file of `mcpload run` (Locust's locust.conf): every flag of the
 * command by its long name, one `name = value` a line, `#` comments;
 * booleans `true`/`false`; lists as `a, b`, `[a, b]` or the name repeated.
 * A `.json` file holds the same names as one object.
 *
 * It fills only what the command line and the environment left unset, so
 * the precedence is: command line, then environment (MCPLOAD_<FLAG>), then
 * the file, then the defaults. A name it does not know or a bad value is a
 * usage error naming the file and line.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command, type Option } from 'commander';
import { didYouMean } from './suggest.js';
import { UsageError } from './usage-error.js';

/** The file `mcpload run` reads from the working folder when --config is not given. */
export const DEFAULT_CONFIG_FILE = 'mcpload.conf';

/** One setting as written: its name, its values (one, or a list), where. */
export interface ConfigEntry {
  key: string;
  values: string[];
  line: number;
}

/** Settings the file may not hold. */
const NOT_SETTINGS = new Set(['help', 'version', 'config']);

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

function unquote(text: string): string {
  const t = text.trim();
  return t.length >= 2 && (t[0] === '"' || t[0] === "'") && t.at(-1) === t[0] ? t.slice(1, -1) : t;
}

/** `[a, b]` → ['a', 'b']; anything else is one value (the option's own parser splits `a, b` where it takes lists). */
function splitValue(text: string): string[] {
  const t = text.trim();
  if (t.startsWith('[') && t.endsWith(']')) return t.slice(1, -1).split(',').map(unquote).filter((v) => v !== '');
  return [unquote(t)];
}

/** `name = value` lines; `#`/`;` comments and `[section]` headers are skipped. */
export function parseIniConfig(text: string, file: string): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || /^\[.*\]$/.test(line)) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new UsageError(`${file}:${index + 1}: expected "name = value", got "${line.slice(0, 60)}"`);
    entries.push({ key: line.slice(0, eq).trim(), values: splitValue(line.slice(eq + 1)), line: index + 1 });
  });
  return entries;
}

/** A JSON object of the same names; the line of each name is looked up in the text, for errors. */
export function parseJsonConfig(text: string, file: string): ConfigEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`${file}: expected a JSON object of settings`);
  const lines = text.split(/\r?\n/);
  return Object.entries(data as Record<string, unknown>).map(([key, value]) => {
    const at = lines.findIndex((l) => l.includes(JSON.stringify(key)));
    // Headers read best as an object: {"header": {"X-Team": "load"}} is header = X-Team: load.
    const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
    const list = isObject ? Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${String(v)}`) : Array.isArray(value) ? value : [value];
    for (const v of list) {
      if (v === null || typeof v === 'object') throw new UsageError(`${file}:${at + 1}: ${key}: expected a string, number, boolean or a list of them`);
    }
    return { key, values: list.map(String), line: at + 1 };
  });
}

/** `--spawn-rate` → `spawn-rate`; `spawn_rate` in a file means the same. */
function keyOf(option: Option): string {
  return (option.long ?? '').replace(/^--/, '');
}

function normalise(key: string): string {
  return key.trim().replace(/^-+/, '').replace(/_/g, '-').toLowerCase();
}

/** Options that take several values: the name may repeat and `[a, b]` lists add up. */
function repeatable(option: Option): boolean {
  const d: unknown = option.defaultValue;
  return option.variadic || Array.isArray(d) || (d !== null && typeof d === 'object');
}

/** The option's value from the file's strings, through the option's own parser (so errors read as on the command line). */
function valueFor(option: Option, entry: ConfigEntry, file: string): unknown {
  const where = `${file}:${entry.line}: ${entry.key}`;
  if (option.isBoolean()) {
    const v = entry.values.length === 1 ? entry.values[0]!.toLowerCase() : '';
    if (TRUE.has(v)) return true;
    if (FALSE.has(v)) return false;
    throw new UsageError(`${where}: "${entry.values.join(', ')}" is not true or false`);
  }
  const many = repeatable(option);
  if (!many && entry.values.length !== 1) throw new UsageError(`${where}: takes one value, got ${entry.values.length}`);
  const d: unknown = option.defaultValue;
  let value: unknown = Array.isArray(d) ? [] : d !== null && typeof d === 'object' ? {} : undefined;
  for (const item of entry.values) {
    if (option.argChoices && !option.argChoices.includes(item)) {
      throw new UsageError(`${where}: "${item}" is not one of ${option.argChoices.join(', ')}`);
    }
    try {
      if (option.parseArg) value = option.parseArg(item, value);
      else value = many ? [...(value as string[]), item] : item;
    } catch (err) {
      if (err instanceof InvalidArgumentError || err instanceof Error) throw new UsageError(`${where}: ${err.message}`);
      throw err;
    }
  }
  return value;
}

/** Which file to read: --config's, else mcpload.conf in `cwd` when there is one. */
export function configFileFor(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit !== undefined) {
    if (!existsSync(explicit)) throw new UsageError(`--config ${explicit}: no such file`);
    return explicit;
  }
  const found = path.join(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(found) ? DEFAULT_CONFIG_FILE : undefined;
}

export function readConfigEntries(file: string): ConfigEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--config ${file}: ${(err as Error).message}`);
  }
  return file.toLowerCase().endsWith('.json') ? parseJsonConfig(text, file) : parseIniConfig(text, file);
}

/**
 * Sets `command`'s options from `entries` where neither the command line nor
 * the environment gave a value. Returns the names it set.
 */
export function applyConfigEntries(command: Command, entries: readonly ConfigEntry[], file: string): string[] {
  const options = new Map<string, Option>();
  for (const option of command.options) if (option.long && !NOT_SETTINGS.has(keyOf(option))) options.set(keyOf(option), option);
  const seen = new Map<string, number>();
  const gathered = new Map<string, ConfigEntry>();
  for (const entry of entries) {
    const key = normalise(entry.key);
    const option = options.get(key);
    if (option === undefined) {
      const why = NOT_SETTINGS.has(key) ? 'is not a setting a config file can hold' : `is not a setting of mcpload ${command.name()}${didYouMean(key, [...options.keys()])}`;
      throw new UsageError(`${file}:${entry.line}: "${entry.key}" ${why}`);
    }
    const first = seen.get(key);
    if (first !== undefined && !repeatable(option)) throw new UsageError(`${file}:${entry.line}: ${key} is set twice (line ${first} and ${entry.line})`);
    seen.set(key, first ?? entry.line);
    const before = gathered.get(key);
    gathered.set(key, before ? { ...before, values: [...before.values, ...entry.values] } : { ...entry, key });
  }
  const applied: string[] = [];
  for (const [key, entry] of gathered) {
    const option = options.get(key)!;
    const value = valueFor(option, entry, file);
    const name = option.attributeName();
    const source = command.getOptionValueSource(name);
    if (source === 'cli' || source === 'env') continue;
    command.setOptionValueWithSource(name, value, 'config');
    applied.push(key);
  }
  return applied;
}

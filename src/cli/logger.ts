/**
 * What `mcpload run` logs (notes, warnings, errors: the lines it writes to
 * stderr), filtered by Locust's levels (--loglevel) and copied with a
 * timestamp to --logfile. The live table and the summary are output, not
 * log lines: they go to stdout whatever the level.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { reportFileProblem } from '../reporters/report-file.js';

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 };

/** `--loglevel`: Locust's names, any case; `warn` is WARNING. */
export function parseLogLevel(text: string): LogLevel {
  const t = text.trim().toUpperCase();
  const level = t === 'WARN' ? 'WARNING' : t;
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new InvalidArgumentError(`"${text}" is not a log level (${LOG_LEVELS.join(', ')})`);
  return level as LogLevel;
}

/**
 * The level of a line mcpload wrote as text: `warning: ...` WARNING,
 * `error: ...` ERROR, anything else (notes, stop messages) INFO. The web
 * UI's lines start with a `[hh:mm:ss] ` clock.
 */
export function levelOfLine(text: string): LogLevel {
  const first = text.trimStart().replace(/^\[[\d:]+\]\s*/, '');
  if (/^(error|fatal)\b/i.test(first)) return 'ERROR';
  if (/^warn(ing)?\b/i.test(first)) return 'WARNING';
  if (/^debug\b/i.test(first)) return 'DEBUG';
  return 'INFO';
}

export interface LoggerOptions {
  level: LogLevel;
  /** Also append every line kept, timestamped, to this file. */
  file?: string;
  /** Where kept lines are shown (stderr). */
  write(line: string): void;
  now?: () => Date;
}

export class Logger {
  private readonly opts: LoggerOptions;

  constructor(opts: LoggerOptions) {
    this.opts = opts;
    if (opts.file !== undefined) {
      // Created (and emptied) now, so a path that cannot be written is a usage error before any load.
      const problem = reportFileProblem(opts.file);
      if (problem !== undefined) throw new Error(problem);
      writeFileSync(opts.file, '');
    }
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.opts.level];
  }

  log(level: LogLevel, text: string): void {
    if (!this.enabled(level)) return;
    this.opts.write(text);
    if (this.opts.file === undefined) return;
    const stamp = (this.opts.now?.() ?? new Date()).toISOString();
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    appendFileSync(this.opts.file, lines.map((l) => `${stamp} ${level} ${l}\n`).join(''));
  }

  /** A line written as text, at the level its prefix says. */
  line(text: string): void {
    this.log(levelOfLine(text), text);
  }

  debug(text: string): void {
    this.log('DEBUG', `debug: ${text}`);
  }
}

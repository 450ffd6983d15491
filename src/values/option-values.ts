/**
 * Values users type, wherever they type them (a flag, the config file, the
 * web UI's form): durations, counts, URLs, headers, name lists, parsed with
 * one-line messages, and durations shown back. On the lowest floor, so that
 * the CLI, the run modes and the web UI share them; cli/values.ts hands them
 * to commander.
 */

/** A typed value that is not what was asked for; the message fits on one line. */
export class ValueError extends Error {
  override name = 'ValueError';
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;

/** `30s`, `2m`, `1h30m`, `500ms`, or a bare number of seconds → milliseconds. */
export function parseDurationMs(text: string): number {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const whole = value.replace(DURATION_PART, '');
  if (value === '' || whole !== '') {
    throw new ValueError(`"${text}" is not a duration (examples: 30s, 2m, 1h30m, 500ms)`);
  }
  let ms = 0;
  for (const [, amount, unit] of value.matchAll(DURATION_PART)) {
    const n = Number(amount);
    ms += unit === 'h' ? n * 3_600_000 : unit === 'm' ? n * 60_000 : unit === 's' ? n * 1000 : n;
  }
  return Math.round(ms);
}

/** The longest delay a timer honours (2^31-1 ms, about 24.8 days); longer ones would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** A duration that must be more than nothing: a run time, a request timeout (0 would end it before it began). */
export function parsePositiveDurationMs(text: string): number {
  const ms = parseDurationMs(text);
  if (ms <= 0) throw new ValueError(`"${text}" is no time at all: give a duration > 0 (examples: 30s, 2m, 500ms)`);
  if (ms > MAX_TIMER_MS) throw new ValueError(`"${text}" is longer than a timer can wait (at most 596h)`);
  return ms;
}

export function parseNonNegativeInt(text: string): number {
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n)) {
    throw new ValueError(`"${text}" is not a whole number >= 0`);
  }
  return n;
}

export function parsePositiveNumber(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new ValueError(`"${text}" is not a number > 0`);
  }
  return n;
}

export function parsePort(text: string): number {
  const n = parseNonNegativeInt(text);
  if (n > 65535) throw new ValueError(`"${text}" is not a port (0-65535)`);
  return n;
}

/** An http(s) URL with a host; the trailing slash is dropped. */
export function parseHttpUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ValueError(`"${text}" is not a URL (example: http://127.0.0.1:8000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValueError(`"${text}" must use http:// or https://`);
  }
  if (url.username || url.password) {
    throw new ValueError('credentials in the URL are not allowed; use --auth-token or --header');
  }
  return url.href.replace(/\/$/, '');
}

/** `Name: value` → [name, value]. */
export function parseHeader(text: string, previous: Record<string, string> = {}): Record<string, string> {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new ValueError(`"${text.slice(0, 40)}" is not a header (expected "Name: value")`);
  return { ...previous, [text.slice(0, colon).trim().toLowerCase()]: text.slice(colon + 1).trim() };
}

/** `--tasks required|optional`: which tools the discovery scenario calls as tasks. */
export function parseTaskMode(text: string): 'required' | 'optional' {
  if (text === 'required' || text === 'optional') return text;
  throw new ValueError(`"${text}" is not a task mode (required: only tools that require tasks; optional: also those that allow them)`);
}

/** `a,b` (repeatable) → ['a', 'b']; blanks dropped. */
export function parseNameList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((n) => n.trim()).filter((n) => n.length > 0)];
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Milliseconds as the user would type them: 30000 → `30s`, 600000 → `10m`, 70000 → `1m10s`, 500 → `500ms`. */
export function humanDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % 1000 !== 0) return ms < 1000 ? `${ms}ms` : `${ms / 1000}s`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

/** Secrets out of the settings a report shows: the JSON and HTML reports and the web UI's settings all redact here. */

export const REDACTED = '[redacted]';
const SECRET_KEY = /token|password|secret|authorization|api[-_]?key|assertion|private[-_]?key/i;
/** Header names that carry credentials without matching SECRET_KEY. */
const SECRET_HEADER = /^(cookie|set-cookie|proxy-authorization)$/i;
/** "scheme://user:password@host" */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#@]*@/i;

function redactString(value: string): string {
  return value.replace(URL_PASSWORD, `$1${REDACTED}@`);
}

/** "Authorization: Bearer x" style header lines, as given on a command line. */
function redactHeaderLine(line: string): string {
  const colon = line.indexOf(':');
  if (colon <= 0) return line;
  const name = line.slice(0, colon).trim();
  return SECRET_KEY.test(name) || SECRET_HEADER.test(name) ? `${line.slice(0, colon)}: ${REDACTED}` : line;
}

function redactValue(value: unknown, inHeaders: boolean, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return inHeaders ? redactHeaderLine(redactString(value)) : redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, inHeaders, seen));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (SECRET_KEY.test(key) || (inHeaders && SECRET_HEADER.test(key))) out[key] = REDACTED;
    else out[key] = redactValue(inner, /^headers$/i.test(key), seen);
  }
  return out;
}

/**
 * A copy of `settings` with the values of secret-looking keys (token,
 * password, secret, authorization, api key, assertion, private key) replaced by "[redacted]", at any
 * depth; inside `headers` also cookies and "Name: value" header lines, and
 * anywhere the password of a URL.
 */
export function redactSettings(settings: Record<string, unknown>): Record<string, unknown> {
  return redactValue(settings, false, new WeakSet()) as Record<string, unknown>;
}

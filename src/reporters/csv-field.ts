/**
 * One CSV field, in a module of its own so that light ones (the `--out csv`
 * stream, which the CLI's start-up reads) quote without loading the reports.
 */

/** Quotes a field when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

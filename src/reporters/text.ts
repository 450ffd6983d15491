/** Small text helpers shared by the console tables. */

/** Control characters (incl. ANSI escape starts) from servers must not reach the terminal. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function clean(text: string): string {
  return text.replace(CONTROL, ' ');
}

/** Cuts to `width` characters, marking the cut with "…". */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/**
 * Cuts to `width` characters by taking out the middle ("/api/v1/reso…/item-7"):
 * both ends stay, where names and error messages say the most.
 */
export function shortenMiddle(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text;
  if (width < 5) return truncate(text, width);
  const head = Math.ceil((width - 1) / 2);
  const tail = width - 1 - head;
  return `${text.slice(0, head)}…${text.slice(text.length - tail)}`;
}

/** `padEnd` for names: shortened in the middle, so that names with a common start stay apart. */
export function padEndMiddle(text: string, width: number): string {
  return shortenMiddle(text, width).padEnd(width);
}

export function padEnd(text: string, width: number): string {
  return truncate(text, width).padEnd(width);
}

export function padStart(text: string, width: number): string {
  return text.padStart(width);
}

/** Milliseconds for tables: two decimals below 10 ms (sub-ms precision), whole ms above. */
export function formatMs(ms: number): string {
  if (ms === 0) return '0';
  return ms < 10 ? ms.toFixed(2) : String(Math.round(ms));
}

/** 75 → "1m15s", 3600 → "1h00m00s", 12 → "12s". */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(s).padStart(2, '0')}s`;
  if (m > 0) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

export function plural(count: number, word: string, words = `${word}s`): string {
  return `${count} ${count === 1 ? word : words}`;
}

/**
 * The Logs tab: what happened to the runs (started, users changed, stopped,
 * reports written, problems), kept as a bounded ring so a long session cannot
 * grow memory. Readers ask for the lines after a sequence number.
 */
import type { LogLine } from '../report/view-model.js';

export const DEFAULT_LOG_LINES = 1000;

export class LogBook {
  private readonly lines: LogLine[] = [];
  /** Sequence number of lines[0]. */
  private first = 0;

  constructor(
    private readonly capacity = DEFAULT_LOG_LINES,
    private readonly echo?: (line: LogLine) => void,
    private readonly now: () => number = Date.now,
  ) {}

  add(level: LogLine['level'], text: string): void {
    const line: LogLine = { at: this.now(), level, text };
    this.lines.push(line);
    if (this.lines.length > this.capacity) {
      this.lines.shift();
      this.first++;
    }
    this.echo?.(line);
  }

  info(text: string): void {
    this.add('info', text);
  }

  warn(text: string): void {
    this.add('warn', text);
  }

  error(text: string): void {
    this.add('error', text);
  }

  /** Sequence number the next line will get. */
  get next(): number {
    return this.first + this.lines.length;
  }

  /** Lines with a sequence number >= `seq` (all kept lines for 0). */
  since(seq: number): LogLine[] {
    return this.lines.slice(Math.max(0, seq - this.first));
  }
}

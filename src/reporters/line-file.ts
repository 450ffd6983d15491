/**
 * A file written a few lines at a time while a run goes (`--out`): each write
 * goes to the file at once (one synchronous write, a few KB a second), so
 * `tail -f` shows every second as it closes. The first failed write stops the
 * file and is kept, to be reported at the end; it never stops the run.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { HistoryRow } from '../metrics/snapshot.js';
import type { OpenOutput, StreamOutput } from './output.js';
import { makeFolder } from './report-file.js';

export class LineFile {
  private fd: number | undefined;
  private failure: unknown;

  /** Opens `file` for writing, truncated, its folder made. @throws the open's error. */
  constructor(file: string) {
    makeFolder(path.dirname(path.resolve(file)));
    this.fd = openSync(file, 'w');
  }

  write(text: string): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, text);
    } catch (err) {
      this.failure = err;
      this.close();
    }
  }

  /** @returns the error that stopped the writes, if one did. */
  close(): unknown {
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      try {
        closeSync(fd);
      } catch (err) {
        this.failure ??= err;
      }
    }
    return this.failure;
  }
}

/** How a line output writes: `header` first (if any), then the lines of each second's rows. */
export interface LineFormat {
  header?: string;
  lines(rows: readonly HistoryRow[]): string;
}

/** An `--out NAME=FILE` output that writes each second's rows as they close; the file ends at testStop. */
export function intervalLinesOutput(name: string, format: LineFormat): StreamOutput {
  return { name, flag: `--out ${name}`, mode: 'stream', open: (file) => openIntervalLines(file, format) };
}

function openIntervalLines(file: string, format: LineFormat): OpenOutput {
  const out = new LineFile(file);
  if (format.header !== undefined) out.write(format.header);
  return {
    listeners: {
      interval: (rows) => out.write(format.lines(rows)),
      testStop: () => void out.close(),
    },
    close: () => out.close(),
  };
}

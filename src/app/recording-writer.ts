/**
 * Writes a recording (src/protocol/recording.ts) line by line, and keeps
 * its sessions' clocks: each session's times are milliseconds since its own
 * start, and its start is an offset from the recording's (monotonic clock),
 * beside the wall-clock time.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { recordingLine, type Direction, type JsonRpcMessage, type RecordingEvent, type RecordingHeader, type SessionStartEvent } from '../protocol/recording.js';
import type { Redactor } from '../protocol/recording-redaction.js';

export class LiveSession {
  ended = false;
  constructor(readonly id: string, readonly startMono: number) {}
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export class RecordingWriter {
  private readonly stream: WriteStream;
  private readonly startMono = performance.now();
  private next = 1;
  private readonly open = new Set<LiveSession>();
  private failure: Error | undefined;

  private constructor(stream: WriteStream, private readonly redactor: Redactor) {
    this.stream = stream;
    stream.on('error', (err) => (this.failure ??= err));
  }

  /** Opens `file` (replacing it) and writes the header; rejects when the file cannot be written. */
  static async open(file: string, header: RecordingHeader, redactor: Redactor): Promise<RecordingWriter> {
    const stream = createWriteStream(file, { flags: 'w' });
    await Promise.race([once(stream, 'open'), once(stream, 'error').then(([err]) => { throw err as Error; })]);
    const writer = new RecordingWriter(stream, redactor);
    writer.line(header);
    return writer;
  }

  /** The first write error, if any (the recording is then incomplete). */
  get error(): Error | undefined {
    return this.failure;
  }

  get sessionCount(): number {
    return this.next - 1;
  }

  startSession(kind: SessionStartEvent['kind']): LiveSession {
    const now = performance.now();
    const session = new LiveSession(`s${this.next++}`, now);
    this.open.add(session);
    this.line({ type: 'session-start', session: session.id, startedAt: new Date().toISOString(), offsetMs: round(now - this.startMono), kind });
    return session;
  }

  /** Milliseconds since the session's start, for a monotonic time `at`. */
  since(session: LiveSession, at: number = performance.now()): number {
    return round(Math.max(0, at - session.startMono));
  }

  message(session: LiveSession, direction: Direction, message: JsonRpcMessage, exchange?: number, at?: number): void {
    this.line({
      type: 'message', session: session.id, t: this.since(session, at), direction,
      ...(exchange === undefined ? {} : { exchange }), message: this.redactor.message(message),
    });
  }

  event(event: RecordingEvent): void {
    this.line(event);
  }

  endSession(session: LiveSession, reason: string): void {
    if (session.ended) return;
    session.ended = true;
    this.open.delete(session);
    this.line({ type: 'session-end', session: session.id, t: this.since(session), reason });
  }

  /** Ends every session still open with `reason`, and closes the file. */
  async close(reason: string): Promise<void> {
    for (const session of [...this.open]) this.endSession(session, reason);
    if (this.stream.closed) return;
    this.stream.end();
    await once(this.stream, 'close');
  }

  private line(value: RecordingHeader | RecordingEvent): void {
    if (this.stream.writableEnded) return;
    this.stream.write(recordingLine(value) + '\n');
  }
}

/**
 * The recording format of `mcpload record` (read back by `run --replay`):
 * JSON Lines, version 1, documented in docs/recording.md. The first line is
 * a header; every other line is one event of one session, in the order the
 * proxy saw them. Session ids are the proxy's own (`s1`, `s2`...), never the
 * server's `Mcp-Session-Id` (a session id is a credential for its session).
 */

export const RECORDING_FORMAT = 'mcpload-recording';
export const RECORDING_VERSION = 1;

export type Direction = 'client->server' | 'server->client';

export interface RecordingHeader {
  format: typeof RECORDING_FORMAT;
  version: typeof RECORDING_VERSION;
  /** ISO time the recording started. */
  createdAt: string;
  transport: 'streamable-http' | 'stdio';
  /** HTTP: the upstream URL (without user info or query); stdio: the server command's program name. */
  upstream: string;
  /** What was redacted before writing: header values outside `headerAllowlist`, bearer tokens, and the `--redact` patterns' count. */
  redaction: { headerAllowlist: string[]; patterns: number };
  /** The mcpload version that wrote it. */
  recorder: string;
}

export interface SessionStartEvent {
  type: 'session-start';
  session: string;
  /** ISO wall-clock time the session started. */
  startedAt: string;
  /** Milliseconds from the recording's start to the session's (monotonic clock). */
  offsetMs: number;
  /**
   * How it began: `initialize` (a handshake; the server's session id, if it
   * gave one, keeps its requests together), `unknown-session` (a session id
   * the proxy had not seen: opened before the recording), `connection`
   * (requests with neither) or `stdio` (one server process).
   */
  kind: 'initialize' | 'unknown-session' | 'connection' | 'stdio';
}

export interface MessageEvent {
  type: 'message';
  session: string;
  /** Milliseconds since the session's start. */
  t: number;
  direction: Direction;
  /** The HTTP exchange that carried it (see ExchangeEvent); absent over stdio. */
  exchange?: number;
  /** The JSON-RPC message, redacted. */
  message: JsonRpcMessage;
}

export interface ExchangeEvent {
  type: 'exchange';
  session: string;
  /** Milliseconds since the session's start when the request arrived at the proxy. */
  t: number;
  exchange: number;
  method: string;
  status: number;
  /** The reply's content type (`application/json`, `text/event-stream`...). */
  contentType?: string;
  /** Request headers on the allowlist only; every other value is never written. */
  requestHeaders: Record<string, string>;
  requestBytes: number;
  replyBytes: number;
  /** Time to the reply's headers, and to its last byte (ms, from the request's arrival). */
  headersMs: number;
  durationMs: number;
  /** Set when the exchange did not end with a complete reply (client gone, upstream failed). */
  error?: string;
}

export interface SessionEndEvent {
  type: 'session-end';
  session: string;
  t: number;
  /** `delete` (the client ended it), `connection-closed`, `upstream-404` (the server forgot it), `recording-stopped` or `process-exit`. */
  reason: string;
}

export type RecordingEvent = SessionStartEvent | MessageEvent | ExchangeEvent | SessionEndEvent;

export type JsonRpcMessage = Record<string, unknown>;

/** One session read back: its start, and its messages in the recorded order. */
export interface RecordedSession {
  id: string;
  /** How it began (see SessionStartEvent.kind). */
  kind: SessionStartEvent['kind'];
  offsetMs: number;
  startedAt: string;
  messages: Array<{ t: number; direction: Direction; message: JsonRpcMessage }>;
  /** The client opened the standalone GET stream (server requests that belong to no call arrive there). */
  listened: boolean;
  /** When the session ended, if the recording says (ms since its start). */
  endMs?: number;
  endReason?: string;
}

export interface Recording {
  header: RecordingHeader;
  sessions: RecordedSession[];
}

export class RecordingFormatError extends Error {}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkHeader(value: unknown): RecordingHeader {
  if (!isObject(value) || value.format !== RECORDING_FORMAT) {
    throw new RecordingFormatError(`line 1 is not a recording header: expected {"format":"${RECORDING_FORMAT}",...}`);
  }
  if (value.version !== RECORDING_VERSION) {
    throw new RecordingFormatError(`recording version ${String(value.version)} is not supported (this mcpload reads version ${RECORDING_VERSION})`);
  }
  return value as unknown as RecordingHeader;
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * Reads a recording's text. Unknown event types are skipped (a later minor
 * addition stays readable); a malformed line is an error naming its number.
 * Sessions come back in start order.
 */
export function parseRecording(text: string): Recording {
  const lines = text.split('\n');
  let header: RecordingHeader | undefined;
  const sessions = new Map<string, RecordedSession>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new RecordingFormatError(`line ${i + 1} is not JSON`);
    }
    if (header === undefined) {
      header = checkHeader(value);
      continue;
    }
    if (!isObject(value) || typeof value.session !== 'string') throw new RecordingFormatError(`line ${i + 1} has no session`);
    const sessionId = value.session;
    switch (value.type) {
      case 'session-start': {
        if (!finite(value.offsetMs)) throw new RecordingFormatError(`line ${i + 1}: session-start needs offsetMs`);
        if (sessions.has(sessionId)) throw new RecordingFormatError(`line ${i + 1}: session ${sessionId} starts twice`);
        const kinds: ReadonlyArray<SessionStartEvent['kind']> = ['initialize', 'unknown-session', 'connection', 'stdio'];
        const kind = kinds.includes(value.kind as SessionStartEvent['kind']) ? value.kind as SessionStartEvent['kind'] : 'connection';
        sessions.set(sessionId, { id: sessionId, kind, offsetMs: value.offsetMs, startedAt: String(value.startedAt ?? ''), messages: [], listened: false });
        break;
      }
      case 'message': {
        const session = sessions.get(sessionId);
        if (session === undefined) throw new RecordingFormatError(`line ${i + 1}: message of session ${sessionId} before its session-start`);
        if (!finite(value.t) || (value.direction !== 'client->server' && value.direction !== 'server->client') || !isObject(value.message)) {
          throw new RecordingFormatError(`line ${i + 1}: a message needs t, direction and a JSON-RPC message object`);
        }
        session.messages.push({ t: value.t, direction: value.direction, message: value.message });
        break;
      }
      case 'session-end': {
        const session = sessions.get(sessionId);
        if (session !== undefined && finite(value.t)) {
          session.endMs = value.t;
          session.endReason = typeof value.reason === 'string' ? value.reason : undefined;
        }
        break;
      }
      case 'exchange': {
        const session = sessions.get(sessionId);
        if (session !== undefined && value.method === 'GET' && value.status === 200) session.listened = true;
        break;
      }
      default:
        break; // anything newer: not needed to read sessions back
    }
  }
  if (header === undefined) throw new RecordingFormatError('the recording is empty (no header line)');
  return { header, sessions: [...sessions.values()].sort((a, b) => a.offsetMs - b.offsetMs) };
}

/** The line for one event or the header (no trailing newline). */
export function recordingLine(value: RecordingHeader | RecordingEvent): string {
  return JSON.stringify(value);
}

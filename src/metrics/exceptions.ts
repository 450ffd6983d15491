/**
 * Turns an error thrown by scenario code into a short, groupable description:
 * a one-line message and a traceback of a few lines that point at user code.
 */
import { fileURLToPath } from 'node:url';

/** Whole messages up to a few KB (one line): the end often says why. */
const MAX_MESSAGE_CHARS = 2048;
const MAX_USER_FRAMES = 3;

/** mcpload's own source directory (src/ when run from source, dist/src/ when built). */
const OWN_SOURCE_URL = new URL('../', import.meta.url).href;
const OWN_SOURCE_PATH = fileURLToPath(OWN_SOURCE_URL);

export interface ExceptionDescription {
  message: string;
  traceback: string;
}

function isUserFrame(line: string): boolean {
  if (!line.startsWith('at ')) return false;
  if (line.includes('node:') || line.includes('/node_modules/') || line.includes('\\node_modules\\')) return false;
  return !line.includes(OWN_SOURCE_URL) && !line.includes(OWN_SOURCE_PATH);
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function messageOf(err: unknown): string {
  let text: string;
  if (err instanceof Error) text = err.message ? `${err.name}: ${err.message}` : err.name;
  else text = safeString(err);
  text = text.replace(/\s+/g, ' ').trim() || 'Error';
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : text;
}

function framesOf(err: unknown): string[] {
  if (!(err instanceof Error) || typeof err.stack !== 'string') return [];
  return err.stack.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('at '));
}

export function describeException(err: unknown, where: string): ExceptionDescription {
  const frames = framesOf(err);
  const userFrames = frames.filter(isUserFrame).slice(0, MAX_USER_FRAMES);
  // No frame in user code (e.g. thrown inside a library): show where it surfaced.
  const shown = userFrames.length > 0 ? userFrames : frames.slice(0, 2);
  return { message: messageOf(err), traceback: [where, ...shown].filter(Boolean).join('\n') };
}

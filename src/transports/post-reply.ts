/**
 * What the general client's POST takes and gives back, whichever path
 * carries it: undici (lean-post.ts) or the raw HTTP/1.1 pool (h1-pool.ts).
 */
import type { Readable } from 'node:stream';
import type { Deadline } from './in-flight.js';
import type { BodyRead } from './read-body.js';

export interface ReplyHead {
  statusCode: number;
  headers: Record<string, string | string[]>;
  /** nowUs() when the response headers arrived. */
  firstByteAt: number;
}

/** An event stream is handed over as soon as its headers arrive; any other body is read whole, up to the cap. */
export type LeanReply = ReplyHead & ({ body: BodyRead; stream?: undefined } | { stream: Readable; body?: undefined });

export interface LeanPost {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Aborts the request (its timeout, or the user stopping). */
  signal: Deadline;
  maxBodyBytes: number;
}

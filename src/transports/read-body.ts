/**
 * Reads a response body with a cap on what is held in memory.
 *
 * A load generator must survive a server that answers with gigabytes: past
 * the cap the body is abandoned (the stream is destroyed, which closes that
 * one connection) and the request fails with `response too large`.
 */

/** Default cap on a buffered response body: 16 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface BodyRead {
  /** The body, or undefined when it was empty or too large. */
  data: Buffer | undefined;
  /** Bytes received (up to the point of giving up, when too large). */
  bytes: number;
  tooLarge: boolean;
}

export async function readCapped(body: AsyncIterable<Buffer>, maxBytes: number): Promise<BodyRead> {
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    if (bytes > maxBytes) return { data: undefined, bytes, tooLarge: true };
    // Most replies arrive in one chunk: keep it as is, concatenate only when needed.
    if (first === undefined) first = chunk;
    else (more ??= [first]).push(chunk);
  }
  const data = more !== undefined ? Buffer.concat(more, bytes) : first;
  return { data, bytes, tooLarge: false };
}

/** Reads and throws away a body (so its connection can be reused), counting bytes up to the cap. */
export async function discardBody(body: AsyncIterable<Buffer>, maxBytes: number): Promise<number> {
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    if (bytes > maxBytes) break;
  }
  return bytes;
}

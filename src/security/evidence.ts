/** What a security verdict rests on: the exchanges a check saw, redacted. */

/** One exchange that a verdict rests on; tokens are redacted before it is stored. */
export interface Evidence {
  /** e.g. `POST /mcp [Origin: http://evil.example] {"jsonrpc":"2.0",...}` */
  request: string;
  /** HTTP status; 0 when no response came. */
  status: number;
  /** The start of the reply body (or the network error). */
  body: string;
  /** Interesting reply headers, e.g. WWW-Authenticate. */
  headers?: Record<string, string>;
}

/**
 * The HTTP transports `--transport` chooses from, declared once: the
 * option's parser, its help, the run options and the target's opening all
 * read this list. A new HTTP transport is a file with its connector
 * (see mcp-sse.ts) and one entry here.
 *
 * Streamable HTTP needs no connector: every user's client is the built-in
 * McpHttpClient. `auto` is not an entry: it tries the entries that can be
 * detected, in order, and keeps Streamable HTTP when none answers as theirs.
 */
import type { Dispatcher } from 'undici';
import type { McpConnector } from './mcp-client.js';
import type { StartupDeadline } from './startup-deadline.js';

/** What a connector needs to reach the target. */
export interface HttpTransportTarget {
  url: string;
  dispatcher: Dispatcher;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Negotiated or pinned; undefined: the transport's default. */
  protocolVersion?: string;
}

/** A detection's answer: the server speaks it, it does not, or start-up's deadline passed first. */
export type Detection = 'yes' | 'no' | 'undecided';

export interface HttpTransport {
  /** The `--transport` value. */
  readonly name: string;
  /** For `--transport`'s help and messages, e.g. "legacy HTTP+SSE, 2024-11-05". */
  readonly title: string;
  /** It carries the stateless 2026-07-28 revision. */
  readonly statelessRevision: boolean;
  /** OAuth (--oauth...) works over it. */
  readonly oauth: boolean;
  /** Its clients' maker; absent for Streamable HTTP (McpHttpClient). Loaded when chosen. */
  connector?(target: HttpTransportTarget): Promise<McpConnector>;
  /** Whether the server at `target.url` speaks it (under `auto`); never rejects. */
  detect?(target: HttpTransportTarget, deadline: StartupDeadline | undefined): Promise<Detection>;
}

export const HTTP_TRANSPORTS: readonly HttpTransport[] = [
  { name: 'streamable-http', title: 'Streamable HTTP', statelessRevision: true, oauth: true },
  {
    name: 'sse', title: 'legacy HTTP+SSE, 2024-11-05', statelessRevision: false, oauth: false,
    async connector(target) {
      const { SseConnector } = await import('./mcp-sse.js');
      return new SseConnector(target);
    },
    async detect(target, deadline) {
      const { detectTransport } = await import('./mcp-sse.js');
      // The check sends one initialize (and ends its session); its own timeout stays short beside the run's.
      const found = await detectTransport({ ...target, timeoutMs: Math.min(target.timeoutMs, 10_000) }, undefined, deadline);
      return found === 'sse' ? 'yes' : found === 'undecided' ? 'undecided' : 'no';
    },
  },
];

export const AUTO_TRANSPORT = 'auto';

/** Every `--transport` value: `auto`, then each transport's name. */
export const TRANSPORT_CHOICES: readonly string[] = [AUTO_TRANSPORT, ...HTTP_TRANSPORTS.map((t) => t.name)];

/** `auto`: POST first, the others (legacy HTTP+SSE) when the server answers as theirs. */
export type TransportChoice = string;

export function isTransportChoice(text: string): text is TransportChoice {
  return TRANSPORT_CHOICES.includes(text);
}

/** The entry `--transport NAME` chose; undefined for `auto` (or a name not in the list). */
export function httpTransport(choice: TransportChoice | undefined): HttpTransport | undefined {
  return HTTP_TRANSPORTS.find((t) => t.name === choice);
}

/** `--transport`'s help line, from the list. */
export function transportHelp(): string {
  const named = HTTP_TRANSPORTS.map((t) => `'${t.name}' (${t.title})`);
  const detected = HTTP_TRANSPORTS.filter((t) => t.detect !== undefined).map((t) => t.name).join(' or ');
  return `with --host: ${named.join(', ')} or '${AUTO_TRANSPORT}' (Streamable HTTP first, ${detected} when the server answers as such)`;
}

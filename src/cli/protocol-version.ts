/**
 * `--protocol-version`: the MCP revisions mcpload can speak. A value outside
 * the list is a usage error (exit 2), caught before any traffic, instead of
 * an `initialize` that every server would refuse.
 */
import { InvalidArgumentError } from 'commander';

/**
 * Oldest first; 2024-11-05 is the legacy HTTP+SSE revision, 2026-07-28 the
 * stateless one (no handshake: `server/discover` and per-request `_meta`).
 */
export const PROTOCOL_VERSIONS = Object.freeze(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'] as const);

/** What the --protocol-version help says. */
export const PROTOCOL_VERSION_HELP = `MCP protocol version: ${PROTOCOL_VERSIONS.join(', ')}; default 2025-11-25 `
  + "with the server's own choice adopted; 2026-07-28 speaks the stateless revision (Streamable HTTP only)";

export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];

export function parseProtocolVersion(text: string): ProtocolVersion {
  const value = text.trim();
  const known = PROTOCOL_VERSIONS.find((v) => v === value);
  if (known === undefined) {
    throw new InvalidArgumentError(`"${text}" is not an MCP protocol version (one of ${PROTOCOL_VERSIONS.join(', ')})`);
  }
  return known;
}

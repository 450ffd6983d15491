/**
 * `--protocol-version`: the MCP revisions mcpload can speak, or `latest`
 * (negotiated per target, see app/target.ts). A value outside the list is a
 * usage error (exit 2), caught before any traffic, instead of an
 * `initialize` that every server would refuse.
 */
import { InvalidArgumentError } from 'commander';
import { LATEST } from '../protocol/rev-2026-07-28.js';

/**
 * Oldest first; 2024-11-05 is the legacy HTTP+SSE revision, 2026-07-28 the
 * stateless one (no handshake: `server/discover` and per-request `_meta`).
 */
export const PROTOCOL_VERSIONS = Object.freeze(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25', '2026-07-28'] as const);

/** What the --protocol-version help says. */
export const PROTOCOL_VERSION_HELP = `MCP protocol version: ${LATEST} (the default: 2026-07-28 when server/discover answers, `
  + `else the newest legacy one, 2025-11-25, with the server's choice adopted) or one of ${PROTOCOL_VERSIONS.join(', ')}; `
  + '2026-07-28 speaks the stateless revision (Streamable HTTP only)';

export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];

/** A version to pin, or `latest` (negotiated, as when the flag is left out). */
export function parseProtocolVersion(text: string): ProtocolVersion | typeof LATEST {
  const value = text.trim();
  if (value === LATEST) return LATEST;
  const known = PROTOCOL_VERSIONS.find((v) => v === value);
  if (known === undefined) {
    throw new InvalidArgumentError(`"${text}" is not an MCP protocol version (${LATEST} or one of ${PROTOCOL_VERSIONS.join(', ')})`);
  }
  return known;
}

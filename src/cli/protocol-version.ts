/**
 * `--protocol-version`: the MCP revisions mcpload can speak. A value outside
 * the list is a usage error (exit 2), caught before any traffic, instead of
 * an `initialize` that every server would refuse.
 */
import { InvalidArgumentError } from 'commander';

/** Oldest first; 2024-11-05 is the legacy HTTP+SSE revision. */
export const PROTOCOL_VERSIONS = Object.freeze(['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'] as const);

export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];

export function parseProtocolVersion(text: string): ProtocolVersion {
  const value = text.trim();
  const known = PROTOCOL_VERSIONS.find((v) => v === value);
  if (known === undefined) {
    throw new InvalidArgumentError(`"${text}" is not an MCP protocol version (one of ${PROTOCOL_VERSIONS.join(', ')})`);
  }
  return known;
}

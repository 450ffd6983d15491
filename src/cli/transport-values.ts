/**
 * Parsers for the transport options of `mcpload run` (`--stdio`,
 * `--transport`, `--protocol-version`). Each throws commander's
 * InvalidArgumentError with a one-line message (exit 2).
 */
import { InvalidArgumentError } from 'commander';
import { splitCommandLine } from '../transports/command-line.js';
import { isTransportChoice, TRANSPORT_CHOICES, type TransportChoice } from '../transports/http-transports.js';

/** `--stdio "command args"`: kept as given, but checked to split into a program and its arguments. */
export function parseStdioCommand(text: string): string {
  try {
    splitCommandLine(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return text;
}

/** `--transport auto|streamable-http|sse`. */
export function parseTransport(text: string): TransportChoice {
  if (isTransportChoice(text)) return text;
  throw new InvalidArgumentError(`"${text}" is not a transport (${TRANSPORT_CHOICES.slice(0, -1).join(', ')} or ${TRANSPORT_CHOICES.at(-1)})`);
}

/**
 * The HTTP transports `--transport` chooses from, declared once: the option's
 * parser, its help and the run options all read this list.
 */
export const TRANSPORT_CHOICES = ['auto', 'streamable-http', 'sse'] as const;

/** `auto`: POST first, legacy HTTP+SSE on 400/404/405. */
export type TransportChoice = (typeof TRANSPORT_CHOICES)[number];

export function isTransportChoice(text: string): text is TransportChoice {
  return (TRANSPORT_CHOICES as readonly string[]).includes(text);
}

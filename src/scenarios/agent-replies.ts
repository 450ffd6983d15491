/**
 * What a virtual user answers when the server asks the client something
 * during a call, when the scenario says nothing else (the discovery
 * scenario uses these): a fixed sampling answer, an elicitation form
 * accepted with each field's declared default (SEP-1034) or a value
 * generated from its schema, and no roots. A server whose tools ask for
 * sampling or elicitation then gets the round trip it would get from an
 * agent, instead of a -32601.
 */
import type { ServerRequestReplies } from '../transports/server-messages.js';
import { createRng } from '../engine/rng.js';
import { SchemaArgGenerator } from './schema-args.js';

const SAMPLED_TEXT = 'This is a sampled reply from mcpload.';

/** The form's content: every property, with its default when it declares one. */
export function acceptElicitationForm(requestedSchema: unknown, generator: SchemaArgGenerator): Record<string, unknown> {
  const properties = (requestedSchema as { properties?: unknown } | undefined)?.properties;
  const content: Record<string, unknown> = {};
  if (typeof properties !== 'object' || properties === null) return content;
  for (const [name, schema] of Object.entries(properties as Record<string, unknown>)) {
    const declared = schema as { default?: unknown } | null;
    content[name] = declared !== null && typeof declared === 'object' && 'default' in declared
      ? declared.default
      : generator.value(schema, requestedSchema, 1);
  }
  return content;
}

export function agentReplies(seed = 1): ServerRequestReplies {
  const generator = new SchemaArgGenerator(createRng(seed));
  return {
    sampling: () => ({ role: 'assistant', content: { type: 'text', text: SAMPLED_TEXT }, model: 'mcpload', stopReason: 'endTurn' }),
    elicitation: (params: { mode?: unknown; requestedSchema?: unknown } | undefined) =>
      // A URL elicitation would need a person at a browser: decline it.
      params?.mode === 'url' ? { action: 'decline' } : { action: 'accept', content: acceptElicitationForm(params?.requestedSchema, generator) },
    roots: () => ({ roots: [] }),
  };
}

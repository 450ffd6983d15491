/**
 * JSON Schema validation with ajv for the discovery scenario: generated
 * arguments are checked against `inputSchema` before use, and tool replies'
 * `structuredContent` against `outputSchema`.
 *
 * MCP says schemas are JSON Schema 2020-12 unless they name another draft in
 * `$schema`; many servers (zod-to-json-schema) still emit draft-07, whose
 * tuple `items` means something else in 2020-12, so each draft gets the ajv
 * class that reads it right.
 */
import { createRequire } from 'node:module';
import type { Ajv, Options, ValidateFunction } from 'ajv';

type AjvInstance = Ajv;
type AjvClass = new (opts: Options) => AjvInstance;

// ajv is CommonJS; createRequire gives its classes without default-import games.
const require = createRequire(import.meta.url);
const AjvDraft07 = (require('ajv') as { default: AjvClass }).default;
const Ajv2020 = (require('ajv/dist/2020') as { default: AjvClass }).default;

/** Returns a failure text, or undefined when the value fits. */
export type SchemaCheck = (value: unknown) => string | undefined;

/**
 * Formats checked by shape only (ajv-formats is not a dependency). They are
 * the ones schema-args generates and servers use most; other formats pass.
 */
const FORMATS: Record<string, RegExp> = {
  'date-time': /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  time: /^\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  uri: /^[A-Za-z][A-Za-z0-9+.-]*:\S*$/,
  'uri-reference': /^\S*$/,
  hostname: /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/,
  ipv4: /^(\d{1,3}\.){3}\d{1,3}$/,
  ipv6: /^[0-9A-Fa-f:]+$/,
  uuid: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
};

function makeAjv(Class: AjvClass): AjvInstance {
  // strict: false — real servers' schemas carry unknown keywords (title in odd places, x-*).
  const ajv = new Class({ strict: false, allErrors: false, validateSchema: false });
  for (const [name, re] of Object.entries(FORMATS)) ajv.addFormat(name, re);
  return ajv;
}

let draft07: AjvInstance | undefined;
let draft2020: AjvInstance | undefined;

function ajvFor(schema: Record<string, unknown>): AjvInstance {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (/draft-0[4-7]/.test(declared)) return (draft07 ??= makeAjv(AjvDraft07));
  return (draft2020 ??= makeAjv(Ajv2020));
}

/**
 * Compiles a schema into a check. Throws with a short message when ajv cannot
 * compile it (the caller decides what an unusable schema means).
 */
export function compileSchema(schema: unknown): SchemaCheck {
  if (schema === true || schema === undefined) return () => undefined;
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new Error('schema is not an object');
  }
  const s = schema as Record<string, unknown>;
  const ajv = ajvFor(s);
  // `$schema` and `$id` are dropped: ajv would look the meta-schema up, and ids clash across servers.
  const { $schema: _s, $id: _i, ...body } = s;
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(body);
  } catch (err) {
    throw new Error(`schema does not compile: ${(err as Error).message.split('\n')[0]}`);
  }
  return (value) => (validate(value) ? undefined : describe(validate));
}

/** `/items/0/name must be string`: the first error, short and free of values. */
function describe(validate: ValidateFunction): string {
  const first = validate.errors?.[0];
  if (!first) return 'does not match the schema';
  return `${first.instancePath || '(root)'} ${first.message ?? 'is invalid'}`;
}

/**
 * What `mcpload record` removes before a line is written:
 *
 * - header values: only the allowlist below is kept; every other header
 *   (Authorization, Cookie, X-Api-Key, ...) is never written at all;
 * - credentials inside messages: "Bearer <token>" anywhere in a string, and
 *   every credential value the proxy saw in a request header (a token the
 *   client also put in an argument);
 * - the user's `--redact` patterns: a JSON path (`$.params.arguments.password`,
 *   `$..password`, `$.params.arguments[*].key`) replaces the value there,
 *   whatever it is; any other pattern is a regular expression, and a string
 *   value it matches is replaced whole.
 *
 * Replaced values become "[redacted]".
 */

export const REDACTED = '[redacted]';

/** Request headers whose values are recorded; anything else is left out. */
export const HEADER_ALLOWLIST: readonly string[] = ['content-type', 'accept', 'mcp-protocol-version', 'user-agent', 'last-event-id'];

/** Headers whose values are credentials: remembered (to scrub them from messages), never written. */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|api-key|x-auth-token|.*-token|.*-api-key|.*secret.*)$/i;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
/** Credential values shorter than this are not scrubbed from messages (they would hit ordinary words). */
const MIN_SCRUBBED_LENGTH = 8;

type PathStep = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'any' } | { kind: 'deep'; key: string | undefined };

/** Parses the JSON path subset: `$`, `.key`, `['key']`, `[n]`, `[*]`, `.*`, `..key`. */
export function parseJsonPath(path: string): PathStep[] {
  if (!path.startsWith('$')) throw new Error(`a JSON path starts with $: ${path}`);
  const steps: PathStep[] = [];
  let i = 1;
  const name = /^[A-Za-z_$][\w$-]*/;
  while (i < path.length) {
    const rest = path.slice(i);
    if (rest.startsWith('..')) {
      const m = name.exec(rest.slice(2));
      if (rest[2] === '*') { steps.push({ kind: 'deep', key: undefined }); i += 3; continue; }
      if (!m) throw new Error(`bad JSON path ${path}: a name must follow ..`);
      steps.push({ kind: 'deep', key: m[0] });
      i += 2 + m[0].length;
    } else if (rest.startsWith('.*')) {
      steps.push({ kind: 'any' });
      i += 2;
    } else if (rest.startsWith('.')) {
      const m = name.exec(rest.slice(1));
      if (!m) throw new Error(`bad JSON path ${path}: a name must follow .`);
      steps.push({ kind: 'key', key: m[0] });
      i += 1 + m[0].length;
    } else if (rest.startsWith('[')) {
      const m = /^\[(?:\*|(\d+)|'([^']*)'|"([^"]*)")\]/.exec(rest);
      if (!m) throw new Error(`bad JSON path ${path}: expected [*], [n] or ['key'] at ${rest}`);
      if (m[1] !== undefined) steps.push({ kind: 'index', index: Number(m[1]) });
      else if (m[2] !== undefined || m[3] !== undefined) steps.push({ kind: 'key', key: (m[2] ?? m[3])! });
      else steps.push({ kind: 'any' });
      i += m[0].length;
    } else {
      throw new Error(`bad JSON path ${path} at ${rest}`);
    }
  }
  if (steps.length === 0) throw new Error(`the JSON path ${path} names the whole message; name a field`);
  return steps;
}

type Container = Record<string, unknown> | unknown[];

function isContainer(v: unknown): v is Container {
  return typeof v === 'object' && v !== null;
}

/** Replaces, in place, every value the path reaches. */
function redactPath(node: unknown, steps: PathStep[], at: number): void {
  if (!isContainer(node) || at >= steps.length) return;
  const step = steps[at]!;
  const last = at === steps.length - 1;
  const visit = (container: Container, key: string | number) => {
    if (last) (container as Record<string | number, unknown>)[key] = REDACTED;
    else redactPath((container as Record<string | number, unknown>)[key], steps, at + 1);
  };
  const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
  switch (step.kind) {
    case 'key':
      if (!Array.isArray(node) && Object.hasOwn(node, step.key)) visit(node, step.key);
      break;
    case 'index':
      if (Array.isArray(node) && step.index < node.length) visit(node, step.index);
      break;
    case 'any':
      for (const k of keys) visit(node, k);
      break;
    case 'deep':
      for (const k of keys) {
        if (step.key === undefined || k === step.key) visit(node, k);
        // Down every branch: the name may appear at any depth (not inside what was just replaced).
        const child = (node as Record<string | number, unknown>)[k];
        if (child !== REDACTED) redactPath(child, steps, at);
      }
      break;
  }
}

export interface RedactionRules {
  /** `--redact` patterns as given. */
  patterns: string[];
}

export class Redactor {
  private readonly paths: PathStep[][] = [];
  private readonly regexes: RegExp[] = [];
  /** Credential values seen in request headers, scrubbed from every message afterwards. */
  private readonly secrets = new Set<string>();

  /** Throws a readable error for a pattern that is neither a valid JSON path nor a valid regex. */
  constructor(rules: RedactionRules) {
    for (const pattern of rules.patterns) {
      if (pattern.startsWith('$')) {
        this.paths.push(parseJsonPath(pattern));
        continue;
      }
      try {
        this.regexes.push(new RegExp(pattern));
      } catch (err) {
        throw new Error(`--redact ${pattern}: not a valid regular expression (${(err as Error).message})`);
      }
    }
  }

  get patternCount(): number {
    return this.paths.length + this.regexes.length;
  }

  /**
   * The request headers to write: allowlisted names only. Credential values
   * are remembered so that a copy of one inside a message is scrubbed too.
   */
  headers(raw: Record<string, string | string[] | undefined>): Record<string, string> {
    const kept: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw)) {
      if (value === undefined) continue;
      const lower = name.toLowerCase();
      if (CREDENTIAL_HEADER.test(lower)) {
        for (const v of Array.isArray(value) ? value : [value]) this.rememberSecret(v);
        continue;
      }
      if (HEADER_ALLOWLIST.includes(lower)) kept[lower] = Array.isArray(value) ? value.join(', ') : value;
    }
    return kept;
  }

  private rememberSecret(value: string): void {
    // "Bearer abc", "Basic xyz", "a=b; c=d": the whole value and each credential part.
    const parts = [value, ...value.split(/[\s;,=]+/)];
    for (const part of parts) if (part.length >= MIN_SCRUBBED_LENGTH) this.secrets.add(part);
  }

  /** A redacted copy of one JSON-RPC message. */
  message<T>(message: T): T {
    const copy = this.scrub(structuredClone(message)) as T;
    for (const steps of this.paths) redactPath(copy, steps, 0);
    return copy;
  }

  /** A redacted copy of free text (an error line). */
  text(value: string): string {
    return this.scrubString(value);
  }

  private scrub(value: unknown): unknown {
    if (typeof value === 'string') return this.scrubString(value);
    if (Array.isArray(value)) return value.map((v) => this.scrub(v));
    if (isContainer(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.scrub(v);
      return out;
    }
    return value;
  }

  private scrubString(value: string): string {
    for (const re of this.regexes) {
      re.lastIndex = 0;
      if (re.test(value)) return REDACTED;
    }
    let out = value.replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`);
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }
}

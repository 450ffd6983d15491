/**
 * Tool-poisoning signs in what a server tells the model about its tools and
 * prompts: hidden instructions in descriptions, and names that shadow one
 * another. Pure functions, so that they are tested on their own.
 */

export interface MetadataFinding {
  /** e.g. `tool add`, `prompt greet`, `tool add: input a` */
  where: string;
  what: string;
}

interface Pattern {
  what: string;
  test: RegExp;
}

/** Zero-width and invisible format characters, and bidirectional overrides/isolates (Trojan Source). */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD]/u;
/** Unicode tag characters (U+E0000 block), used to smuggle ASCII invisibly. */
const TAG_CHARS = /[\u{E0000}-\u{E007F}]/u;

const PATTERNS: readonly Pattern[] = [
  { what: 'an <IMPORTANT>-style tag', test: /<\s*\/?\s*(important|system|instructions?|secret|hidden)\b[^>]*>/i },
  { what: '"ignore previous instructions"', test: /\b(ignore|disregard|forget)\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above|earlier|other)\s+(instructions?|prompts?|rules?|messages?)/i },
  { what: 'an instruction to hide things from the user', test: /\b(do\s+not|don't|never)\s+(tell|mention|inform|reveal|show)\b[^.]{0,40}\b(user|human)/i },
  { what: 'a request to read secrets', test: /(~\/\.ssh|\bid_rsa\b|\bmcp\.json\b|~\/\.cursor\/|~\/\.aws\/)/i },
  { what: 'a zero-width or bidi control character', test: INVISIBLE },
  { what: 'Unicode tag characters', test: TAG_CHARS },
  // 40+ base64 characters in one run: an encoded payload, not prose.
  { what: 'a base64 blob', test: /(?:[A-Za-z0-9+/]{4}){10,}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?/ },
];

/** The hidden-instruction signs found in one text. */
export function hiddenInstructionSigns(text: string): string[] {
  return PATTERNS.filter((p) => p.test.test(text)).map((p) => p.what);
}

export interface DescribedItem {
  kind: 'tool' | 'prompt';
  name: string;
  title?: string;
  description: string;
  /** A JSON Schema whose property descriptions are read too (models see them). */
  inputSchema?: unknown;
}

function schemaDescriptions(schema: unknown): { name: string; text: string }[] {
  const props = (schema as { properties?: Record<string, { description?: unknown }> } | undefined)?.properties;
  if (typeof props !== 'object' || props === null) return [];
  return Object.entries(props)
    .filter(([, p]) => typeof p?.description === 'string')
    .map(([name, p]) => ({ name, text: p.description as string }));
}

export function findHiddenInstructions(items: readonly DescribedItem[]): MetadataFinding[] {
  const findings: MetadataFinding[] = [];
  for (const item of items) {
    const where = `${item.kind} ${JSON.stringify(item.name)}`;
    const texts = [
      { where, text: `${item.name}\n${item.title ?? ''}\n${item.description}` },
      ...schemaDescriptions(item.inputSchema).map((d) => ({ where: `${where}: input ${d.name}`, text: d.text })),
    ];
    for (const { where: w, text } of texts) {
      for (const what of hiddenInstructionSigns(text)) findings.push({ where: w, what });
    }
  }
  return findings;
}

/** `Read_File`, `read-file`, `readfile` and `read\u200Bfile` all come out as `readfile`. */
export function normaliseToolName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(new RegExp(INVISIBLE.source, 'gu'), '')
    .toLowerCase()
    .replace(/[\s_\-.]/g, '');
}

/** Names listed twice, and distinct names that normalise to the same one (one can shadow the other). */
export function findShadowing(names: readonly string[]): MetadataFinding[] {
  const findings: MetadataFinding[] = [];
  const seen = new Map<string, string>();
  const exact = new Set<string>();
  for (const name of names) {
    if (exact.has(name)) {
      findings.push({ where: `tool ${JSON.stringify(name)}`, what: 'listed more than once' });
      continue;
    }
    exact.add(name);
    const key = normaliseToolName(name);
    const other = seen.get(key);
    if (other !== undefined) findings.push({ where: `tool ${JSON.stringify(name)}`, what: `shadows ${JSON.stringify(other)}` });
    else seen.set(key, name);
  }
  return findings;
}

/** `*` matches any run of characters; matching ignores case. */
export function matchesPattern(name: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
  return re.test(name);
}

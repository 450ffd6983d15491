/**
 * Which discovered tools the discovery scenario may call, from their
 * annotations (MCP `ToolAnnotations`). The spec's defaults are the careful
 * ones: a tool that says nothing is assumed to write (`readOnlyHint: false`)
 * and to be destructive (`destructiveHint: true`), so only tools that say
 * `readOnlyHint: true` are hammered unless the user widens the set.
 */

export interface ToolSafetyOptions {
  /** Adds tools annotated `destructiveHint: false` (writes that do not destroy). */
  allowWrites: boolean;
  /** Adds every other tool, the unannotated ones included. */
  allowDestructive: boolean;
  /** Exactly these tools, whatever their annotations (empty: decide by annotations). */
  tools: string[];
}

/** Why a tool is left out. */
export type SkipReason = 'write' | 'destructive' | 'unannotated' | 'not named';

export interface ListedTool {
  name: string;
  annotations?: { readOnlyHint?: unknown; destructiveHint?: unknown } | undefined;
}

export type ToolClass = 'read-only' | Exclude<SkipReason, 'not named'>;

/** How a tool's annotations classify it. */
export function classifyTool(tool: ListedTool): ToolClass {
  const a = tool.annotations;
  if (a?.readOnlyHint === true) return 'read-only';
  if (a === undefined || (a.readOnlyHint === undefined && a.destructiveHint === undefined)) return 'unannotated';
  return a.destructiveHint === false ? 'write' : 'destructive';
}

export interface ToolSelection<T extends ListedTool> {
  selected: T[];
  skipped: Array<{ tool: T; reason: SkipReason }>;
}

/** Splits the tools into those to call and those to skip (with why). Unknown names in `tools` throw. */
export function selectTools<T extends ListedTool>(tools: T[], opts: ToolSafetyOptions): ToolSelection<T> {
  const selected: T[] = [];
  const skipped: Array<{ tool: T; reason: SkipReason }> = [];
  if (opts.tools.length > 0) {
    const known = new Set(tools.map((t) => t.name));
    const unknown = opts.tools.filter((n) => !known.has(n));
    if (unknown.length > 0) {
      const list = [...known].slice(0, 20).join(', ') || '(none)';
      throw new Error(`--tools names unknown tool ${unknown.join(', ')} (the server lists: ${list})`);
    }
    const named = new Set(opts.tools);
    for (const tool of tools) {
      if (named.has(tool.name)) selected.push(tool);
      else skipped.push({ tool, reason: 'not named' });
    }
    return { selected, skipped };
  }
  for (const tool of tools) {
    const kind = classifyTool(tool);
    const allowed = kind === 'read-only' || (kind === 'write' && (opts.allowWrites || opts.allowDestructive)) || opts.allowDestructive;
    if (allowed) selected.push(tool);
    else skipped.push({ tool, reason: kind });
  }
  return { selected, skipped };
}

const MAX_NAMES = 12;

function names(items: Array<{ tool: ListedTool }>): string {
  const shown = items.slice(0, MAX_NAMES).map((i) => i.tool.name).join(', ');
  return items.length > MAX_NAMES ? `${shown}, and ${items.length - MAX_NAMES} more` : shown;
}

/**
 * Lines for the run's summary: what was skipped, why, and the flag that
 * includes it. A server with no annotations at all gets its own plain line,
 * because then nothing is called by default and the user must decide.
 */
export function describeSelection(selection: ToolSelection<ListedTool>, total: number): string[] {
  const lines: string[] = [];
  if (selection.skipped.length === 0) return lines;
  const by = (reason: SkipReason) => selection.skipped.filter((s) => s.reason === reason);
  const unannotated = by('unannotated');
  if (total > 0 && unannotated.length === total) {
    lines.push(`this server annotates none of its ${total} tools, so none is known to be read-only and none is called; ` +
      'name the safe ones with --tools a,b, or call them all with --allow-destructive');
    return lines;
  }
  const write = by('write');
  const destructive = by('destructive');
  const notNamed = by('not named');
  lines.push(`skipped ${selection.skipped.length} of ${total} tools:`);
  if (write.length > 0) lines.push(`  ${write.length} that write (destructiveHint: false), added by --allow-writes: ${names(write)}`);
  if (destructive.length > 0) lines.push(`  ${destructive.length} that may destroy data, added by --allow-destructive: ${names(destructive)}`);
  if (unannotated.length > 0) {
    lines.push(`  ${unannotated.length} without annotations (the spec assumes they may destroy data), added by --allow-destructive ` +
      `or by naming them with --tools: ${names(unannotated)}`);
  }
  if (notNamed.length > 0) lines.push(`  ${notNamed.length} not named in --tools: ${names(notNamed)}`);
  return lines;
}

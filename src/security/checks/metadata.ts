/**
 * Tool metadata hygiene: what the server tells the model must not carry
 * hidden instructions, names must not shadow one another, and tools/list
 * must not change under the client's feet during a run (a "rug pull").
 */
import { fail, inconclusive, pass, skip, type CheckOutcome, type Evidence, type SecurityCheck } from '../check.js';
import { findHiddenInstructions, findShadowing, type DescribedItem } from '../metadata-analysis.js';
import { hashTools, type ProbeContext, type ProbeSession } from '../probe-context.js';
import { jsonRpcResult } from '../probe-http.js';

const SPEC_TOOLS = 'MCP 2025-11-25 server/tools §Security Considerations';

async function withToolSession(ctx: ProbeContext, fn: (s: ProbeSession) => Promise<CheckOutcome>): Promise<CheckOutcome> {
  const { required } = await ctx.authRequired();
  if (required && ctx.token === undefined) return skip('the server requires a token: pass --auth-token');
  return ctx.withSession(fn, (reason, evidence) => inconclusive(`cannot open a session: ${reason}`, [evidence]));
}

function summarise(findings: { where: string; what: string }[]): string {
  const shown = findings.slice(0, 6).map((f) => `${f.where}: ${f.what}`);
  return shown.join('; ') + (findings.length > shown.length ? `; and ${findings.length - shown.length} more` : '');
}

export const hiddenInstructions: SecurityCheck = {
  id: 'metadata.hidden-instructions',
  title: 'Tool and prompt descriptions carry no hidden instructions',
  category: 'metadata',
  severity: 'high',
  spec: `${SPEC_TOOLS}; MCP security_best_practices (tool poisoning)`,
  cheap: true,
  run: (ctx) =>
    withToolSession(ctx, async (session) => {
      const listed = await ctx.listTools(session);
      if (!listed.tools) return inconclusive('tools/list failed', [listed.evidence]);
      const items: DescribedItem[] = listed.tools.map((t) => ({ kind: 'tool', name: t.name, description: t.description, inputSchema: t.inputSchema, ...(t.title ? { title: t.title } : {}) }));
      const evidence: Evidence[] = [listed.evidence];
      const prompts = await ctx.rpc(session, 'prompts/list');
      const promptList = (jsonRpcResult(prompts.res) as { prompts?: { name?: unknown; description?: unknown; title?: unknown }[] } | undefined)?.prompts;
      if (Array.isArray(promptList)) {
        evidence.push(prompts.evidence);
        for (const p of promptList) {
          if (typeof p?.name !== 'string') continue;
          items.push({ kind: 'prompt', name: p.name, description: typeof p.description === 'string' ? p.description : '', ...(typeof p.title === 'string' ? { title: p.title } : {}) });
        }
      }
      const findings = findHiddenInstructions(items);
      if (findings.length > 0) return fail(summarise(findings), evidence);
      return pass(`${items.length} tool and prompt descriptions read, nothing hidden`);
    }),
};

export const toolShadowing: SecurityCheck = {
  id: 'metadata.tool-shadowing',
  title: 'No duplicate or shadowing tool names',
  category: 'metadata',
  severity: 'medium',
  spec: `${SPEC_TOOLS} (tool names unique within a server)`,
  cheap: true,
  run: (ctx) =>
    withToolSession(ctx, async (session) => {
      const listed = await ctx.listTools(session);
      if (!listed.tools) return inconclusive('tools/list failed', [listed.evidence]);
      const findings = findShadowing(listed.tools.map((t) => t.name));
      if (findings.length > 0) return fail(summarise(findings), [listed.evidence]);
      return pass(`${listed.tools.length} distinct tool names`);
    }),
};

export const rugPull: SecurityCheck = {
  id: 'metadata.rug-pull',
  title: 'tools/list does not change during the run',
  category: 'metadata',
  severity: 'high',
  spec: `${SPEC_TOOLS}; MCP security_best_practices (rug pull: tool definitions changed after approval)`,
  cheap: true,
  run: (ctx) =>
    withToolSession(ctx, async (session) => {
      const first = ctx.baselineToolsHash;
      const listed = await ctx.listTools(session);
      if (!listed.tools) return inconclusive('tools/list failed', [listed.evidence]);
      const now = hashTools(listed.tools);
      if (first === undefined) {
        // Nothing seen yet in this run: compare with a second, fresh session.
        const again = await ctx.withSession(
          (s) => ctx.listTools(s),
          (_reason, evidence) => ({ tools: undefined, evidence }),
        );
        if (!again.tools) return inconclusive('the second tools/list failed', [again.evidence]);
        const second = hashTools(again.tools);
        if (second !== now) return fail(`tools/list changed between two sessions (sha256 ${now.slice(0, 12)} → ${second.slice(0, 12)})`, [listed.evidence, again.evidence]);
        return pass(`tools/list stable (sha256 ${now.slice(0, 12)})`);
      }
      if (now !== first) return fail(`tools/list changed during the run (sha256 ${first.slice(0, 12)} → ${now.slice(0, 12)})`, [listed.evidence]);
      return pass(`tools/list unchanged since first seen (sha256 ${now.slice(0, 12)})`);
    }),
};

export const METADATA_CHECKS: readonly SecurityCheck[] = [hiddenInstructions, toolShadowing, rugPull];

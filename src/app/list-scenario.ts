/**
 * `mcpload run -l` (Locust's --list): the scenario's user classes with their
 * weights and tasks, and no load. The scenario is loaded the way a run loads
 * it, so a scenario built from the target (a function of the environment,
 * or `discover`, which lists the server's tools) needs the target: it is
 * opened (the embedded server started when there is no --host) and closed
 * again; discovery's tools/list is the only traffic.
 */
import type { RunIo } from './conclude.js';
import type { RunOptions } from './run-options.js';
import { prepareScenario, type PreparedScenario } from './scenario-setup.js';
import { openTarget } from './target.js';

/** The listing, one class a block: `Name  weight 3  (wait, fixed count)` then `  task  weight 1  [tags]`. */
export function formatClassList(prepared: PreparedScenario): string {
  const lines = [`scenario ${prepared.scenario.name}: ${prepared.classes.length} user class${prepared.classes.length === 1 ? '' : 'es'}`];
  for (const c of prepared.classes) {
    const extra = c.fixedCount !== undefined ? `fixed count ${c.fixedCount}` : `weight ${c.weight ?? 1}`;
    lines.push(`${c.name}  (${extra}, ${c.tasks.length} task${c.tasks.length === 1 ? '' : 's'})`);
    for (const t of c.tasks) {
      const tags = t.tags && t.tags.length > 0 ? `  [${t.tags.join(', ')}]` : '';
      lines.push(`  ${t.name}  weight ${t.weight ?? 1}${tags}`);
    }
  }
  for (const note of prepared.notes) lines.push(`note: ${note}`);
  return lines.join('\n') + '\n';
}

export async function listScenario(opts: RunOptions, io: RunIo): Promise<number> {
  const target = await openTarget(opts);
  try {
    const prepared = await prepareScenario({ ...opts, serverPid: opts.serverPid ?? target.embedded?.pid }, target.env);
    io.out(formatClassList(prepared));
    return 0;
  } finally {
    await target.close();
  }
}

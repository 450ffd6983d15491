/**
 * What a master and its workers must agree on before a run: the scenario
 * file's bytes (or the built-in's name; the mcpload version is checked
 * beside it) and the options that choose what the scenario does. The load
 * flags are not in it: the master sends them and each worker runs its
 * share. Only the file given is hashed; modules it imports are not.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { RunSetupError } from './run-setup-error.js';
import type { ScenarioSelection } from './scenario-setup.js';

const BUILT_IN = new Set(['classic', 'discover', 'churn', 'leak-flood']);

export async function scenarioHash(sel: ScenarioSelection): Promise<string> {
  const hash = createHash('sha256');
  if (sel.scenario === undefined || BUILT_IN.has(sel.scenario)) {
    hash.update(`built-in:${sel.scenario ?? 'default'}`);
  } else {
    try {
      hash.update(await readFile(sel.scenario));
    } catch (err) {
      throw new RunSetupError(`scenario ${sel.scenario}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
  }
  const sorted = (list: readonly string[] | undefined) => [...list ?? []].sort();
  hash.update('\u0000');
  hash.update(JSON.stringify({
    userClasses: sorted(sel.userClasses), tags: sorted(sel.tags), excludeTags: sorted(sel.excludeTags),
    security: sel.security === true, securityWeight: sel.security === true ? sel.securityWeight ?? 1 : undefined,
    seed: sel.seed, allowWrites: sel.allowWrites === true, allowDestructive: sel.allowDestructive === true, tools: sorted(sel.tools),
    tasks: sel.tasks, callsPerSession: sel.callsPerSession,
  }));
  return hash.digest('hex');
}

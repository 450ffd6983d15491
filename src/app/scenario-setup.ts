/**
 * Turns the scenario file and the selection flags into what a run executes:
 * the scenario, the user classes kept, and the thresholds in force.
 */
import { selectClasses } from '../engine/task-picker.js';
import { mergeThresholdLists, type Threshold } from '../metrics/thresholds.js';
import type { Scenario, ScenarioEnv, UserClass } from '../scenarios/api.js';
import { classicScenarioFile, importScenarioModule, resolveScenario } from '../scenarios/loader.js';

/** A user-facing problem before the run starts (exit 2). */
export class RunSetupError extends Error {}

export interface ScenarioSelection {
  /** Scenario file; the classic suite when absent. */
  scenario?: string;
  userClasses: string[];
  tags: string[];
  excludeTags: string[];
  thresholds: string[];
}

export interface PreparedScenario {
  scenario: Scenario;
  /** Every class of the scenario after tag filtering (the web UI offers them all). */
  available: UserClass[];
  /** The classes picked by --user-class (all available ones when none was named). */
  classes: UserClass[];
  thresholds: Threshold[];
  notes: string[];
}

export async function prepareScenario(sel: ScenarioSelection, env: ScenarioEnv): Promise<PreparedScenario> {
  const file = sel.scenario ?? classicScenarioFile();
  const scenario = await resolveScenario(await importScenarioModule(file), env, file);
  const notes: string[] = [];

  const known = new Set(scenario.userClasses.map((c) => c.name));
  const unknown = sel.userClasses.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new RunSetupError(`unknown user class ${unknown.join(', ')} (this scenario has: ${[...known].join(', ')})`);
  }
  let available: UserClass[];
  try {
    const picked = selectClasses(scenario.userClasses, sel.tags.length ? sel.tags : undefined, sel.excludeTags.length ? sel.excludeTags : undefined);
    available = picked.classes;
    for (const name of picked.dropped) notes.push(`user class ${name} has no task left after tag filtering; it is left out`);
  } catch (err) {
    throw new RunSetupError((err as Error).message);
  }
  const classes = sel.userClasses.length > 0 ? available.filter((c) => sel.userClasses.includes(c.name)) : available;
  if (classes.length === 0) throw new RunSetupError('no user class is left to run after --user-class and tag filtering');

  let thresholds: Threshold[];
  try {
    thresholds = mergeThresholdLists(scenario.thresholds ?? [], sel.thresholds);
  } catch (err) {
    throw new RunSetupError((err as Error).message);
  }
  return { scenario, available, classes, thresholds, notes };
}

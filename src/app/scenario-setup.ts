/**
 * Turns the scenario file and the selection flags into what a run executes:
 * the scenario, the user classes kept, and the thresholds in force.
 */
import { selectClasses } from '../engine/task-picker.js';
import { mergeThresholdLists, type Threshold } from '../metrics/thresholds.js';
import type { Scenario, ScenarioEnv, UserClass } from '../scenarios/api.js';
import { buildSessionScenario } from '../scenarios/sessions.js';
import { importClassicScenario, importScenarioModule, resolveScenario } from '../scenarios/loader.js';
import { RestClient } from '../transports/rest.js';
import type { ReplaySelection } from './replay-setup.js';
import { RunSetupError } from './run-setup-error.js';

export { RunSetupError };

export interface ScenarioSelection {
  /** Scenario file, or a built-in name (`classic`, `discover`); see `pickBuiltIn` when absent. */
  scenario?: string;
  /** The --host given, if any: without a REST face there, the default is the discovery scenario. */
  host?: string;
  protocolVersion?: string;
  /** Discovery scenario: argument seed, and which tools it may call. */
  seed?: number;
  allowWrites?: boolean;
  allowDestructive?: boolean;
  tools?: string[];
  /** Discovery: which tools are called as tasks (default: those whose taskSupport is required). */
  tasks?: 'required' | 'optional';
  /** `churn`: calls per session. */
  callsPerSession?: number;
  /** `--replay FILE`: the scenario is that recording's sessions (src/scenarios/replay.ts). */
  replay?: ReplaySelection;
  /** `leak-flood`: the server's process id, for its RSS growth per session (--server-pid, or the embedded server's). */
  serverPid?: number;
  userClasses: string[];
  tags: string[];
  excludeTags: string[];
  thresholds: string[];
  /** --security: add the SecurityProbe user class (the cheap security checks, again and again beside the load). */
  security?: boolean;
  /** Its class weight; default 1. */
  securityWeight?: number;
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

/** The classic suite's status route: a target without it has no REST face. */
const CLASSIC_STATUS_PATH = '/api/v1/mcp/status';

/**
 * With no scenario named: the classic suite for the embedded server and for
 * targets with the classic REST face, the discovery scenario for any other
 * MCP server (one that answers 404 on the classic status route).
 */
async function pickBuiltIn(sel: ScenarioSelection, env: ScenarioEnv, notes: string[]): Promise<'classic' | 'discover'> {
  // stdio and legacy SSE servers are not the reference server: no classic REST face to look for.
  if (env.mcpConnector !== undefined) return 'discover';
  if (sel.host === undefined) return 'classic';
  const rest = new RestClient({
    baseUrl: env.restBaseUrl, recorder: env.silentRecorder, dispatcher: env.dispatcher, headers: env.headers, timeoutMs: env.timeoutMs, signal: env.startupSignal,
  });
  const status = (await rest.get(CLASSIC_STATUS_PATH)).status;
  if (status === 0 && env.startupSignal?.aborted === true) {
    notes.push(`no answer on ${CLASSIC_STATUS_PATH} before the start-up deadline: the classic suite runs (name another with --scenario, e.g. discover)`);
  }
  return status === 404 ? 'discover' : 'classic';
}

async function loadScenario(sel: ScenarioSelection, env: ScenarioEnv, notes: string[]): Promise<Scenario> {
  if (sel.replay !== undefined) return (await import('./replay-setup.js')).loadReplayScenario(sel.replay, env, sel.seed);
  const name = sel.scenario ?? await pickBuiltIn(sel, env, notes);
  if (name === 'discover') {
    // Loaded only for this scenario: the discovery probe and the SDK's URI templates.
    const { buildDiscoverScenario } = await import('../scenarios/discover.js');
    try {
      return await buildDiscoverScenario(env, {
        seed: sel.seed, protocolVersion: sel.protocolVersion,
        allowWrites: sel.allowWrites ?? false, allowDestructive: sel.allowDestructive ?? false, tools: sel.tools ?? [], tasks: sel.tasks,
      });
    } catch (err) {
      throw new RunSetupError((err as Error).message);
    }
  }
  if (name === 'churn' || name === 'leak-flood') {
    try {
      return buildSessionScenario(name, env, { callsPerSession: sel.callsPerSession, serverPid: sel.serverPid });
    } catch (err) {
      throw new RunSetupError((err as Error).message);
    }
  }
  if (name === 'classic') {
    const classic = await importClassicScenario();
    return resolveScenario(classic.exported, env, classic.file);
  }
  return resolveScenario(await importScenarioModule(name), env, name);
}

export async function prepareScenario(sel: ScenarioSelection, env: ScenarioEnv): Promise<PreparedScenario> {
  const notes: string[] = [];
  const scenario = await loadScenario(sel, env, notes);
  notes.push(...(scenario.notes ?? []));

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
  let classes = sel.userClasses.length > 0 ? available.filter((c) => sel.userClasses.includes(c.name)) : available;
  if (classes.length === 0) throw new RunSetupError('no user class is left to run after --user-class and tag filtering');
  if (sel.security) {
    // Beside whatever was picked: --user-class and tags do not filter it out.
    const { securityProbeClass } = await import('../security/probe-user.js');
    const probe = securityProbeClass(env, { weight: sel.securityWeight, protocolVersion: sel.protocolVersion });
    available = [...available, probe];
    classes = [...classes, probe];
  }

  let thresholds: Threshold[];
  try {
    thresholds = mergeThresholdLists(scenario.thresholds ?? [], sel.thresholds);
  } catch (err) {
    throw new RunSetupError((err as Error).message);
  }
  return { scenario, available, classes, thresholds, notes };
}

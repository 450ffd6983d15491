/**
 * Reads Locust's `POST /swarm` form (`user_count`, `spawn_rate`, `host`,
 * `run_time`, repeated `user_classes`) plus mcpload's `weight.<Class>` fields.
 * Bad values give one clear message, never an exception that reaches the run.
 */
import { parseDurationMs, parseHttpUrl, parseNonNegativeInt, parsePositiveNumber } from '../values/option-values.js';

export class SwarmFormError extends Error {}

export interface SwarmRequest {
  users: number;
  spawnRate: number;
  /** undefined: keep the current target; '': the embedded reference server; else a URL. */
  host?: string;
  /** undefined: keep the current limit; null: no limit. */
  runTimeMs?: number | null;
  /** undefined: keep the current selection. */
  userClasses?: string[];
  /** Class name → weight, for the classes whose weight was given. */
  weights: Record<string, number>;
}

export interface SwarmDefaults {
  users: number;
  spawnRate: number;
}

function field<T>(label: string, raw: string, parse: (text: string) => T): T {
  try {
    return parse(raw);
  } catch (err) {
    throw new SwarmFormError(`${label}: ${(err as Error).message}`);
  }
}

/**
 * @param known the class names a run may pick.
 * @param defaults used for user_count / spawn_rate when they are missing (Locust scripts always send both).
 */
export function parseSwarmForm(form: URLSearchParams, known: readonly string[], defaults: SwarmDefaults): SwarmRequest {
  const usersText = form.get('user_count');
  const rateText = form.get('spawn_rate');
  const request: SwarmRequest = {
    users: usersText === null || usersText.trim() === '' ? defaults.users : field('user_count', usersText, parseNonNegativeInt),
    spawnRate: rateText === null || rateText.trim() === '' ? defaults.spawnRate : field('spawn_rate', rateText, parsePositiveNumber),
    weights: {},
  };

  const host = form.get('host');
  if (host !== null) request.host = host.trim() === '' ? '' : field('host', host.trim(), parseHttpUrl);

  const runTime = form.get('run_time');
  if (runTime !== null) request.runTimeMs = runTime.trim() === '' ? null : field('run_time', runTime, parseDurationMs);
  if (request.runTimeMs === 0) throw new SwarmFormError('run_time: must be longer than 0 (leave it empty for no limit)');

  const picked = form.getAll('user_classes').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (picked.length > 0) {
    const unknown = picked.filter((name) => !known.includes(name));
    if (unknown.length > 0) throw new SwarmFormError(`user_classes: unknown class ${unknown.join(', ')} (known: ${known.join(', ')})`);
    request.userClasses = [...new Set(picked)];
  }

  for (const [key, value] of form) {
    if (!key.startsWith('weight.')) continue;
    const name = key.slice('weight.'.length);
    if (!known.includes(name)) throw new SwarmFormError(`${key}: unknown class ${name}`);
    const weight = Number(value);
    if (value.trim() === '' || !Number.isFinite(weight) || weight <= 0) throw new SwarmFormError(`${key}: "${value}" is not a weight > 0`);
    request.weights[name] = weight;
  }
  return request;
}

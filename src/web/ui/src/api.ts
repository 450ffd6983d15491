/** The page's link to the server: the live stream and the commands (the same routes Locust scripts use). */
import type { InitMessage, UpdateMessage } from '../../../report/view-model.js';
import { store } from './store.js';

export function connectLive(): () => void {
  const source = new EventSource('./events');
  source.addEventListener('init', (e) => store.init(JSON.parse((e as MessageEvent<string>).data) as InitMessage));
  source.addEventListener('update', (e) => store.update(JSON.parse((e as MessageEvent<string>).data) as UpdateMessage));
  // EventSource reconnects by itself; the next "init" brings the page back up to date.
  source.addEventListener('error', () => store.setConnected(false));
  return () => source.close();
}

export interface CommandResult {
  ok: boolean;
  message: string;
}

async function command(path: string, init?: RequestInit): Promise<CommandResult> {
  try {
    const res = await fetch(path, init);
    const text = await res.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // plain text reply
    }
    return { ok: res.ok, message };
  } catch (err) {
    return { ok: false, message: `the server cannot be reached (${(err as Error).message})` };
  }
}

export interface SwarmForm {
  host?: string;
  users: number | string;
  spawnRate: number | string;
  runTime?: string;
  userClasses?: string[];
  weights?: Record<string, number | string>;
}

export function swarm(form: SwarmForm): Promise<CommandResult> {
  const body = new URLSearchParams();
  body.set('user_count', String(form.users));
  body.set('spawn_rate', String(form.spawnRate));
  if (form.host !== undefined) body.set('host', form.host);
  if (form.runTime !== undefined) body.set('run_time', form.runTime);
  for (const name of form.userClasses ?? []) body.append('user_classes', name);
  for (const [name, weight] of Object.entries(form.weights ?? {})) body.set(`weight.${name}`, String(weight));
  return command('./swarm', { method: 'POST', body });
}

export function stop(): Promise<CommandResult> {
  return command('./stop');
}

export function resetStats(): Promise<CommandResult> {
  return command('./stats/reset');
}

/** The start form: host (the embedded server by default), users, spawn rate, run time, and the user classes with weights. */
import { useState } from 'preact/hooks';
import type { ClassRatio, FormDefaults } from '../../../../report/view-model.js';
import { swarm } from '../api.js';

export function StartForm({ defaults, classes, onDone, onCancel }: {
  defaults: FormDefaults;
  classes: ClassRatio[];
  onDone: () => void;
  onCancel?: () => void;
}) {
  const [host, setHost] = useState(defaults.host);
  const [users, setUsers] = useState(String(defaults.users));
  const [spawnRate, setSpawnRate] = useState(String(defaults.spawnRate));
  const [runTime, setRunTime] = useState(defaults.runTime);
  const [picked, setPicked] = useState<Set<string>>(new Set(defaults.userClasses));
  const [weights, setWeights] = useState<Record<string, string>>(Object.fromEntries(classes.map((c) => [c.name, String(c.weight)])));
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const toggle = (name: string) => {
    const next = new Set(picked);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setPicked(next);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    const changedWeights: Record<string, string> = {};
    for (const c of classes) {
      const w = weights[c.name];
      if (picked.has(c.name) && w !== undefined && w !== String(c.weight)) changedWeights[c.name] = w;
    }
    const result = await swarm({ host: host.trim(), users, spawnRate, runTime: runTime.trim(), userClasses: [...picked], weights: changedWeights });
    setBusy(false);
    if (result.ok) onDone();
    else setError(result.message);
  };

  return (
    <form class="start-form card" onSubmit={submit} data-testid="start-form">
      <header>
        <h2>Start a new load test</h2>
        <p class="muted">Settings given on the command line are filled in. Everything here can also be sent to <code>POST /swarm</code>.</p>
      </header>
      <div class="fields">
        <label class="wide">
          <span>Host</span>
          <input
            name="host"
            value={host}
            onInput={(e) => setHost((e.currentTarget as HTMLInputElement).value)}
            placeholder={defaults.embeddedHost ? `embedded reference server (${defaults.embeddedHost})` : 'embedded reference server'}
          />
          <small>Base URL or MCP endpoint URL. Empty: the embedded reference server.</small>
        </label>
        <label>
          <span>Number of users</span>
          <input name="user_count" type="number" min="0" step="1" required value={users} onInput={(e) => setUsers((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>
          <span>Spawn rate (users/s)</span>
          <input name="spawn_rate" type="number" min="0.01" step="any" required value={spawnRate} onInput={(e) => setSpawnRate((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>
          <span>Run time</span>
          <input name="run_time" value={runTime} placeholder="e.g. 30s, 5m, 1h30m" onInput={(e) => setRunTime((e.currentTarget as HTMLInputElement).value)} />
          <small>Empty: until stopped.</small>
        </label>
      </div>
      <fieldset class="classes">
        <legend>User classes</legend>
        <table class="data compact">
          <thead><tr><th /><th>Class</th><th class="num">Weight</th><th class="num">Tasks</th></tr></thead>
          <tbody>
            {classes.map((c) => (
              <tr class={picked.has(c.name) ? '' : 'unselected'}>
                <td><input type="checkbox" aria-label={`run ${c.name}`} checked={picked.has(c.name)} onChange={() => toggle(c.name)} /></td>
                <td class="name">{c.name}</td>
                <td class="num">
                  {c.fixedCount !== undefined ? <span class="muted">fixed {c.fixedCount}</span> : (
                    <input
                      class="weight"
                      type="number"
                      min="0.01"
                      step="any"
                      aria-label={`weight of ${c.name}`}
                      value={weights[c.name] ?? ''}
                      onInput={(e) => setWeights({ ...weights, [c.name]: (e.currentTarget as HTMLInputElement).value })}
                    />
                  )}
                </td>
                <td class="num">{c.tasks.length}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </fieldset>
      {error ? <p class="form-error" role="alert">{error}</p> : null}
      <footer>
        {onCancel ? <button type="button" class="button ghost" onClick={onCancel}>Cancel</button> : null}
        <button type="submit" class="button primary" disabled={busy || picked.size === 0} data-testid="start-button">
          {busy ? 'Starting…' : 'Start'}
        </button>
      </footer>
    </form>
  );
}

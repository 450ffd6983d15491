/** The control bar: state, users, throughput, failures, time, verdict, and the run's commands. */
import { useState } from 'preact/hooks';
import type { LiveStatus } from '../../../../report/view-model.js';
import { resetStats, stop, swarm } from '../api.js';
import { clock, int, ms, percent, rate } from '../format.js';

function Stat({ label, value, sub, tone, testId }: { label: string; value: string; sub?: string; tone?: string; testId?: string }) {
  return (
    <div class={`stat ${tone ?? ''}`}>
      <span class="label">{label}</span>
      <span class="value" data-testid={testId}>{value}</span>
      {sub ? <span class="sub">{sub}</span> : null}
    </div>
  );
}

function UsersEditor({ status, onClose }: { status: LiveStatus; onClose: () => void }) {
  const [users, setUsers] = useState(String(status.targetUsers));
  const [spawnRate, setSpawnRate] = useState('1');
  const [error, setError] = useState('');
  const apply = async (e: Event) => {
    e.preventDefault();
    const result = await swarm({ users, spawnRate });
    if (result.ok) onClose();
    else setError(result.message);
  };
  return (
    <form class="popover" onSubmit={apply} data-testid="users-editor">
      <label><span>Users</span><input name="user_count" type="number" min="0" value={users} onInput={(e) => setUsers((e.currentTarget as HTMLInputElement).value)} /></label>
      <label><span>Spawn rate</span><input name="spawn_rate" type="number" min="0.01" step="any" value={spawnRate} onInput={(e) => setSpawnRate((e.currentTarget as HTMLInputElement).value)} /></label>
      {error ? <p class="form-error">{error}</p> : null}
      <div class="row">
        <button type="button" class="button ghost" onClick={onClose}>Cancel</button>
        <button type="submit" class="button primary" data-testid="apply-users">Apply</button>
      </div>
    </form>
  );
}

/** Under the user count: the target while ramping, the peak once stopped. */
function usersSub(status: LiveStatus, active: boolean, peakUsers: number | undefined): string | undefined {
  if (active) return status.targetUsers !== status.users ? `→ ${int(status.targetUsers)}` : undefined;
  return status.state === 'stopped' && peakUsers !== undefined && peakUsers > 0 ? `peak ${int(peakUsers)}` : undefined;
}

export function Header({ status, connected, report, peakUsers, onNewTest }: {
  status: LiveStatus;
  connected: boolean;
  report: boolean;
  /** The most users the run had (a report's header shows it instead of the count at the end). */
  peakUsers?: number;
  onNewTest?: () => void;
}) {
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState('');
  const active = status.state === 'spawning' || status.state === 'running';
  // A countdown only while users run: a stopped run (or a report) has no time left, it ran.
  const remaining = status.runTimeS !== null && active ? Math.max(0, status.runTimeS - status.elapsedS) : null;
  const hasRun = status.state !== 'ready';
  const settled = report || status.state === 'stopped';
  const run = async (what: string, fn: () => Promise<unknown>) => {
    setBusy(what);
    await fn();
    setBusy('');
  };

  return (
    <header class="topbar">
      <div class="brand">
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
          <path d="M3 17l5-6 4 4 6-9 3 4" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
        <div>
          <b>mcpload</b>
          <span class="host" title={status.host}>{status.host}</span>
        </div>
      </div>
      <div class="stats-strip">
        <Stat label="State" value={report ? 'report' : status.state} tone={`state-${status.state}`} testId="state" sub={connected ? undefined : 'reconnecting…'} />
        {report
          ? <Stat label="Peak users" value={int(peakUsers ?? status.users)} testId="users" />
          : <Stat label="Users" value={int(status.users)} sub={usersSub(status, active, peakUsers)} testId="users" />}
        {/* Once stopped, the last second's rate would stay frozen: show the whole run's average, named as such. */}
        {settled
          ? <Stat label="RPS (run avg)" value={rate(status.aggregated?.rps ?? 0)} testId="rps" />
          : <Stat label="RPS" value={rate(status.totalRps)} testId="rps" />}
        <Stat label="Failures" value={percent(status.failRatio)} tone={status.failRatio > 0 ? 'warn' : ''} testId="fail-ratio" />
        <Stat label="p95" value={status.aggregated ? `${ms(status.aggregated.p95Ms)} ms` : '–'} />
        <Stat
          label={settled ? 'Ran' : remaining !== null ? 'Elapsed / left' : 'Elapsed'}
          value={clock(status.elapsedS)}
          sub={remaining !== null ? `${clock(remaining)} left` : undefined}
          testId="elapsed"
        />
        {hasRun ? <Stat label="Verdict" value={status.passed ? 'PASS' : 'FAIL'} tone={status.passed ? 'good' : 'bad'} testId="verdict" /> : null}
      </div>
      {!report ? (
        <div class="actions">
          {active ? (
            <div class="popover-anchor">
              <button class="button" onClick={() => setEditing(!editing)} data-testid="edit-users">Change users</button>
              {editing ? <UsersEditor status={status} onClose={() => setEditing(false)} /> : null}
            </div>
          ) : null}
          {active ? (
            <button class="button danger" disabled={busy !== ''} onClick={() => void run('stop', stop)} data-testid="stop">
              {busy === 'stop' ? 'Stopping…' : 'Stop'}
            </button>
          ) : null}
          {hasRun ? <button class="button ghost" disabled={busy !== ''} onClick={() => void run('reset', resetStats)} data-testid="reset">Reset stats</button> : null}
          {!active && hasRun && status.state !== 'stopping' ? <button class="button primary" onClick={onNewTest} data-testid="new-test">New test</button> : null}
        </div>
      ) : null}
    </header>
  );
}

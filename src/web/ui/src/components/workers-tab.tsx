/** A master's workers (`run --master`): one row each, as the master hears them. */
import type { WorkerView } from '../../../../report/view-model.js';
import { rate } from '../format.js';

/** Seconds since the last heartbeat: "0.4 s ago"; a dash once the worker ended. */
function heartbeat(ago: number | null): string {
  return ago === null ? '–' : `${ago.toFixed(1)} s ago`;
}

export function WorkersTab({ workers }: { workers: WorkerView[] }) {
  if (workers.length === 0) return <p class="empty">No worker has joined yet: start them with mcpload run --worker --master-host …</p>;
  const hot = workers.filter((w) => w.cpuHigh);
  return (
    <div>
      {hot.length > 0 ? (
        <p class="summary-line bad" data-testid="cpu-warning">
          {hot.map((w) => `worker ${w.index}`).join(', ')} above 90 % CPU: {hot.length === 1 ? 'its figures measure' : 'their figures measure'} the generator more than the target (add workers or give each less load).
        </p>
      ) : null}
      <div class="table-wrap">
        <table class="data workers-table" data-testid="workers-table">
          <thead>
            <tr><th class="num">#</th><th>Host</th><th>State</th><th class="num">Users</th><th class="num">RPS</th><th class="num">CPU %</th><th>Last heartbeat</th></tr>
          </thead>
          <tbody>
            {workers.map((w) => (
              <tr class={`worker ${w.state === 'lost' ? 'lost' : ''} ${w.cpuHigh ? 'cpu-high' : ''}`} data-testid="worker-row" title={w.detail}>
                <td class="num">{w.index}</td>
                <td class="name">{w.host}{w.address ? <span class="muted"> ({w.address})</span> : null}</td>
                <td class="state">{w.state}</td>
                <td class="num">{w.users}</td>
                <td class="num">{rate(w.rps)}</td>
                <td class="num cpu">{w.cpuPercent === null ? '–' : w.cpuPercent.toFixed(1)}</td>
                <td>{heartbeat(w.heartbeatAgoS)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

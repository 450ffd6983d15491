/** The Charts tab: totals over time, and one entry's response times picked from the table. */
import type { RowView } from '../../../../report/view-model.js';
import { store, type UiState } from '../store.js';
import { Chart, type Line } from './chart.js';

const C = { blue: '#4f9dff', red: '#ff5c6c', green: '#3ddc97', amber: '#ffb547', violet: '#b48cff', cyan: '#3fd0e0' };

const RPS_LINES: Line[] = [
  { label: 'Requests/s', color: C.blue, values: (s) => s.rps, fill: true },
  { label: 'Failures/s', color: C.red, values: (s) => s.fps, fill: true },
];
const LATENCY_LINES: Line[] = [
  { label: 'p50', color: C.green, values: (s) => s.p50 },
  { label: 'p95', color: C.amber, values: (s) => s.p95 },
  { label: 'p99', color: C.red, values: (s) => s.p99 },
];
const USER_LINES: Line[] = [{ label: 'Users', color: C.violet, values: (s) => s.users, fill: true }];
const ENTRY_LINES: Line[] = [
  { label: 'p50', color: C.green, values: (s) => s.p50 },
  { label: 'p95', color: C.amber, values: (s) => s.p95 },
  { label: 'p99', color: C.red, values: (s) => s.p99 },
];

function EntryPicker({ rows, state }: { rows: RowView[]; state: UiState }) {
  const value = state.entry ? `${state.entry.type}\u0000${state.entry.name}` : '';
  return (
    <label class="entry-picker">
      <span>Entry</span>
      <select
        value={value}
        data-testid="entry-picker"
        onChange={(e) => {
          const v = (e.currentTarget as HTMLSelectElement).value;
          if (v === '') return store.clearEntry();
          const [type = '', name = ''] = v.split('\u0000');
          void store.selectEntry(type, name);
        }}
      >
        <option value="">— pick an entry (or use the chart button in Statistics) —</option>
        {rows.map((r) => (
          <option key={`${r.type}\u0000${r.name}`} value={`${r.type}\u0000${r.name}`}>{`${r.type} ${r.name}`}</option>
        ))}
      </select>
    </label>
  );
}

export function ChartsTab({ state, rows }: { state: UiState; rows: RowView[] }) {
  const { series, revision, entry } = state;
  return (
    <div class="charts">
      <div class="chart-grid">
        <Chart title="Requests per second" unit="" series={series} lines={RPS_LINES} revision={revision} testId="chart-rps" clip />
        <Chart title="Response time, ms (percentiles of each second)" unit=" ms" series={series} lines={LATENCY_LINES} revision={revision} testId="chart-latency" clip />
        <Chart title="Users" unit="" series={series} lines={USER_LINES} revision={revision} testId="chart-users" />
        <section class="chart-card entry-card">
          <header>
            <h3>Response time of one entry</h3>
            <EntryPicker rows={rows} state={state} />
          </header>
          {entry ? (
            <Chart
              title={`${entry.type} ${entry.name}, ms${entry.loading ? ' (loading history…)' : ''}`}
              unit=" ms"
              series={entry.series}
              lines={ENTRY_LINES}
              revision={revision}
              height={180}
              testId="chart-entry"
              clip
            />
          ) : (
            <p class="empty">Pick an entry above, or press the chart button of a row in Statistics.</p>
          )}
        </section>
      </div>
    </div>
  );
}

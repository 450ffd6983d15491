/** A report of `run --baseline`: the baseline's figures beside the run's, per entry, with the change and the noise test. */
import type { BaselineEntryView, BaselineMetricView, BaselineView } from '../../../../report/view-model.js';
import { int, ms, rate } from '../format.js';

const LABELS: Record<string, string> = {
  requests: 'requests', error_rate: 'error rate', p50: 'p50 (ms)', p95: 'p95 (ms)', p99: 'p99 (ms)', max: 'max (ms)', rps: 'req/s',
};

function figure(metric: string, value: number): string {
  if (metric === 'requests') return int(value);
  if (metric === 'error_rate') return `${value.toFixed(2)}%`;
  if (metric === 'rps') return rate(value);
  return ms(value);
}

function change(m: BaselineMetricView): string {
  const sign = (n: number) => (n > 0 ? '+' : n < 0 ? '−' : '±');
  if (m.metric === 'error_rate') return `${sign(m.change)}${Math.abs(m.change).toFixed(2)} pp`;
  if (m.changePct === null) return `${sign(m.change)}${figure(m.metric, Math.abs(m.change))} (from 0)`;
  return `${sign(m.changePct)}${Math.abs(m.changePct).toFixed(1)}%`;
}

function EntryRows({ entry }: { entry: BaselineEntryView }) {
  const name = entry.type ? `${entry.type} ${entry.name}` : entry.name;
  if (entry.presence !== 'both') {
    return (
      <tr data-entry={name}>
        <td class="name-text">{name}</td>
        <td colSpan={5} class="muted">{entry.presence === 'added' ? 'added: only in this run' : 'removed: only in the baseline'} ({int(entry.requests ?? 0)} requests)</td>
      </tr>
    );
  }
  return (
    <>
      {entry.metrics.map((m, i) => (
        <tr data-entry={name} data-metric={m.metric}>
          <td class="name-text">{i === 0 ? name : ''}</td>
          <td>{LABELS[m.metric] ?? m.metric}</td>
          <td class="num">{figure(m.metric, m.base)}</td>
          <td class="num">{figure(m.metric, m.current)}</td>
          <td class="num">{change(m)}</td>
          <td class={m.significance === 'significant' ? 'bad' : 'muted'}>{m.significance === 'significant' ? 'SIGNIFICANT' : (m.significance ?? '')}</td>
        </tr>
      ))}
    </>
  );
}

export function BaselineTab({ baseline }: { baseline: BaselineView }) {
  return (
    <div>
      <p class="muted">
        Baseline <span class="mono">{baseline.base.label}</span> · {new Date(baseline.base.startedAt).toLocaleString()} · {baseline.base.durationS.toFixed(1)} s.
        {' '}Significance: {baseline.method}.
      </p>
      {baseline.checks.length > 0 ? (
        <div class={`summary-line ${baseline.failed ? 'bad' : 'good'}`}>
          {baseline.failed ? 'Regression: a --fail-on condition failed' : 'No regression by the --fail-on conditions'}
          {baseline.checks.map((c) => (
            <div class="judged"><span class={`pill ${c.outcome === 'fail' ? 'fail' : 'pass'}`}>{c.outcome.toUpperCase()}</span> <span class="mono">{c.expr}</span> <span class="muted">[{c.type ? `${c.type} ${c.name}` : c.name}] {c.message}</span></div>
          ))}
        </div>
      ) : null}
      <div class="table-wrap">
        <table class="data" data-testid="baseline-table">
          <thead><tr><th>Entry</th><th>Metric</th><th class="num">Baseline</th><th class="num">This run</th><th class="num">Change</th><th>Noise test</th></tr></thead>
          <tbody>
            {baseline.entries.map((e) => <EntryRows entry={e} />)}
            <EntryRows entry={baseline.aggregated} />
          </tbody>
        </table>
      </div>
    </div>
  );
}

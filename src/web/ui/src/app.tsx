/** The page: control bar, start form, and the tabs; live (SSE) or as an offline report. */
import { useState } from 'preact/hooks';
import type { LiveStatus, ReportData } from '../../../report/view-model.js';
import { BaselineTab } from './components/baseline-tab.js';
import { ChartsTab } from './components/charts-tab.js';
import { Header } from './components/header.js';
import { StartForm } from './components/start-form.js';
import { StatsTable } from './components/stats-table.js';
import { WorkersTab } from './components/workers-tab.js';
import {
  DownloadTab, ExceptionsTab, FailuresTab, LogsTab, Notes, RatioTab, SecurityTab, SettingsTab, ThresholdsTab,
} from './components/tabs.js';
import { clock } from './format.js';
import { useStore } from './store.js';

type TabId = 'stats' | 'workers' | 'charts' | 'failures' | 'exceptions' | 'security' | 'thresholds' | 'ratio' | 'download' | 'logs' | 'settings' | 'baseline';

/** What the header shows for a finished run read from a report. */
function reportStatus(r: ReportData): LiveStatus {
  const agg = r.aggregated;
  return {
    state: 'stopped', host: r.host, users: r.peakUsers, targetUsers: 0, elapsedS: r.durationS, runTimeS: null,
    totalRps: agg?.rps ?? 0, failRatio: agg && agg.requests > 0 ? agg.failures / agg.requests : 0,
    rows: r.rows, aggregated: agg, errors: r.errors, exceptions: r.exceptions, thresholds: r.thresholds, security: r.security,
    classes: [], passed: r.passed,
  };
}

/** The most users in a series (a live page's peak, read from its chart points). */
function peakOf(users: readonly number[]): number {
  let peak = 0;
  for (const n of users) if (n > peak) peak = n;
  return peak;
}

function TabButton({ id, label, count, tone, active, onPick }: { id: TabId; label: string; count?: number; tone?: string; active: boolean; onPick: (id: TabId) => void }) {
  return (
    <button role="tab" aria-selected={active} class={`tab ${active ? 'active' : ''}`} onClick={() => onPick(id)} data-testid={`tab-${id}`}>
      {label}
      {count !== undefined && count > 0 ? <span class={`badge ${tone ?? ''}`}>{count}</span> : null}
    </button>
  );
}

export function App() {
  const state = useStore();
  const [tab, setTab] = useState<TabId>('stats');
  const [formOpen, setFormOpen] = useState(false);
  const report = state.report;
  const status = report ? reportStatus(report) : state.status;

  if (!status) {
    return <div class="loading">{state.connected ? 'Loading…' : 'Connecting to mcpload…'}</div>;
  }
  const showForm = !report && state.form !== null && (status.state === 'ready' || formOpen);
  const failedChecks = status.security.filter((s) => !s.passed).length;
  const failedThresholds = status.thresholds.filter((t) => !t.passed).length;
  const failures = status.errors.reduce((n, e) => n + e.occurrences, 0);

  const tabs: Array<{ id: TabId; label: string; count?: number; tone?: string }> = [
    { id: 'stats', label: 'Statistics', count: status.rows.length },
    ...(status.workers !== undefined && !report
      ? [{ id: 'workers' as const, label: 'Workers', count: status.workers.length, tone: status.workers.some((w) => w.state === 'lost' || w.cpuHigh) ? 'bad' : 'good' }]
      : []),
    { id: 'charts', label: 'Charts' },
    { id: 'failures', label: 'Failures', count: failures, tone: 'bad' },
    { id: 'exceptions', label: 'Exceptions', count: status.exceptions.reduce((n, e) => n + e.count, 0), tone: 'bad' },
    { id: 'security', label: 'Security', count: failedChecks || status.security.length, tone: failedChecks ? 'bad' : 'good' },
    { id: 'thresholds', label: 'Thresholds', count: failedThresholds || status.thresholds.length, tone: failedThresholds ? 'bad' : 'good' },
  ];
  if (report?.baseline) tabs.push({ id: 'baseline', label: 'Baseline', ...(report.baseline.checks.length > 0 ? { count: report.baseline.checks.filter((c) => c.outcome === 'fail').length, tone: report.baseline.failed ? 'bad' : 'good' } : {}) });
  if (report) tabs.push({ id: 'settings', label: 'Settings' });
  else tabs.push({ id: 'ratio', label: 'Current ratio' }, { id: 'download', label: 'Download data' }, { id: 'logs', label: 'Logs', count: state.logs.length });

  const selected = state.entry ? { type: state.entry.type, name: state.entry.name } : null;
  let body;
  switch (tab) {
    case 'stats':
      body = <StatsTable rows={status.rows} aggregated={status.aggregated} selected={selected} onShowChart={() => setTab('charts')} live={!report} />;
      break;
    case 'workers':
      body = <WorkersTab workers={status.workers ?? []} />;
      break;
    case 'charts':
      body = <ChartsTab state={state} rows={status.rows} />;
      break;
    case 'failures':
      body = <FailuresTab errors={status.errors} />;
      break;
    case 'exceptions':
      body = <ExceptionsTab exceptions={status.exceptions} />;
      break;
    case 'security':
      body = <SecurityTab checks={status.security} finished={report !== null || status.state === 'stopped'} />;
      break;
    case 'thresholds':
      body = <ThresholdsTab thresholds={status.thresholds} />;
      break;
    case 'ratio':
      body = <RatioTab classes={status.classes} />;
      break;
    case 'download':
      body = <DownloadTab hasRun={status.state !== 'ready'} />;
      break;
    case 'logs':
      body = <LogsTab logs={state.logs} />;
      break;
    case 'baseline':
      body = report?.baseline ? <BaselineTab baseline={report.baseline} /> : null;
      break;
    case 'settings':
      body = <SettingsTab settings={report?.settings ?? {}} thresholds={status.thresholds} />;
      break;
  }

  return (
    <div class={`shell ${report ? 'report-mode' : ''}`}>
      <Header
        status={status}
        connected={state.connected}
        report={report !== null}
        peakUsers={report ? report.peakUsers : Math.max(peakOf(state.series.users), status.users)}
        onNewTest={() => setFormOpen(true)}
      />
      {report ? (
        <div class="report-banner">
          Report of scenario <b>{report.scenario}</b> against <b>{report.host}</b> · {new Date(report.startedAt).toLocaleString()} · ran {clock(report.durationS)} · mcpload {report.version}
        </div>
      ) : null}
      {report && report.notes.length > 0 ? <Notes notes={report.notes} /> : null}
      {showForm && state.form ? (
        <div class="form-layer">
          <StartForm
            defaults={state.form}
            classes={status.classes}
            onDone={() => setFormOpen(false)}
            onCancel={status.state === 'ready' ? undefined : () => setFormOpen(false)}
          />
        </div>
      ) : null}
      <nav class="tabs" role="tablist">
        {tabs.map((t) => <TabButton {...t} active={tab === t.id} onPick={setTab} />)}
      </nav>
      <main class={`tab-body tab-${tab}`}>{body}</main>
    </div>
  );
}

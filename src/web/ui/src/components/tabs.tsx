/** The smaller tabs: failures, exceptions, security checks, thresholds, class ratio, downloads, logs, settings; a report's notes. */
import { useEffect, useRef } from 'preact/hooks';
import type { ClassRatio, ErrorView, ExceptionView, LogLine, SecurityView, ThresholdView } from '../../../../report/view-model.js';
import { int, percent, timeOfDay } from '../format.js';

function Empty({ children }: { children: string }) {
  return <p class="empty">{children}</p>;
}

function Verdict({ passed }: { passed: boolean }) {
  return <span class={`pill ${passed ? 'pass' : 'fail'}`}>{passed ? 'PASS' : 'FAIL'}</span>;
}

/** "http: 503 Service Unavailable" → "http". */
function kindOf(error: string): string {
  const colon = error.indexOf(':');
  return colon > 0 ? error.slice(0, colon) : error;
}

export function FailuresTab({ errors }: { errors: ErrorView[] }) {
  if (errors.length === 0) return <Empty>No failures.</Empty>;
  const byKind = new Map<string, number>();
  for (const e of errors) byKind.set(kindOf(e.error), (byKind.get(kindOf(e.error)) ?? 0) + e.occurrences);
  return (
    <div>
      <div class="chips">
        {[...byKind].sort((a, b) => b[1] - a[1]).map(([kind, count]) => (
          <span class="chip"><b>{int(count)}</b> {kind}</span>
        ))}
      </div>
      <div class="table-wrap">
        <table class="data" data-testid="failures-table">
          <thead><tr><th class="num"># Occurrences</th><th>Type</th><th>Name</th><th>Error</th></tr></thead>
          <tbody>
            {errors.map((e) => (
              <tr class={e.type === 'SECURITY' ? 'security' : ''}>
                <td class="num">{int(e.occurrences)}</td><td>{e.type}</td><td class="name">{e.name}</td><td class="error-text">{e.error}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function ExceptionsTab({ exceptions }: { exceptions: ExceptionView[] }) {
  if (exceptions.length === 0) return <Empty>No exceptions in scenario code.</Empty>;
  return (
    <div class="cards">
      {exceptions.map((e) => (
        <details class="card exception" open={exceptions.length <= 5}>
          <summary><span class="count">{int(e.count)}×</span> {e.message}</summary>
          <pre>{e.traceback}</pre>
        </details>
      ))}
    </div>
  );
}

export function SecurityTab({ checks, finished }: { checks: SecurityView[]; finished: boolean }) {
  if (checks.length === 0) {
    return finished
      ? <Empty>No security checks in this run. The classic suite (and mcpload probe) tries routes that must stay closed.</Empty>
      : <Empty>No security checks ran (yet). The classic suite probes routes that must stay closed.</Empty>;
  }
  const failing = checks.filter((c) => !c.passed).length;
  return (
    <div>
      <p class={`summary-line ${failing ? 'bad' : 'good'}`}>
        {failing ? `${failing} of ${checks.length} checks failed: a route that must be refused answered.` : `All ${checks.length} checks held: every probe was refused.`}
      </p>
      <div class="table-wrap">
        <table class="data" data-testid="security-table">
          <thead><tr><th>Status</th><th>Check</th><th class="num">Attempts</th><th class="num">Got through</th><th>Evidence</th></tr></thead>
          <tbody>
            {checks.map((c) => (
              <tr>
                <td><Verdict passed={c.passed} /></td>
                <td class="name">{c.name}</td>
                <td class="num">{int(c.attempts)}</td>
                <td class="num">{int(c.failures)}</td>
                <td class="evidence">{c.evidence.length ? c.evidence.map((e) => <div>{e}</div>) : <span class="muted">refused every time</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** Who set a rule: mcpload's default verdict, the scenario's defaults, or the user's --threshold. */
function sourceLabel(t: ThresholdView): string {
  switch (t.source) {
    case 'mcpload': return 'mcpload default';
    case 'scenario': return 'scenario default';
    default: return 'yours';
  }
}

export function ThresholdsTab({ thresholds }: { thresholds: ThresholdView[] }) {
  if (thresholds.length === 0) return <Empty>No thresholds. Add some with --threshold 'p(95)&lt;500' or in the scenario.</Empty>;
  return (
    <div class="table-wrap">
      <table class="data" data-testid="thresholds-table">
        <thead><tr><th>Status</th><th>Threshold</th><th>From</th><th>Now</th></tr></thead>
        <tbody>
          {thresholds.map((t) => (
            <tr>
              <td><Verdict passed={t.passed} /></td>
              <td class="mono">{t.expr}</td>
              <td class="muted">{sourceLabel(t)}</td>
              <td>{t.detail}{t.over ? <span class="muted"> · over {t.over}</span> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RatioTab({ classes }: { classes: ClassRatio[] }) {
  if (classes.length === 0) return <Empty>No user classes.</Empty>;
  return (
    <div class="cards ratio">
      {classes.map((c) => (
        <section class={`card ${c.selected ? '' : 'unselected'}`}>
          <header>
            <h3>{c.name}</h3>
            <span class="muted">
              {c.fixedCount !== undefined ? `fixed ${c.fixedCount} users` : `weight ${c.weight} · ${percent(c.share)} of users`}
              {' · '}<b>{int(c.users)}</b> running{c.selected ? '' : ' · not picked'}
            </span>
          </header>
          <div class="bar"><span style={{ width: percent(c.share) }} /></div>
          <table class="data compact">
            <thead><tr><th>Task</th><th class="num">Weight</th><th class="num">Share in class</th><th class="num">Share of all</th></tr></thead>
            <tbody>
              {c.tasks.map((t) => (
                <tr><td class="name">{t.name}</td><td class="num">{t.weight}</td><td class="num">{percent(t.share)}</td><td class="num">{percent(t.share * c.share)}</td></tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}

const DOWNLOADS: Array<{ href: string; label: string; what: string }> = [
  { href: './stats/requests/csv', label: 'Statistics CSV', what: 'one line per entry and Aggregated, Locust columns' },
  { href: './stats/requests_full_history/csv', label: 'History CSV', what: 'every entry, every second' },
  { href: './stats/failures/csv', label: 'Failures CSV', what: 'failures grouped by type, name and error' },
  { href: './exceptions/csv', label: 'Exceptions CSV', what: 'errors raised in scenario code' },
  { href: './stats/report?download=1', label: 'HTML report', what: 'one file, opens offline: charts, tables, checks, settings' },
  { href: './stats/result', label: 'Result JSON', what: 'the full result with mergeable histograms' },
];

export function DownloadTab({ hasRun }: { hasRun: boolean }) {
  return (
    <div class="downloads">
      {!hasRun ? <p class="muted">Nothing has run yet: the files hold headers only until a test starts.</p> : null}
      <ul>
        {DOWNLOADS.map((d) => (
          <li>
            <a class="download" href={d.href} download data-testid={`download-${d.label.toLowerCase().replace(/\s+/g, '-')}`}>{d.label}</a>
            <span class="muted">{d.what}</span>
          </li>
        ))}
      </ul>
      <p class="muted">Every file is also an HTTP route (see the README), for scripts.</p>
    </div>
  );
}

/** A log reads like a terminal: oldest first, and it follows new lines while the reader is at the bottom. */
export function LogsTab({ logs }: { logs: LogLine[] }) {
  const box = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  useEffect(() => {
    const el = box.current;
    if (el && following.current) el.scrollTop = el.scrollHeight;
  }, [logs]);
  if (logs.length === 0) return <Empty>Nothing logged yet.</Empty>;
  return (
    <div
      class="logs"
      data-testid="logs"
      ref={box}
      onScroll={(e) => {
        const el = e.currentTarget as HTMLDivElement;
        following.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
      }}
    >
      {logs.map((l) => (
        <div class={`log-line ${l.level}`}>
          <time>{timeOfDay(l.at)}</time>
          <span class="level">{l.level}</span>
          <span class="text">{l.text}</span>
        </div>
      ))}
    </div>
  );
}

/** A report's notes (e.g. which tools discovery skipped and why), shown under its banner. */
export function Notes({ notes }: { notes: string[] }) {
  return (
    <section class="notes" data-testid="report-notes">
      <h3>Notes</h3>
      <ul>
        {notes.map((n) => <li>{n}</li>)}
      </ul>
    </section>
  );
}

/**
 * The run's settings. The `thresholds` setting holds only the rules given on
 * the command line; the row shows the rules that were judged (defaults
 * included) with their verdict instead, so it never reads `[]` for a run
 * that was judged on five.
 */
export function SettingsTab({ settings, thresholds }: { settings: Record<string, unknown>; thresholds: ThresholdView[] }) {
  const entries = Object.entries(settings).filter(([k, v]) => v !== undefined && k !== 'thresholds');
  return (
    <div class="table-wrap">
      <table class="data" data-testid="settings-table">
        <thead><tr><th>Setting</th><th>Value</th></tr></thead>
        <tbody>
          <tr data-setting="thresholds">
            <td class="mono">thresholds (judged)</td>
            <td>
              {thresholds.length === 0 ? <span class="muted">none</span> : thresholds.map((t) => (
                <div class="judged"><Verdict passed={t.passed} /> <span class="mono">{t.expr}</span> <span class="muted">{sourceLabel(t)} · {t.detail}</span></div>
              ))}
            </td>
          </tr>
          {entries.map(([k, v]) => (
            <tr><td class="mono">{k}</td><td class="mono">{typeof v === 'string' ? v : JSON.stringify(v)}</td></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The Statistics tab: Locust's columns plus p99, sortable, filterable; the
 * Aggregated row stays last. The table fits a 1,400 px window: headers wrap,
 * long types and names are cut with an ellipsis (the full text is their
 * title). When replies came over HTTP, a toggle adds two columns after
 * Locust's with the time to first byte (median, 95th percentile); they are
 * off by default so that they never push Locust's columns out of view.
 * SECURITY probe rows and rows under a threshold are marked. Long tables render only the rows in view (plus a margin), with
 * spacers above and below, so a thousand entries sort and update within a
 * frame.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { RowView } from '../../../../report/view-model.js';
import { bytes, int, ms, rate } from '../format.js';
import { store } from '../store.js';

interface Column {
  key: string;
  label: string;
  numeric: boolean;
  value: (r: RowView) => number | string;
  show: (r: RowView) => string;
}

const COLUMNS: Column[] = [
  { key: 'type', label: 'Type', numeric: false, value: (r) => r.type, show: (r) => r.type },
  { key: 'name', label: 'Name', numeric: false, value: (r) => r.name, show: (r) => r.name },
  { key: 'requests', label: '# Requests', numeric: true, value: (r) => r.requests, show: (r) => int(r.requests) },
  { key: 'failures', label: '# Fails', numeric: true, value: (r) => r.failures, show: (r) => int(r.failures) },
  { key: 'median', label: 'Median (ms)', numeric: true, value: (r) => r.medianMs, show: (r) => ms(r.medianMs) },
  { key: 'p95', label: '95%ile (ms)', numeric: true, value: (r) => r.p95Ms, show: (r) => ms(r.p95Ms) },
  { key: 'p99', label: '99%ile (ms)', numeric: true, value: (r) => r.p99Ms, show: (r) => ms(r.p99Ms) },
  { key: 'avg', label: 'Average (ms)', numeric: true, value: (r) => r.avgMs, show: (r) => ms(r.avgMs) },
  { key: 'min', label: 'Min (ms)', numeric: true, value: (r) => r.minMs, show: (r) => ms(r.minMs) },
  { key: 'max', label: 'Max (ms)', numeric: true, value: (r) => r.maxMs, show: (r) => ms(r.maxMs) },
  { key: 'size', label: 'Average size (bytes)', numeric: true, value: (r) => r.avgContentSize, show: (r) => bytes(r.avgContentSize) },
  { key: 'rps', label: 'Current RPS', numeric: true, value: (r) => r.currentRps, show: (r) => rate(r.currentRps) },
  { key: 'fps', label: 'Current Failures/s', numeric: true, value: (r) => r.currentFps, show: (r) => rate(r.currentFps) },
];

const optionalMs = (value: number | undefined): string => (value === undefined ? '–' : ms(value));
/** After Locust's columns, when asked for: the time to first byte, for runs that have it. */
const FIRST_BYTE_COLUMNS: Column[] = [
  { key: 'ttfb50', label: 'First byte median (ms)', numeric: true, value: (r) => r.firstByteMedianMs ?? -1, show: (r) => optionalMs(r.firstByteMedianMs) },
  { key: 'ttfb95', label: 'First byte 95%ile (ms)', numeric: true, value: (r) => r.firstByteP95Ms ?? -1, show: (r) => optionalMs(r.firstByteP95Ms) },
];
const WITH_FIRST_BYTES: Column[] = [...COLUMNS, ...FIRST_BYTE_COLUMNS];

/** The first-byte toggle is remembered per browser (a report opened from a file may have no storage). */
const FIRST_BYTE_KEY = 'mcpload.firstByteColumns';
function readFirstByteChoice(): boolean {
  try {
    return globalThis.localStorage?.getItem(FIRST_BYTE_KEY) === '1';
  } catch {
    return false;
  }
}
function saveFirstByteChoice(on: boolean): void {
  try {
    globalThis.localStorage?.setItem(FIRST_BYTE_KEY, on ? '1' : '0');
  } catch {
    // no storage: the choice lasts as long as the page
  }
}

/**
 * Long tables keep one line per row: there, names longer than this many
 * characters lose their middle rather than their end (the full name is the
 * cell's title). Shorter tables wrap long names instead and show them whole.
 */
const NAME_CHARS = 38;
function middleCut(name: string): string {
  if (name.length <= NAME_CHARS) return name;
  const tail = Math.ceil((NAME_CHARS - 1) / 2);
  return `${name.slice(0, NAME_CHARS - 1 - tail)}…${name.slice(-tail)}`;
}

/** Rows are this tall (CSS keeps them so), which lets the table render only those in view. */
const ROW_HEIGHT = 31;
/** Tables up to this many rows render whole. */
const VIRTUAL_FROM = 120;
const OVERSCAN = 12;

function ChartIcon() {
  return (
    <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
      <path d="M1 14h14M2 11l4-4 3 3 5-6" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

function Row({ row, columns, selected, onChart, live, oneLine }: {
  row: RowView; columns: Column[]; selected: boolean; onChart?: (r: RowView) => void; live: boolean; oneLine: boolean;
}) {
  const classes = [row.security ? 'security' : '', row.failures > 0 ? 'has-failures' : '', selected ? 'selected' : ''].join(' ').trim();
  return (
    <tr class={classes} data-type={row.type} data-name={row.name}>
      <td class="type" title={row.type}>
        {row.security ? <span class="tag tag-security" title="security probe: must be refused">SECURITY</span> : row.type}
      </td>
      <td class="name">
        <span class="name-text" title={row.name}>{oneLine ? middleCut(row.name) : row.name}</span>
        {row.thresholds ? <span class="tag tag-threshold" title={`thresholds: ${row.thresholds.join(', ')}`}>threshold</span> : null}
        {onChart ? (
          <button class="icon-button" title={live ? 'chart this entry' : 'chart this entry'} aria-label={`chart ${row.type} ${row.name}`} onClick={() => onChart(row)}>
            <ChartIcon />
          </button>
        ) : null}
      </td>
      {columns.slice(2).map((c) => <td class={`num ${c.key}`}>{c.show(row)}</td>)}
    </tr>
  );
}

export function StatsTable({ rows, aggregated, selected, onShowChart, live }: {
  rows: RowView[];
  aggregated: RowView | null;
  selected: { type: string; name: string } | null;
  onShowChart: () => void;
  live: boolean;
}) {
  const [sort, setSort] = useState<{ key: string; desc: boolean }>({ key: 'name', desc: false });
  const [filter, setFilter] = useState('');
  const [firstBytes, setFirstBytes] = useState(readFirstByteChoice);

  const hasFirstBytes = aggregated?.firstByteMedianMs !== undefined;
  const columns = hasFirstBytes && firstBytes ? WITH_FIRST_BYTES : COLUMNS;
  const sorted = useMemo(() => {
    const column = columns.find((c) => c.key === sort.key) ?? COLUMNS[1]!;
    const needle = filter.trim().toLowerCase();
    const kept = needle ? rows.filter((r) => `${r.type} ${r.name}`.toLowerCase().includes(needle)) : rows;
    const out = [...kept].sort((a, b) => {
      const x = column.value(a);
      const y = column.value(b);
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sort.desc ? -order : order;
    });
    return out;
  }, [rows, sort, filter, columns]);

  const chart = (r: RowView) => {
    void store.selectEntry(r.type, r.name);
    onShowChart();
  };

  // Which slice of the rows is in view.
  const wrap = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 900 });
  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight });
    const resize = new ResizeObserver(measure);
    resize.observe(el);
    el.addEventListener('scroll', measure, { passive: true });
    return () => {
      resize.disconnect();
      el.removeEventListener('scroll', measure);
    };
  }, []);
  const virtual = sorted.length > VIRTUAL_FROM;
  const first = virtual ? Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN) : 0;
  const last = virtual ? Math.min(sorted.length, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN) : sorted.length;
  const shown = virtual ? sorted.slice(first, last) : sorted;

  return (
    <div class="stats">
      <div class="toolbar">
        <input
          type="search"
          placeholder="Filter by type or name"
          value={filter}
          onInput={(e) => setFilter((e.currentTarget as HTMLInputElement).value)}
          aria-label="filter rows"
        />
        <span class="muted">{filter ? `${sorted.length} of ${rows.length} entries` : `${rows.length} entries`}</span>
        {hasFirstBytes ? (
          <label class="toggle" title="time to first byte (send to response headers), after Locust's columns">
            <input
              type="checkbox"
              checked={firstBytes}
              data-testid="first-byte-toggle"
              onChange={(e) => {
                const on = (e.currentTarget as HTMLInputElement).checked;
                setFirstBytes(on);
                saveFirstByteChoice(on);
              }}
            />
            First byte columns
          </label>
        ) : null}
        <span class="legend">
          <span class="tag tag-security">SECURITY</span> probe that must be refused
          <span class="tag tag-threshold">threshold</span> row judged by a threshold
        </span>
      </div>
      <div class="table-wrap" ref={wrap}>
        <table class={`data stats-table ${virtual ? 'virtual' : ''}`} data-testid="stats-table" data-rows={sorted.length}>
          <thead>
            <tr>
              {columns.map((c) => (
                <th
                  class={`${c.numeric ? 'num' : ''} ${sort.key === c.key ? 'sorted' : ''}`}
                  onClick={() => setSort({ key: c.key, desc: sort.key === c.key ? !sort.desc : c.numeric })}
                  aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                >
                  {c.label}
                  <span class="sort-mark">{sort.key === c.key ? (sort.desc ? '▼' : '▲') : ''}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {first > 0 ? <tr class="spacer" style={{ height: `${first * ROW_HEIGHT}px` }} /> : null}
            {shown.map((r) => (
              <Row
                key={`${r.type}\u0000${r.name}`}
                row={r}
                columns={columns}
                live={live}
                oneLine={virtual}
                selected={selected !== null && selected.type === r.type && selected.name === r.name}
                onChart={chart}
              />
            ))}
            {last < sorted.length ? <tr class="spacer" style={{ height: `${(sorted.length - last) * ROW_HEIGHT}px` }} /> : null}
            {rows.length === 0 ? (
              <tr class="placeholder"><td colSpan={columns.length}>No requests yet.</td></tr>
            ) : null}
          </tbody>
          {aggregated ? (
            <tfoot>
              <Row row={aggregated} columns={columns} selected={false} live={live} oneLine={virtual} />
            </tfoot>
          ) : null}
        </table>
      </div>
    </div>
  );
}

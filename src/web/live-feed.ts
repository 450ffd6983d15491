/**
 * The live push stream (Server-Sent Events at GET /events): on connect a page
 * gets the whole run so far (chart history, logs, tables); then one update a
 * second with the tables and the chart points added since. The figures are
 * computed once per update for every open page, and not at all while no page
 * is open, so watching costs the generator one snapshot a second.
 *
 * The table is read from the live histograms (`Stats.liveRows`), and the
 * snapshot for errors and history encodes histograms only when thresholds
 * need them; with hundreds of entries the period still stretches so that the
 * feed never takes more than about 4 % of the event loop.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HistoryRow } from '../metrics/snapshot.js';
import { judgeRun } from '../report/verdict.js';
import { VERSION } from '../version.js';
import type { WebController } from './controller.js';
import type { LogBook } from './log-book.js';
import type { InitMessage, LiveStatus, SeriesPoint, UpdateMessage } from '../report/view-model.js';
import {
  aggregatedSeries, classRatios, errorViews, exceptionViews, latestPoints, securityViews, tableViewOf, thresholdViews, withFirstBytes,
} from '../report/views.js';

const MIN_PERIOD_MS = 1000;
/** The period is at least this many times the time one update took to compute. */
const COST_FACTOR = 25;
/** A page that cannot keep up (this much unsent) is dropped; its EventSource reconnects and gets a fresh start. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

interface Client {
  res: ServerResponse;
}

export interface FeedComputation {
  status: LiveStatus;
  /** History rows newer than the `historyAfter` asked for. */
  history: HistoryRow[];
}

export class LiveFeed {
  private readonly clients = new Set<Client>();
  private timer: NodeJS.Timeout | undefined;
  /** Timestamp (Unix s) of the newest history row already pushed. */
  private pushedUpTo = -Infinity;
  private pushedGeneration = -1;
  private logSeq = 0;
  private cached: { at: number; generation: number; status: LiveStatus } | undefined;
  private closed = false;

  constructor(private readonly controller: WebController, private readonly log: LogBook) {}

  get clientCount(): number {
    return this.clients.size;
  }

  /** The live figures now, computed at most once per `maxAgeMs` (shared by the API and the stream). */
  status(maxAgeMs = MIN_PERIOD_MS): LiveStatus {
    const now = Date.now();
    const c = this.cached;
    if (c && c.generation === this.controller.generation && now - c.at < maxAgeMs) return c.status;
    return this.compute(Infinity).status;
  }

  /** Computes the figures of the current run, with the history rows after `historyAfter` (Unix s; Infinity for none). */
  compute(historyAfter: number): FeedComputation {
    const ctl = this.controller;
    const run = ctl.run;
    const classes = classRatios(ctl.weightedClasses(), ctl.selected, run?.usersByClass() ?? {});
    const workers = ctl.workers();
    const base = {
      host: ctl.host,
      runTimeS: ctl.runTimeMs !== null ? ctl.runTimeMs / 1000 : null,
      classes,
      ...(workers !== undefined ? { workers } : {}),
    };
    if (!run) {
      const status: LiveStatus = {
        ...base, state: 'ready', users: 0, targetUsers: 0, elapsedS: 0, totalRps: 0, failRatio: 0,
        rows: [], aggregated: null, errors: [], exceptions: [], thresholds: [], security: [], passed: true,
      };
      return { status, history: [] };
    }
    // The table comes straight from the live histograms; the snapshot carries histograms only when
    // thresholds need percentiles from it (encoding them is most of a snapshot's cost).
    const histograms = run.config.thresholds.some((t) => t.metric === 'p' || t.metric === 'med');
    const snapshot = historyAfter === Infinity
      ? run.snapshot({ history: false, histograms })
      : run.snapshot({ historyAfter: historyAfter === -Infinity ? undefined : historyAfter, histograms });
    const rows = tableViewOf(run.liveRows({ now: snapshot.takenAt }), run.config.thresholds, latestPoints(snapshot.history));
    const table = run.firstByteRows ? withFirstBytes(rows, run.firstByteRows({ now: snapshot.takenAt })) : rows;
    // The same judgement as the headless end of a run (mcpload's default rules included), so the page's verdict matches it.
    const { thresholds, security, passed } = judgeRun(run.config.thresholds, snapshot, { abortedBy: run.abortedBy });
    const agg = table.aggregated;
    const status: LiveStatus = {
      ...base,
      state: run.state,
      users: run.userCount,
      targetUsers: run.targetUsers,
      elapsedS: run.elapsedS,
      totalRps: agg.currentRps,
      failRatio: agg.requests > 0 ? agg.failures / agg.requests : 0,
      rows: table.rows,
      aggregated: agg,
      errors: errorViews(snapshot),
      exceptions: exceptionViews(snapshot),
      thresholds: thresholdViews(thresholds),
      security: securityViews(security),
      passed,
    };
    this.cached = { at: Date.now(), generation: ctl.generation, status };
    return { status, history: snapshot.history };
  }

  /** Serves GET /events: the whole run so far, then updates. */
  connect(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    const { status, history } = this.compute(-Infinity);
    const init: InitMessage = {
      ...status,
      version: VERSION,
      scenario: this.controller.scenarioName,
      form: this.controller.formDefaults(),
      series: aggregatedSeries(history),
      // Lines not yet broadcast come with the next update, to every page alike.
      logs: this.log.since(0).slice(0, Math.max(0, this.log.since(0).length - (this.log.next - this.logSeq))),
    };
    const client: Client = { res };
    this.clients.add(client);
    this.send(client, 'init', JSON.stringify(init));
    const drop = () => this.clients.delete(client);
    req.on('close', drop);
    res.on('error', drop);
    if (!this.timer && !this.closed) this.schedule(MIN_PERIOD_MS);
  }

  private send(client: Client, event: string, data: string): void {
    if (client.res.writableLength > MAX_BUFFERED_BYTES) {
      this.clients.delete(client);
      client.res.destroy();
      return;
    }
    client.res.write(`event: ${event}\ndata: ${data}\n\n`);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  private tick(): void {
    this.timer = undefined;
    if (this.closed || this.clients.size === 0) return;
    const began = performance.now();
    this.push();
    const cost = performance.now() - began;
    this.schedule(Math.max(MIN_PERIOD_MS, cost * COST_FACTOR));
  }

  /** Forgets the cached figures (after a command changed them). */
  invalidate(): void {
    this.cached = undefined;
  }

  /** Sends an update to every page now (after a command, so the page reacts at once). */
  push(): void {
    this.invalidate();
    if (this.clients.size === 0) return;
    const generation = this.controller.generation;
    const newRun = generation !== this.pushedGeneration;
    if (newRun) this.pushedUpTo = -Infinity;
    const { status, history } = this.compute(this.pushedUpTo);
    const series: SeriesPoint[] = aggregatedSeries(history);
    const last = series[series.length - 1];
    if (last) this.pushedUpTo = last[0];
    this.pushedGeneration = generation;
    const logs = this.log.since(this.logSeq);
    this.logSeq = this.log.next;
    const update: UpdateMessage = { ...status, series, logs };
    if (newRun) update.newRun = true;
    const data = JSON.stringify(update);
    for (const client of this.clients) this.send(client, 'update', data);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }
}

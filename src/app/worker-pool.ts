/**
 * One load test led over N workers, however they are reached: worker
 * processes over IPC (`--processes`) or worker machines over the network
 * (`--master`). The leader opens the target, loads the scenario (for the
 * header, the thresholds, and to fail early on a bad file), sends each
 * worker its share (index of count) and a start instant, shows ONE live
 * table merged from their snapshots, stops them together, and concludes ONE
 * result merged exactly from theirs (HDR histograms add up) with one
 * verdict on the whole.
 *
 * Network workers can be lost (connection gone, or silent for the heartbeat
 * timeout): a lost worker is named, its requests up to its last update
 * count, and `onWorkerLoss` decides whether its loss fails the run.
 */
import { formatDuration } from '../values/option-values.js';
import { RunEvents } from '../metrics/events.js';
import { emptySnapshot, mergeHistories, type HistoryRow, type Snapshot } from '../metrics/snapshot.js';
import { RunningMerge } from '../metrics/running-merge.js';
import { SnapshotSeconds } from '../metrics/snapshot-seconds.js';
import { withDefaultRules, type Threshold } from '../metrics/thresholds.js';
import type { MetricsSource, PrometheusExporter } from '../reporters/prometheus.js';
import { formatLiveRows } from '../reporters/console.js';
import { currentRpsOf, totalsRows, type StatsRow } from '../metrics/rows.js';
import type { RunResult } from '../report/run-result.js';
import { VERSION } from '../version.js';
import { describeLoadModel, modelDurationS, resolveLoadModel, untilText } from './load-model.js';
import { mergeRunResults } from './merge-results.js';
import { concludeRun, type RunIo } from './conclude.js';
import { resultFromSnapshot } from './partial-result.js';
import type { RunOptions } from './run-options.js';
import { ALREADY_STOPPING, armStop } from './wait-for-stop.js';
import { exitCodeWithOutputs, openOutputs, type OpenOutputs } from './run-outputs.js';
import { shieldedFromSigint } from '../process/stop-signals.js';
import { prepareScenario, RunSetupError, type PreparedScenario } from './scenario-setup.js';
import { openTarget, preLoadNote, preLoadRequests, withProtocol } from './target.js';
import type { ParentMessage, WorkerMessage, WorkerStatus } from './worker-protocol.js';
import type { SnapshotUpdate } from '../metrics/snapshot-update.js';

/** How long a worker may take to send its result after `stop` (beyond the users' stop timeout). */
export const RESULT_GRACE_MS = 15_000;
/** Network workers' updates are read (parsed) at least this often, with or without a live view. */
const UPDATE_READ_MS = 500;
/** Above this CPU use (% of one core) a worker's figures measure the generator more than the target (Locust warns at 90 %). */
export const CPU_WARNING_PERCENT = 90;
/**
 * History rows the leader keeps, over all its workers, for the live charts
 * (and a lost worker's rebuild): a worker past its share loses its oldest
 * half. Each row is a parsed object of about 1 KB, and 500 workers send
 * 25,000 a second: unbounded, they filled the heap within a minute. The
 * final result's history comes whole from each worker's own (compacted)
 * log; the web UI has read the older rows already.
 */
const MAX_HISTORY_ROWS = 100_000;
/** A worker's share of MAX_HISTORY_ROWS is never below this (a few seconds of 50 entries). */
const MIN_HISTORY_ROWS_PER_WORKER = 200;

/** One worker as the leader reaches it. */
export interface WorkerLink {
  /** How lines name it: `process 2`, `worker 2 (host-a)`. */
  readonly name: string;
  /** Across machines: the host name the worker sent, and the address it connected from. */
  readonly host?: string;
  readonly address?: string;
  send(message: ParentMessage): void;
  /** Sets the listener of the worker's messages. */
  listen(onMessage: (message: WorkerMessage) => void): void;
  /** Hands the listener the messages the link holds back (its updates, unparsed); absent: it holds none back. */
  flush?(): void;
  /** Resolves when the link ends: `clean` when the worker ended as it should (exit code 0, a normal close). */
  readonly ended: Promise<{ clean: boolean; detail: string }>;
  /** Epoch ms the worker was last heard from (a message or a ping). */
  lastHeardMs(): number;
  /** Ends the link at once (kills the process, drops the connection). */
  close(): void;
}

export interface WorkerLoss {
  heartbeatTimeoutMs: number;
  onWorkerLoss: 'fail' | 'continue';
}

/** What differs between processes on one machine and workers across many. */
export interface PoolMode {
  /** `processes` or `workers`: the word in the header and the live line. */
  unit: string;
  count: number;
  /** Brings up the workers (forks them, or waits for them to connect); a RunSetupError when they do not come. */
  links(): Promise<WorkerLink[]>;
  /** The instant the workers start together (epoch ms); absent: at once. */
  startAtMs?(): number;
  /** Network workers: how a worker is found lost and what its loss means. Absent: a worker that ends without its result is an error. */
  loss?: WorkerLoss;
  /**
   * Network workers: workers that come after the start to take a lost one's
   * share (a pod its Indexed Job started again). `accept` hands the leader
   * each such link with the share it claims; `free` opens a lost worker's
   * share to them; `close` takes no more.
   */
  replacements?: {
    accept(join: (link: WorkerLink, share: number) => void): void;
    free(share: number): void;
    close(): void;
  };
  /** Settings the result shows for this mode (`processes: 3`, `workers: 3`), beside the run's options. */
  settings: Record<string, unknown>;
  /** Option keys that stay with the leader (never sent to workers, never in reports). */
  privateKeys: readonly string[];
}

export interface Worker {
  /** Its place in the pool (the key of its figures in the merge); a worker that replaced a lost one comes after the first N. */
  index: number;
  /** A replacement's share of the load: the lost worker's index (absent: its own index). */
  share?: number;
  /** A replacement: the name of the lost worker whose share it took. */
  replaces?: string;
  link: WorkerLink;
  /** The history rows it sent with its updates, oldest first (cleared by a reset). */
  history: HistoryRow[];
  status?: WorkerStatus;
  result?: RunResult;
  ready?: boolean;
  lost?: string;
  cpuWarned?: boolean;
  /** The highest CPU use it reported (% of one core). */
  cpuPeak?: number;
  /** HTTP requests its checks before the load sent (its `ready` says). */
  preLoadRequests?: number;
}

/** Which share of the load a worker runs: its own index, or a lost worker's that it replaced. */
function shareOf(w: Worker): number {
  return w.share ?? w.index;
}

export async function runPooled(opts: RunOptions, io: RunIo, mode: PoolMode): Promise<number> {
  const target = await openTarget(opts);
  // The workers speak what the leader negotiated.
  opts = withProtocol(opts, target);
  let workers: Worker[] = [];
  let watched: Pool | undefined;
  let exporter: PrometheusExporter | undefined;
  let outputs: OpenOutputs | undefined;
  let streamer: NodeJS.Timeout | undefined;
  const stop = armStop(io);
  try {
    // The embedded server runs in this process's child: leak-flood reads its memory from here, for the whole run.
    const prepared = await prepareScenario({ ...opts, serverPid: opts.serverPid ?? target.embedded?.pid }, target.env);
    for (const note of [...target.notes, ...prepared.notes]) io.err(`note: ${note}`);
    const model = resolveLoadModel(opts, prepared.scenario.shape);
    const stagesS = modelDurationS(model);
    const timeMs = stagesS !== undefined ? Math.min(opts.timeMs ?? Infinity, Math.ceil(stagesS * 1000)) : opts.timeMs;
    const where = target.embedded ? `${target.host} (embedded reference server)` : target.host;
    io.out(`mcpload ${VERSION}: scenario ${prepared.scenario.name} against ${where}\n` +
      `${describeLoadModel(model, prepared.scenario.loadDescription)}, ${timeMs !== undefined ? `for ${formatDuration(timeMs)}` : untilText(model, prepared.scenario.loadDescription)}; ` +
      `${mode.count} ${mode.unit}; classes ${prepared.classes.map((c) => c.name).join(', ')}\n${target.protocolNote !== undefined ? `${target.protocolNote}\n` : ''}`);

    // A Ctrl-C while the workers are still coming ends the wait: nothing has started.
    const coming = mode.links();
    const came = await Promise.race([coming, stop.until(undefined).then((signal) => ({ signal }))]);
    if (!Array.isArray(came)) {
      coming.catch(() => undefined);
      throw new RunSetupError(`${came.signal} while waiting for the ${mode.unit}; no load was started`);
    }
    workers = came.map((link, index) => ({ index, link, history: [] }));
    const pool = new Pool(workers, io, mode.loss);
    watched = pool;
    if (opts.prometheus) {
      // The merged figures: one exporter for the whole run, however many workers make it.
      const { createMetricsRegistry, startPrometheusExporter } = await import('../reporters/prometheus.js');
      exporter = await startPrometheusExporter(createMetricsRegistry(pool.metricsSource(withDefaultRules(prepared.thresholds), opts.users)), opts.web?.host ?? '127.0.0.1', opts.prometheus.port);
      io.out(`Prometheus metrics at ${exporter.url}\n`);
    }
    // --out streams the merged seconds from here, from the workers' snapshots.
    const outEvents = new RunEvents(undefined, (err, where) => io.err(`warning: ${where}: ${err instanceof Error ? err.message : String(err)}`));
    outputs = await openOutputs(opts.out, outEvents);
    const streamSeconds = secondsStreamer(pool, outEvents);
    if (outEvents.has('interval')) streamer = setInterval(streamSeconds, 1000);
    const workerOpts: RunOptions = {
      ...withoutKeys(opts, mode.privateKeys), host: target.host, processes: 1, printIntervalMs: 0, headless: true, csv: undefined, json: undefined, baseline: undefined, out: undefined,
    };
    const startAtMs = mode.startAtMs?.();
    for (const worker of workers) {
      worker.link.send({ type: 'start', opts: workerOpts, index: worker.index, count: mode.count, ...(startAtMs !== undefined ? { startAtMs } : {}) });
    }
    if (mode.replacements) {
      const { replacements } = mode;
      pool.onLoss = (w) => replacements.free(shareOf(w));
      replacements.accept((link, share) => {
        // It joins the plan where the others are: seconds since the start instant they all share (or at that instant, still to come).
        const sinceS = (Date.now() - (startAtMs ?? Date.now())) / 1000;
        const when = sinceS < 0 && startAtMs !== undefined ? { startAtMs } : { fromS: Math.round(Math.max(0, sinceS) * 1000) / 1000 };
        const start = { type: 'start' as const, opts: workerOpts, index: share, count: mode.count, ...when };
        if (!pool.join(link, share, start)) {
          link.send({ type: 'quit', reason: 'the run is ending' });
          link.close();
        }
      });
    }

    // The clock starts when every worker has loaded the scenario and started its load (or one failed).
    await Promise.race([pool.ready, pool.finished]);
    const startedMs = performance.now();
    const preLoad = preLoadNote(preLoadRequests(target) + workers.reduce((sum, w) => sum + (w.preLoadRequests ?? 0), 0), ` from the leader and its ${mode.count} ${mode.unit}`);
    if (preLoad !== undefined) io.err(`note: ${preLoad}`);
    const totalS = timeMs !== undefined ? timeMs / 1000 : undefined;
    const printer = opts.printIntervalMs > 0
      ? setInterval(() => {
        const table = pool.liveTable((performance.now() - startedMs) / 1000, totalS, mode.unit);
        if (table !== undefined) io.out(table);
      }, opts.printIntervalMs)
      : undefined;
    const reason = await stop.until(timeMs, pool.finished);
    clearInterval(printer);

    mode.replacements?.close();
    await shieldedFromSigint(() => io.err(ALREADY_STOPPING), () => pool.stopAll(reason, opts.stopTimeoutMs + RESULT_GRACE_MS));
    pool.flushAll();
    pool.close();
    if (pool.failure) {
      if (pool.failure.usage) throw new RunSetupError(pool.failure.message);
      throw new Error(pool.failure.message);
    }
    // The seconds still open at the stop come with the results.
    clearInterval(streamer);
    if (outEvents.has('interval')) streamSeconds();
    const outFailures = outputs.close();
    const code = await conclude(pool, prepared, opts, io, mode, { host: target.host, reason, elapsedMs: performance.now() - startedMs });
    return exitCodeWithOutputs(code, outFailures, io);
  } finally {
    clearInterval(streamer);
    outputs?.close();
    stop.close();
    watched?.close();
    await exporter?.close();
    for (const worker of workers) worker.link.close();
    await target.close();
  }
}

/** Merges what the workers sent (a lost worker: what it sent), judges the whole, prints and writes it. */
async function conclude(
  pool: Pool, prepared: PreparedScenario, opts: RunOptions, io: RunIo, mode: PoolMode, run: { host: string; reason: string; elapsedMs: number },
): Promise<number> {
  const { merged, results } = poolResult(pool, prepared.thresholds, opts, mode, run.host, io);
  // Adopted first: the scenario's notes may be written from its figures (the leak flood's tally).
  if (merged.scenarioFigures) prepared.scenario.figures?.adopt(merged.scenarioFigures);
  const notes = [...prepared.scenario.notes ?? [], ...lossNotes(pool)];
  io.out(`\nstopped (${run.reason}) after ${formatDuration(run.elapsedMs)}\n`);
  if (mode.loss) io.out(workerLines(pool.workers, results));
  // `request`, `testStart`, `spawningComplete` and `testStop` fired in each worker, for its share; `quitting` fires here, on the whole run.
  const quitting = new RunEvents(prepared.scenario.events, () => {});
  return await concludeRun(merged, opts, io, notes, quitting);
}

/**
 * `--out`'s seconds: each call writes what the workers' merged figures
 * gained since the call before (SnapshotSeconds: counts exact, percentiles
 * from the histograms' difference); the last call, after the results, ends
 * on the run's final totals.
 */
function secondsStreamer(pool: Pool, events: RunEvents): () => void {
  const seconds = new SnapshotSeconds();
  return () => {
    const merged = pool.merged();
    if (merged === undefined) return;
    const users = pool.live().reduce((sum, w) => sum + (w.status?.users ?? 0), 0);
    events.emit('interval', seconds.rows(merged, users));
  };
}

/** One line per lost worker, for the result's notes. */
export function lossNotes(pool: Pool): string[] {
  return pool.workers.filter((w) => w.lost !== undefined).map((w) => `${w.link.name} lost (${w.lost ?? ''}); its requests up to its last update count`);
}

/**
 * The run's one result, merged exactly from the workers' results (a lost
 * worker: rebuilt from what it sent), with the mode's settings and,
 * under `--on-worker-loss fail`, a failed verdict for every lost worker.
 */
export function poolResult(
  pool: Pool, thresholds: readonly Threshold[], opts: RunOptions, mode: Pick<PoolMode, 'count' | 'unit' | 'loss' | 'settings' | 'privateKeys'>, host: string, io: RunIo,
): { merged: RunResult; results: RunResult[] } {
  const results = pool.workers.flatMap((w) => {
    if (w.result) return [w.result];
    const sent = w.lost !== undefined ? pool.merge.sourceSnapshot(w.index) : undefined;
    if (sent !== undefined) return [resultFromSnapshot({ ...sent, history: w.history }, w.status, thresholds, { worker: w.index, lost: w.lost })];
    return [];
  });
  const missing = pool.workers.filter((w) => w.result === undefined && (w.lost === undefined || !pool.merge.has(w.index))).length;
  if (missing > 0) io.err(`warning: ${missing} of ${mode.count} ${mode.unit} sent no result; their requests are missing`);
  if (results.length === 0) throw new Error('no worker sent a result');
  const merged = mergeRunResults(results, thresholds);
  const settings: Record<string, unknown> = { ...merged.settings, ...withoutKeys(opts, mode.privateKeys), host, ...mode.settings };
  merged.settings = Object.fromEntries(Object.entries(settings).filter(([key]) => key !== 'worker' && key !== 'mergedFrom' && key !== 'lost'));
  const lost = pool.workers.filter((w) => w.lost !== undefined);
  if (lost.length > 0 && mode.loss?.onWorkerLoss !== 'continue') {
    // A lost worker is a failure of the run itself, never only a default rule's: exit 1.
    const failures = lost.map((w) => `${w.link.name} lost (--on-worker-loss fail)`);
    merged.passed = false;
    merged.verdict = { ...(merged.verdict ?? { failures: [], onlyDefaults: false }), failures: [...merged.verdict?.failures ?? [], ...failures], onlyDefaults: false };
  }
  return { merged, results };
}

/** The workers' state as their messages tell it, and when the run is ready, finished or failed. */
export class Pool {
  /** The workers' figures merged as their updates come. */
  readonly merge = new RunningMerge();
  /** Told when a worker is lost (its share may then be taken by a replacement). */
  onLoss: ((w: Worker) => void) | undefined;
  /** The shares: the workers the pool began with (replacements come after them in `workers`). */
  private readonly shares: number;
  private readonly historyRowsPerWorker: number;
  failure: { message: string; usage: boolean } | undefined;
  readonly ready: Promise<void>;
  readonly finished: Promise<string>;
  private finishBy: (reason: string) => void = () => {};
  private allReady: () => void = () => {};
  private readonly finishedWorkers = new Set<number>();
  private stopping = false;
  private closed = false;
  /** Told whenever a result comes or a worker is lost (stopAll waits on it). */
  private resultCame: () => void = () => {};
  /** Why the last worker to end its plan ended it: the run's reason when all have. */
  private lastReason = 'load plan finished';
  private readonly watch: NodeJS.Timeout | undefined;
  /** The longest an update took from its worker to here since the last live view (ms). */
  private transitMaxMs = 0;
  private flushedAtMs = Date.now();

  constructor(readonly workers: Worker[], private readonly io: RunIo, private readonly loss: WorkerLoss | undefined) {
    this.shares = workers.length;
    this.historyRowsPerWorker = Math.max(MIN_HISTORY_ROWS_PER_WORKER, Math.floor(MAX_HISTORY_ROWS / Math.max(1, workers.length)));
    this.ready = new Promise((resolve) => {
      this.allReady = resolve;
    });
    this.finished = new Promise((resolve) => {
      this.finishBy = resolve;
    });
    for (const worker of workers) {
      worker.link.listen((m) => this.onMessage(worker, m));
      void worker.link.ended.then((end) => this.onEnded(worker, end));
    }
    if (loss) {
      this.watch = setInterval(() => {
        // Snapshots held back by their links are read at least this often, live view or not (CPU warnings).
        if (Date.now() - this.flushedAtMs >= UPDATE_READ_MS) this.flushAll();
        this.checkHeartbeats(loss.heartbeatTimeoutMs);
      }, 500);
    }
  }

  /** Reads every message the links hold back (network workers' updates). */
  flushAll(): void {
    this.flushedAtMs = Date.now();
    for (const w of this.workers) w.link.flush?.();
  }

  /**
   * A worker that takes the share of a lost one for the rest of the run:
   * `start` has it join the plan where the others are. Its figures count
   * beside what the lost one sent. False when the run is ending or that
   * share's worker is not lost.
   */
  join(link: WorkerLink, share: number, start: Extract<ParentMessage, { type: 'start' }>): boolean {
    if (this.stopping || this.closed || this.failure !== undefined) return false;
    const holder = this.workers.findLast((w) => shareOf(w) === share);
    if (holder?.lost === undefined) return false;
    const worker: Worker = { index: this.workers.length, share, replaces: holder.link.name, link, history: [] };
    this.workers.push(worker);
    link.listen((m) => this.onMessage(worker, m));
    void link.ended.then((end) => this.onEnded(worker, end));
    link.send(start);
    this.io.err(`${link.name} takes the share of ${holder.link.name}${start.fromS !== undefined ? `, ${formatDuration(start.fromS * 1000)} into the run` : ''}`);
    return true;
  }

  private onMessage(w: Worker, m: WorkerMessage): void {
    if (this.closed) return;
    switch (m.type) {
      case 'update':
        if (!this.takeUpdate(w, m.update)) return;
        // History rows come a few at a time (those since the last update).
        if (m.update.history.length > 0) {
          w.history.push(...m.update.history);
          if (w.history.length > this.historyRowsPerWorker) w.history = w.history.slice(w.history.length - Math.floor(this.historyRowsPerWorker / 2));
        }
        // How late updates are read here (its clock against the worker's): one subtraction per message.
        this.transitMaxMs = Math.max(this.transitMaxMs, Date.now() - m.update.takenAt);
        w.status = {
          users: m.users, usersByClass: m.usersByClass, state: m.state, droppedIterations: m.droppedIterations, arrivalRate: m.arrivalRate, cpuPercent: m.cpuPercent,
        };
        if (m.cpuPercent !== undefined) w.cpuPeak = Math.max(w.cpuPeak ?? 0, m.cpuPercent);
        if (m.cpuPercent !== undefined && m.cpuPercent > CPU_WARNING_PERCENT && !w.cpuWarned) {
          w.cpuWarned = true;
          this.io.err(`warning: ${w.link.name} uses ${Math.round(m.cpuPercent)} % of a core: its figures start to measure the generator, not the target (add workers or give each less load)`);
        }
        break;
      case 'finished':
        // Every worker runs the same plan; the run is over when all have ended theirs,
        // or at once when one crossed an abortOnFail threshold (judged on its share of the load).
        this.finishedWorkers.add(w.index);
        this.lastReason = m.reason;
        if (m.reason.startsWith('threshold ')) this.finishBy(m.reason);
        this.checkAllDone();
        break;
      case 'result':
        w.result = m.result;
        this.merge.settle(w.index, m.result.snapshot);
        this.resultCame();
        break;
      case 'failed':
        // Across machines, say which one: its target or scenario may differ from the master's.
        this.failure ??= { message: this.loss ? `${w.link.name}: ${m.message}` : m.message, usage: m.usage };
        this.finishBy('worker failed');
        break;
      case 'ready':
        w.ready = true;
        w.preLoadRequests = m.preLoadRequests;
        this.checkReady();
        break;
    }
  }

  private onEnded(w: Worker, end: { clean: boolean; detail: string }): void {
    if (this.failure !== undefined || this.closed) return;
    if (w.result !== undefined) {
      // A worker stopped on its own (SIGTERM, a pod deleted) sent its result: its share is done.
      this.finishedWorkers.add(w.index);
      this.lastReason = `${w.link.name} stopped`;
      if (!this.stopping) this.checkAllDone();
      return;
    }
    if (this.loss === undefined) {
      if (!end.clean) {
        this.failure ??= { message: `${w.link.name} ${end.detail}`, usage: false };
        this.finishBy('worker failed');
      }
      return;
    }
    this.markLost(w, end.detail);
  }

  private checkHeartbeats(timeoutMs: number): void {
    const now = Date.now();
    for (const w of this.workers) {
      if (w.result !== undefined || w.lost !== undefined) continue;
      const silentMs = now - w.link.lastHeardMs();
      if (silentMs > timeoutMs) {
        this.markLost(w, `silent for ${formatDuration(silentMs)}`);
        w.link.close();
      }
    }
  }

  private markLost(w: Worker, why: string): void {
    if (w.lost !== undefined) return;
    // Its last update, if its link still holds it, is what counts of it.
    w.link.flush?.();
    const takenAt = this.merge.takenAt(w.index);
    const last = takenAt !== undefined ? `last update at ${new Date(takenAt).toISOString().slice(11, 19)}` : 'no update';
    w.lost = `${why}, ${last}`;
    this.resultCame();
    this.io.err(`warning: ${w.link.name} lost: ${w.lost}`);
    if (!this.stopping) this.onLoss?.(w);
    if (!this.stopping) this.checkAllDone();
    // A worker lost while the others start: the run starts without waiting for it.
    this.checkReady();
  }

  private checkReady(): void {
    if (this.workers.every((w) => w.ready === true || w.lost !== undefined)) this.allReady();
  }

  /** Ends the run when no worker is left running its plan. */
  private checkAllDone(): void {
    const running = this.workers.filter((w) => w.lost === undefined && !this.finishedWorkers.has(w.index));
    if (running.length > 0) return;
    const everyLost = this.workers.every((w) => w.lost !== undefined);
    this.finishBy(everyLost ? 'every worker lost' : this.lastReason);
  }

  liveTable(elapsedS: number, totalS: number | undefined, unit: string): string | undefined {
    const mergeStart = performance.now();
    this.flushAll();
    const rows = this.rows();
    if (rows === undefined) return undefined;
    const statuses = this.workers.flatMap((w) => (w.status && w.lost === undefined ? [w.status] : []));
    const users = statuses.reduce((sum, s) => sum + s.users, 0);
    const reporting = this.workers.filter((w) => this.merge.has(w.index) && w.lost === undefined).length;
    const lost = this.workers.filter((w) => w.lost !== undefined).map((w) => `${w.link.name}${this.replaced(w) ? ' (replaced)' : ''}`);
    const info = { elapsedS, totalS, users, state: statuses[0]?.state };
    const table = formatLiveRows(rows, info) + openModelLine(statuses) +
      ` · ${reporting}/${this.shares} ${unit}${lost.length > 0 ? ` · lost: ${lost.join(', ')}` : ''}\n`;
    this.logViewLag(performance.now() - mergeStart);
    return table;
  }

  /**
   * `--loglevel DEBUG`: how far behind the workers this view is. Its age is
   * now minus the oldest update in it (a live worker's latest), so it
   * holds the update period, the way here and the merge; across machines
   * it also holds the clocks' difference (the master warns above 0.5 s).
   * bench/master-scale.mjs reads these lines.
   */
  private logViewLag(mergeMs: number): void {
    const now = Date.now();
    let oldest = Infinity;
    for (const w of this.workers) if (w.lost === undefined) oldest = Math.min(oldest, this.merge.takenAt(w.index) ?? Infinity);
    if (oldest === Infinity) return;
    this.io.err(`debug: live view: read and merged in ${Math.round(mergeMs)} ms; oldest update ${now - oldest} ms old; ` +
      `updates read up to ${this.transitMaxMs} ms after they were taken`);
    this.transitMaxMs = 0;
  }

  /** Whether a worker that took its share came after `w`. */
  replaced(w: Worker): boolean {
    return this.workers.some((other) => other.index > w.index && shareOf(other) === shareOf(w));
  }

  /** The workers neither lost nor done: those a command reaches. */
  live(): Worker[] {
    return this.workers.filter((w) => w.lost === undefined && w.result === undefined);
  }

  /** Zeroes every live worker's stats (their history too), as Locust's reset does on every worker. */
  resetStats(): void {
    const live = this.live();
    // Until its next update, a worker's figures are the zeroes it was just told to start from.
    this.merge.reset(live.map((w) => w.index));
    for (const w of live) {
      w.history = [];
      w.link.send({ type: 'reset' });
    }
  }

  /** The whole run's figures now: the workers' updates (or results) merged; undefined before the first. */
  merged(opts: { historyAfter?: number } = {}): Snapshot | undefined {
    this.flushAll();
    // History rows of a second count once every live worker has sent that second: a row never changes after it was shown.
    const pending = this.live().map((w) => w.history[w.history.length - 1]?.timestamp ?? -Infinity);
    const upTo = pending.length > 0 ? Math.min(...pending) : Infinity;
    const after = opts.historyAfter ?? Infinity;
    const history = after === Infinity ? [] : mergeHistories(this.workers.map((w) => (w.result?.snapshot.history ?? w.history)
      .filter((r) => r.timestamp > after && r.timestamp <= upTo)));
    return this.merge.snapshot(history);
  }

  /** The merged stats table now (no histogram encoded or decoded); undefined before the first update. */
  rows(opts: { now?: number } = {}): { rows: StatsRow[]; aggregated: StatsRow } | undefined {
    this.flushAll();
    const totals = this.merge.totals();
    return totals !== undefined ? totalsRows(totals.clock, totals.entries, opts) : undefined;
  }

  /** A worker's current requests/s, from its latest update's per-second counts. */
  currentRps(w: Worker, nowMs: number): number {
    const figures = this.merge.figuresOf(w.index);
    return figures !== undefined && w.lost === undefined && w.result === undefined ? currentRpsOf(figures, nowMs) : 0;
  }

  /** Takes a worker's update into the merge; one that cannot be read ends that worker (false, as for a dropped one). */
  private takeUpdate(w: Worker, update: SnapshotUpdate): boolean {
    try {
      return this.merge.apply(w.index, update);
    } catch (err) {
      const why = `sent an update that cannot be read (${(err as Error).message})`;
      if (this.loss) {
        this.markLost(w, why);
        w.link.close();
      } else {
        this.failure ??= { message: `${w.link.name} ${why}`, usage: false };
        this.finishBy('worker failed');
      }
      return false;
    }
  }

  /** Prometheus' view of the whole run: the merged snapshots, the live workers' users. */
  metricsSource(thresholds: readonly Threshold[], targetUsers: number): MetricsSource {
    return {
      current: () => {
        const statuses = this.live().flatMap((w) => (w.status ? [w.status] : []));
        return {
          state: this.stopping ? 'stopping' : statuses[0]?.state ?? 'spawning',
          userCount: statuses.reduce((sum, s) => sum + s.users, 0),
          targetUsers,
          thresholds,
          snapshot: () => this.merged() ?? emptySnapshot(),
        };
      },
    };
  }

  /** Sends every worker `stop` and waits for their results, at most `ms`; a network worker without one by then is lost. */
  /**
   * Sends every worker `stop` and waits, at most `ms`, for each to end its
   * link (`untilResults`: for its result only, when it stays for the next
   * test); a network worker without a result by then is lost.
   */
  async stopAll(reason: string, ms: number, untilResults = false): Promise<void> {
    this.stopping = true;
    const live = this.workers.filter((w) => w.lost === undefined);
    for (const worker of live) worker.link.send({ type: 'stop', reason });
    let timer: NodeJS.Timeout | undefined;
    const results = new Promise<void>((resolve) => {
      this.resultCame = () => {
        if (live.every((w) => w.result !== undefined || w.lost !== undefined)) resolve();
      };
      this.resultCame();
    });
    await Promise.race([
      untilResults ? results : Promise.all(live.map((w) => w.link.ended)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
    clearTimeout(timer);
    if (this.loss) for (const w of live) if (w.result === undefined) this.markLost(w, 'no result after the stop');
  }

  /** Stops watching: a later message or end of a link is no longer this pool's (the link may serve the next run's). */
  close(): void {
    this.closed = true;
    clearInterval(this.watch);
  }
}

/** Across machines, one line per worker under the run's end: what each did, and which were lost. */
export function workerLines(workers: readonly Worker[], results: readonly RunResult[]): string {
  const lines = workers.map((w) => {
    const result = w.result ?? results.find((r) => r.settings.worker === w.index && r.settings.lost !== undefined);
    const requests = result ? result.snapshot.entries.reduce((sum, e) => sum + e.requests, 0) : 0;
    const state = w.result ? 'done' : w.lost !== undefined ? 'lost' : 'no result';
    const cpu = w.cpuPeak !== undefined ? `, CPU up to ${Math.round(w.cpuPeak)} %` : '';
    const took = w.replaces !== undefined ? `, in place of ${w.replaces}` : '';
    return `  ${w.link.name.padEnd(28)} ${state.padEnd(9)} ${requests} requests${w.lost !== undefined ? ' up to its last update' : ''}, peak ${result?.peakUsers ?? 0} users${cpu}${took}`;
  });
  return `workers:\n${lines.join('\n')}\n`;
}

function openModelLine(statuses: WorkerStatus[]): string {
  if (!statuses.some((s) => s.arrivalRate !== undefined)) return '';
  const rate = statuses.reduce((sum, s) => sum + (s.arrivalRate ?? 0), 0);
  const dropped = statuses.reduce((sum, s) => sum + (s.droppedIterations ?? 0), 0);
  return `\narrival rate ${rate.toFixed(1)}/s · dropped iterations ${dropped}`;
}

export function withoutKeys(opts: RunOptions, keys: readonly string[]): RunOptions {
  return Object.fromEntries(Object.entries(opts).filter(([key]) => !keys.includes(key))) as unknown as RunOptions;
}

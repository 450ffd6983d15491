/**
 * `mcpload run --master` with the web UI: the master listens for its
 * workers while the page is up, lists them as they join (the Workers tab),
 * and starts the swarm form's run on all of them once all N came (a
 * PooledRun). One run per session: after its stop the workers send their
 * results and exit, so another run needs the workers started again.
 */
import type { RunIo } from './conclude.js';
import type { LiveRun } from './live-run.js';
import { RunRefused, type RunRequest, type RunSource } from './run-source.js';
import type { MasterListener } from './master-listener.js';
import { masterMode, openMasterListener, START_LEAD_MS } from './master.js';
import { PooledRun } from './pooled-run.js';
import type { MasterOptions, RunOptions } from './run-options.js';
import { currentRpsOf } from '../metrics/rows.js';
import type { WorkerView } from '../report/view-model.js';
import { CPU_WARNING_PERCENT, Pool, type Worker, type WorkerLink } from './worker-pool.js';

export class MasterSession implements RunSource {
  private pool: Pool | undefined;
  private run: PooledRun | undefined;
  private closed = false;

  private constructor(private readonly listener: MasterListener, private readonly master: MasterOptions, private readonly io: RunIo) {
    listener.allWorkers(true).then((links) => {
      if (this.closed) return;
      this.pool = new Pool(links.map((link, index) => ({ index, link, history: [] })), io, masterMode(master).loss);
      io.out(`all ${links.length} workers joined: start the test from the web UI`);
    }, (err: unknown) => io.err(`error: ${(err as Error).message}`));
  }

  /** Listens for the workers (a usage error, exit 2, when it cannot). */
  static async open(opts: RunOptions, master: MasterOptions, io: RunIo): Promise<MasterSession> {
    return new MasterSession(await openMasterListener(opts, master, io), master, io);
  }

  start(request: RunRequest): LiveRun {
    if (this.run) throw new RunRefused('a master runs one test per session: its workers exit after the stop; start the master and its workers again for another test');
    const pool = this.pool;
    if (!pool) throw new RunRefused(`waiting for workers: ${this.listener.joined().length} of ${this.master.expectWorkers} joined`);
    if (pool.live().length === 0) throw new RunRefused('every worker was lost before the start');
    const { prepared, opts, host, classes } = request;
    // The workers load the same scenario: they get the picked classes by name (the security probe class comes with --security).
    const own = new Set(prepared.scenario.userClasses.map((c) => c.name));
    const picked = classes.map((c) => c.name).filter((name) => own.has(name));
    const all = prepared.classes.every((c) => !own.has(c.name) || picked.includes(c.name));
    this.run = new PooledRun(pool, {
      prepared, opts, host, mode: masterMode(this.master), io: this.io, startAtMs: Date.now() + START_LEAD_MS,
      ...(all ? {} : { userClasses: picked }),
      weights: Object.fromEntries(classes.filter((c) => own.has(c.name)).map((c) => [c.name, c.weight ?? 1])),
    });
    return this.run;
  }

  workers(): WorkerView[] {
    const now = Date.now();
    if (this.pool) return this.pool.workers.map((w) => workerView(w, now, this.run !== undefined));
    return this.listener.joined().map(({ index, link }) => waitingView(index, link, now));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pool?.close();
    await this.listener.close();
  }
}

function waitingView(index: number, link: WorkerLink, now: number): WorkerView {
  return {
    index, host: link.host ?? link.name, address: link.address ?? '', state: 'waiting', users: 0, rps: 0,
    cpuPercent: null, cpuHigh: false, heartbeatAgoS: Math.max(0, (now - link.lastHeardMs()) / 1000),
  };
}

function workerView(w: Worker, now: number, started: boolean): WorkerView {
  const view = waitingView(w.index, w.link, now);
  const cpu = w.status?.cpuPercent;
  const state = w.lost !== undefined ? 'lost' : w.result !== undefined ? 'stopped' : w.status?.state ?? (started ? 'starting' : 'waiting');
  return {
    ...view,
    state,
    users: w.lost === undefined && w.result === undefined ? w.status?.users ?? 0 : 0,
    rps: w.latest && w.lost === undefined && w.result === undefined ? currentRpsOf(w.latest, now) : 0,
    cpuPercent: cpu ?? null,
    cpuHigh: cpu !== undefined && cpu > CPU_WARNING_PERCENT,
    // A worker that ended is heard no more: its last heartbeat is no longer news.
    heartbeatAgoS: w.lost !== undefined || w.result !== undefined ? null : view.heartbeatAgoS,
    ...(w.lost !== undefined ? { detail: w.lost } : {}),
  };
}

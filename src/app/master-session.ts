/**
 * `mcpload run --master` with the web UI: the master listens for its
 * workers while the page is up, lists them as they join (the Workers tab),
 * and starts the swarm form's run on all of them once all N came (a
 * PooledRun). As in Locust, the workers stay between tests: after a stop
 * they send their results and wait for the next start; a worker gone
 * is lost, and the next test is shared among the others, unless a new
 * worker comes to take its place (its index): it joins the next test.
 * When the page's master quits, it tells its workers, which then exit.
 */
import type { RunIo } from './conclude.js';
import type { LiveRun } from './live-run.js';
import { RunRefused, type RunRequest, type RunSource } from './run-source.js';
import type { MasterListener } from './master-listener.js';
import { masterMode, openMasterListener, START_LEAD_MS } from './master.js';
import { PooledRun } from './pooled-run.js';
import type { MasterOptions, RunOptions } from './run-options.js';
import type { WorkerView } from '../report/view-model.js';
import { CPU_WARNING_PERCENT, Pool, type Worker, type WorkerLink } from './worker-pool.js';

/** How long the master waits for its workers to take their leave when it quits. */
const QUIT_GRACE_MS = 2000;

export class MasterSession implements RunSource {
  /** The pool of the current (or last) test; before the first, the one watching the workers that joined. */
  private pool: Pool | undefined;
  private links: WorkerLink[] = [];
  /** Links whose connection ended (a worker gone between tests, or after quitting). */
  private readonly gone = new Map<WorkerLink, string>();
  private run: PooledRun | undefined;
  private closed = false;
  readonly ready: Promise<void>;
  private allJoined: () => void = () => {};

  private constructor(private readonly listener: MasterListener, private readonly master: MasterOptions, private readonly io: RunIo) {
    this.ready = new Promise((resolve) => {
      this.allJoined = resolve;
    });
    listener.allWorkers(true).then((links) => {
      if (this.closed) return;
      this.links = links;
      links.forEach((link, index) => this.watch(link, index));
      listener.acceptReplacements((link, index) => this.takePlace(link, index));
      this.pool = this.poolOf(links);
      io.out(`all ${links.length} workers joined: start the test from the web UI`);
      this.allJoined();
    }, (err: unknown) => io.err(`error: ${(err as Error).message}`));
  }

  /** A worker gone (between tests or during one) leaves its index to a new worker. */
  private watch(link: WorkerLink, index: number): void {
    void link.ended.then((end) => {
      this.gone.set(link, end.detail);
      // Between tests no pool watches the links: the page and the log say it here.
      if (!this.closed && this.run?.state === 'stopped') this.io.err(`warning: ${link.name} left between tests (${end.detail}); the next test is shared among the others unless a worker takes its place`);
      if (!this.closed) this.listener.free(index);
    });
  }

  /** A worker that came for a gone worker's index: it waits for the next test. */
  private takePlace(link: WorkerLink, index: number): void {
    const before = this.links[index];
    this.links[index] = link;
    this.watch(link, index);
    this.io.err(`${link.name} takes the place of ${before?.name ?? `worker ${index}`}${this.run !== undefined && this.run.state !== 'stopped' ? ' from the next test on' : ''}`);
  }

  private poolOf(links: WorkerLink[]): Pool {
    return new Pool(links.map((link) => ({ index: this.links.indexOf(link), link, history: [] })), this.io, masterMode(this.master).loss);
  }

  /** Listens for the workers (a usage error, exit 2, when it cannot). */
  static async open(opts: RunOptions, master: MasterOptions, io: RunIo): Promise<MasterSession> {
    return new MasterSession(await openMasterListener(opts, master, io), master, io);
  }

  start(request: RunRequest): LiveRun {
    if (!this.pool) throw new RunRefused(`waiting for workers: ${this.listener.joined().length} of ${this.master.expectWorkers} joined`);
    if (this.run && this.run.state !== 'stopped') throw new RunRefused('the last test is still stopping');
    if (this.run) {
      // The next test of the session: a fresh pool over the workers still connected.
      this.pool.close();
      this.pool = this.poolOf(this.links.filter((link) => !this.gone.has(link)));
    }
    const pool = this.pool;
    if (pool.live().length === 0) throw new RunRefused('no worker is left: start the workers again (and the master, which waits for all of them once)');
    const { prepared, opts, host, classes } = request;
    // The workers load the same scenario: they get the picked classes by name (the security probe class comes with --security).
    const own = new Set(prepared.scenario.userClasses.map((c) => c.name));
    const picked = classes.map((c) => c.name).filter((name) => own.has(name));
    const all = prepared.classes.every((c) => !own.has(c.name) || picked.includes(c.name));
    this.run = new PooledRun(pool, {
      prepared, opts, host, mode: masterMode(this.master), io: this.io, startAtMs: Date.now() + START_LEAD_MS, stay: true,
      ...(all ? {} : { userClasses: picked }),
      weights: Object.fromEntries(classes.filter((c) => own.has(c.name)).map((c) => [c.name, c.weight ?? 1])),
    });
    return this.run;
  }

  workers(): WorkerView[] {
    const now = Date.now();
    if (!this.pool) return this.listener.joined().map(({ index, link }) => waitingView(index, link, now));
    // The workers' updates (and with them their statuses) are read when a view needs them.
    const pool = this.pool;
    pool.flushAll();
    const inPool = new Map(pool.workers.map((w) => [w.link, w]));
    const between = this.run?.state === 'stopped';
    return this.links.map((link, index) => {
      const w = inPool.get(link);
      const left = this.gone.get(link);
      // Came after this test started: it waits for the next.
      if (w === undefined && left === undefined) return waitingView(index, link, now);
      if (w && !(between && left !== undefined && w.lost === undefined)) return workerView(w, now, this.run !== undefined, pool.currentRps(w, now));
      // Not in this test (gone before it), or gone after it: lost either way.
      return { ...waitingView(index, link, now), state: 'lost', heartbeatAgoS: null, detail: left ?? 'left' };
    });
  }

  /** Tells the workers the session is over (they exit 0), then stops listening. */
  async close(): Promise<void> {
    this.closed = true;
    this.pool?.close();
    const staying = this.links.filter((link) => !this.gone.has(link));
    for (const link of staying) link.send({ type: 'quit', reason: 'the master quit' });
    await Promise.race([Promise.all(staying.map((link) => link.ended)), new Promise((resolve) => setTimeout(resolve, QUIT_GRACE_MS).unref())]);
    await this.listener.close();
  }
}

function waitingView(index: number, link: WorkerLink, now: number): WorkerView {
  return {
    index, host: link.host ?? link.name, address: link.address ?? '', state: 'waiting', users: 0, rps: 0,
    cpuPercent: null, cpuHigh: false, heartbeatAgoS: Math.max(0, (now - link.lastHeardMs()) / 1000),
  };
}

function workerView(w: Worker, now: number, started: boolean, rps: number): WorkerView {
  const view = waitingView(w.index, w.link, now);
  const cpu = w.status?.cpuPercent;
  const state = w.lost !== undefined ? 'lost' : w.result !== undefined ? 'stopped' : w.status?.state ?? (started ? 'starting' : 'waiting');
  return {
    ...view,
    state,
    users: w.lost === undefined && w.result === undefined ? w.status?.users ?? 0 : 0,
    rps,
    cpuPercent: cpu ?? null,
    cpuHigh: cpu !== undefined && cpu > CPU_WARNING_PERCENT,
    // A worker that ended is heard no more: its last heartbeat is no longer news.
    heartbeatAgoS: w.lost !== undefined || w.result !== undefined ? null : view.heartbeatAgoS,
    ...(w.lost !== undefined ? { detail: w.lost } : {}),
  };
}

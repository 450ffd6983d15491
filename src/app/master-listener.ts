/**
 * Where a `--master` meets its workers: a WebSocket server (plain, or TLS
 * with --master-tls-cert/--master-tls-key) that challenges each connection,
 * admits the workers whose hello holds (worker-wire.ts), gives each an
 * index, and hands the leader one WorkerLink per worker once all N came.
 * A refused worker gets one line saying why, and so does the master's log.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { WebSocketServer, type WebSocket } from 'ws';
import { formatDuration } from '../values/option-values.js';
import type { RunIo } from './conclude.js';
import { RunSetupError } from './run-setup-error.js';
import type { MasterOptions } from './run-options.js';
import type { WorkerLink } from './worker-pool.js';
import type { WorkerMessage } from './worker-protocol.js';
import { admitWorker, decodeFrame, encodeFrame, looksLikeUpdate, newNonce, proofOf, type Hello, type MasterFrame, type WorkerFrame } from './worker-wire.js';

/** A connection that says no hello this long is dropped. */
const HELLO_TIMEOUT_MS = 10_000;
/** How often the master pings its workers (their heartbeat of the master). */
const PING_PERIOD_MS = 1000;
/** Clocks further apart than this start the workers visibly apart: the master says so. */
const CLOCK_SKEW_WARNING_MS = 500;
/** Biggest frame a worker may send (a snapshot of many entries is a few MB at most). */
const MAX_FRAME_BYTES = 256 * 1024 * 1024;

export interface Admission {
  version: string;
  scenarioHash: string;
  count: number;
}

function send(socket: WebSocket, frame: MasterFrame): void {
  if (socket.readyState === socket.OPEN) socket.send(encodeFrame(frame));
}

/**
 * The link the leader drives, over one admitted connection. Update frames
 * are kept as bytes until the leader flushes the link (for its live view, a
 * loss, the end) or another frame comes after them, then read in order:
 * the parsing of hundreds of workers' updates comes in one batch when a
 * view needs it, not at every frame. None is skipped: each carries the
 * buckets and history rows of its second.
 */
function linkOver(socket: WebSocket, index: number, host: string, address: string): WorkerLink {
  let lastHeard = Date.now();
  let listener: ((m: WorkerMessage) => void) | undefined;
  const early: WorkerMessage[] = [];
  let pending: Buffer[] = [];
  const deliver = (data: Buffer) => {
    const decoded = decodeFrame<WorkerFrame>(data.toString('utf8'));
    if (!('message' in decoded) || decoded.message.type === 'hello') return;
    if (listener) listener(decoded.message);
    else early.push(decoded.message);
  };
  const flush = () => {
    const frames = pending;
    pending = [];
    for (const data of frames) deliver(data);
  };
  socket.on('message', (raw) => {
    lastHeard = Date.now();
    const data = Buffer.isBuffer(raw) ? raw : Buffer.concat(Array.isArray(raw) ? raw : [Buffer.from(raw)]);
    // Updates wait to be read; anything else comes after them, in order.
    if (looksLikeUpdate(data)) {
      pending.push(data);
      return;
    }
    flush();
    deliver(data);
  });
  socket.on('ping', () => (lastHeard = Date.now()));
  socket.on('pong', () => (lastHeard = Date.now()));
  const ended = new Promise<{ clean: boolean; detail: string }>((resolve) => {
    socket.once('close', (code) => {
      // Its last update counts before it is called gone.
      flush();
      resolve({ clean: code === 1000, detail: `connection closed (code ${code})` });
    });
  });
  return {
    name: `worker ${index} (${host})`,
    host,
    address,
    send: (message) => send(socket, message),
    listen(onMessage) {
      listener = onMessage;
      for (const m of early.splice(0)) onMessage(m);
    },
    flush,
    ended,
    lastHeardMs: () => lastHeard,
    close: () => socket.terminate(),
  };
}

export class MasterListener {
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly slots = new Map<number, WorkerLink>();
  private allCame: () => void = () => {};
  private readonly pinger: NodeJS.Timeout;
  private closed = false;
  /** Set once the leader has its N workers: from then on a worker only comes to replace a lost one. */
  private handedOver = false;
  /** Takes a worker admitted after the hand-over; absent: none is admitted then. */
  private lateJoin: ((link: WorkerLink, index: number) => void) | undefined;

  private constructor(private readonly opts: MasterOptions, private readonly admission: Admission, private readonly io: RunIo) {
    this.server = opts.tlsCert !== undefined && opts.tlsKey !== undefined
      ? createHttpsServer({ cert: readFileSync(opts.tlsCert), key: readFileSync(opts.tlsKey) })
      : createHttpServer();
    this.server.on('request', (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('mcpload master: workers connect with `mcpload run --worker`\n');
    });
    this.wss = new WebSocketServer({ server: this.server, maxPayload: MAX_FRAME_BYTES });
    this.wss.on('connection', (socket, req) => this.greet(socket, req.socket.remoteAddress ?? 'unknown'));
    this.pinger = setInterval(() => {
      for (const socket of this.wss.clients) if (socket.readyState === socket.OPEN) socket.ping();
    }, PING_PERIOD_MS);
  }

  /** Listens on --master-bind-host:--master-bind-port; a port in use is a usage error (exit 2). */
  static async open(opts: MasterOptions, admission: Admission, io: RunIo): Promise<MasterListener> {
    let listener: MasterListener;
    try {
      listener = new MasterListener(opts, admission, io);
    } catch (err) {
      throw new RunSetupError(`--master-tls-cert/--master-tls-key: ${(err as Error).message}`);
    }
    await new Promise<void>((resolve, reject) => {
      listener.server.once('error', (err: NodeJS.ErrnoException) => {
        reject(new RunSetupError(`cannot listen for workers on ${opts.bindHost}:${opts.bindPort}: ${err.code ?? err.message}`));
      });
      listener.server.listen(opts.bindPort, opts.bindHost, resolve);
    }).catch(async (err: unknown) => {
      await listener.close();
      throw err;
    });
    return listener;
  }

  get url(): string {
    const address = this.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : this.opts.bindPort;
    return `${this.opts.tlsCert !== undefined ? 'wss' : 'ws'}://${this.opts.bindHost}:${port}`;
  }

  private greet(socket: WebSocket, address: string): void {
    const nonce = newNonce();
    const timer = setTimeout(() => socket.terminate(), HELLO_TIMEOUT_MS);
    socket.once('close', () => clearTimeout(timer));
    socket.on('error', () => undefined);
    send(socket, { type: 'challenge', nonce });
    socket.once('message', (data) => {
      clearTimeout(timer);
      const decoded = decodeFrame<Hello>(String(data));
      let verdict = 'message' in decoded
        ? admitWorker(decoded.message, { ...this.admission, token: this.opts.token, nonce, taken: new Set(this.slots.keys()) })
        : { refused: `the worker speaks ${decoded.problem}` };
      // After the start only a lost worker's share is open (its index freed), and only while the run takes replacements.
      if (!('refused' in verdict) && this.handedOver && this.lateJoin === undefined) verdict = { refused: 'the run takes no more workers' };
      if ('refused' in verdict) {
        this.io.err(`warning: refused a worker from ${address}: ${verdict.refused}`);
        send(socket, { type: 'refused', reason: verdict.refused });
        socket.close(1008, 'refused');
        return;
      }
      const hello = decoded as { message: Hello };
      const host = typeof hello.message.host === 'string' ? hello.message.host.slice(0, 100) : address;
      const link = linkOver(socket, verdict.index, host, address);
      this.slots.set(verdict.index, link);
      const proof = this.opts.token !== undefined ? proofOf(this.opts.token, String(hello.message.nonce)) : undefined;
      send(socket, { type: 'welcome', index: verdict.index, count: this.admission.count, ...(proof !== undefined ? { proof } : {}) });
      this.io.err(`${link.name} joined from ${address}${this.handedOver ? '' : ` (${this.slots.size}/${this.admission.count})`}`);
      const skew = Number(hello.message.clockMs) - Date.now();
      if (Math.abs(skew) > CLOCK_SKEW_WARNING_MS) {
        this.io.err(`warning: ${link.name}'s clock is ${formatDuration(Math.abs(skew))} ${skew > 0 ? 'ahead' : 'behind'}: it starts that far apart (sync the clocks, e.g. NTP)`);
      }
      if (this.handedOver) {
        this.lateJoin?.(link, verdict.index);
        return;
      }
      // A worker gone before the start frees its index for another.
      void link.ended.then(() => {
        if (!this.closed && !this.handedOver && this.slots.get(verdict.index) === link) {
          this.slots.delete(verdict.index);
          this.io.err(`warning: ${link.name} left before the start (${this.slots.size}/${this.admission.count})`);
        }
      });
      if (this.slots.size === this.admission.count) this.allCame();
    });
  }

  /** The workers that joined so far, by index (the web UI lists them while the others come). */
  joined(): Array<{ index: number; link: WorkerLink }> {
    return [...this.slots].map(([index, link]) => ({ index, link })).sort((a, b) => a.index - b.index);
  }

  /**
   * Every worker's link, by index, once all came; a RunSetupError after
   * --expect-workers-max-wait, or never with `untilClosed` (the web UI waits
   * until its user quits).
   */
  async allWorkers(untilClosed = false): Promise<WorkerLink[]> {
    const { count } = this.admission;
    this.io.err(`waiting for ${count} worker${count === 1 ? '' : 's'} on ${this.url}${untilClosed ? '' : ` (at most ${formatDuration(this.opts.maxWaitMs)})`}`);
    let timer: NodeJS.Timeout | undefined;
    const came = await Promise.race([
      new Promise<boolean>((resolve) => {
        this.allCame = () => resolve(true);
        if (this.slots.size === count) resolve(true);
      }),
      new Promise<boolean>((resolve) => {
        // Unref'd: a master stopped while waiting is not kept alive by it.
        if (!untilClosed) timer = setTimeout(() => resolve(false), this.opts.maxWaitMs).unref();
      }),
    ]);
    clearTimeout(timer);
    if (came) this.handedOver = true;
    if (!came) {
      throw new RunSetupError(`only ${this.slots.size} of ${count} workers came within --expect-workers-max-wait ${formatDuration(this.opts.maxWaitMs)}; no load was started`);
    }
    return Array.from({ length: count }, (_, i) => this.slots.get(i)).filter((link): link is WorkerLink => link !== undefined);
  }

  /** Admits workers after the hand-over, each for the share a lost worker left (see `free`), and hands each to `join`. */
  acceptReplacements(join: (link: WorkerLink, index: number) => void): void {
    this.lateJoin = join;
  }

  /** A lost worker's index: a worker may now come to take its share. */
  free(index: number): void {
    if (this.handedOver) this.slots.delete(index);
  }

  /** Takes no more workers (the run is ending). */
  refuseReplacements(): void {
    this.lateJoin = undefined;
  }

  /** Stops listening and drops every connection still open. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pinger);
    for (const socket of this.wss.clients) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * `mcpload run --worker --master-host H`: one machine's share of a master's
 * load test (docs/distributed.md). The worker connects (retrying while the
 * master is not up yet), proves it knows the token and checks that the
 * master does too, says which mcpload and scenario it has, and then runs
 * what the master starts (worker-share.ts) with its messages as frames.
 *
 * A worker that loses its master (the connection gone, or no ping for the
 * heartbeat timeout) stops its users and writes its own result JSON, so
 * that `mcpload merge` can rebuild the run from the workers' files.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { onStopSignal } from '../process/stop-signals.js';
import { writeJsonReport } from '../reporters/json.js';
import { formatDuration } from '../values/option-values.js';
import { VERSION } from '../version.js';
import type { RunIo } from './conclude.js';
import { RunSetupError } from './run-setup-error.js';
import type { RunOptions, WorkerOptions } from './run-options.js';
import { scenarioHash } from './scenario-hash.js';
import { failureMessage, runWorkerShare, ShareCommands, type StartMessage } from './worker-share.js';
import type { WorkerMessage } from './worker-protocol.js';
import { decodeFrame, encodeFrame, newNonce, proofHolds, proofOf, WIRE_VERSION, type MasterFrame, type WorkerFrame } from './worker-wire.js';

/** How long a worker keeps trying to reach a master that is not up yet. */
const CONNECT_WAIT_MS = 60_000;
const CONNECT_RETRY_MS = 500;

/** Kubernetes Indexed Jobs name each pod's index here. */
export function indexFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.JOB_COMPLETION_INDEX;
  if (raw === undefined || raw === '') return undefined;
  const index = Number(raw);
  if (!Number.isSafeInteger(index) || index < 0) throw new RunSetupError(`JOB_COMPLETION_INDEX must be a whole number >= 0, got '${raw}'`);
  return index;
}

/** Where a worker that lost its master writes its result: --json, else mcpload-worker-INDEX.json here. */
export function orphanResultPath(opts: RunOptions, index: number): string {
  return opts.json ?? path.resolve(`mcpload-worker-${index}.json`);
}

/** One open connection to the master, its frames as a queue. */
class MasterChannel {
  private readonly queue: MasterFrame[] = [];
  private waiter: (() => void) | undefined;
  private lastHeard = Date.now();
  readonly closed: Promise<string>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.lastHeard = Date.now();
      const decoded = decodeFrame<MasterFrame>(String(data));
      if ('message' in decoded) this.queue.push(decoded.message);
      else socket.close(1002, 'protocol');
      this.waiter?.();
    });
    socket.on('ping', () => (this.lastHeard = Date.now()));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', (code) => {
      this.waiter?.();
      resolve(`connection closed (code ${code})`);
    }));
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  silentMs(): number {
    return Date.now() - this.lastHeard;
  }

  /** The next frame; undefined once the connection closed. */
  async next(): Promise<MasterFrame | undefined> {
    while (this.queue.length === 0) {
      if (!this.open) return undefined;
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
      this.waiter = undefined;
    }
    return this.queue.shift();
  }

  send(frame: WorkerFrame): Promise<void> {
    return new Promise((resolve) => {
      if (!this.open) {
        resolve();
        return;
      }
      this.socket.send(encodeFrame(frame), () => resolve());
    });
  }
}

function connectOnce(url: string, ca: Buffer | undefined): Promise<MasterChannel> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { ...(ca !== undefined ? { ca } : {}), handshakeTimeout: 10_000, maxPayload: 64 * 1024 * 1024 });
    // Listening from the first byte: the master's challenge can arrive in the same read as the upgrade.
    const channel = new MasterChannel(socket);
    socket.once('open', () => {
      socket.off('error', reject);
      resolve(channel);
    });
    socket.once('error', reject);
  });
}

async function connect(url: string, ca: Buffer | undefined, io: RunIo): Promise<MasterChannel> {
  const deadline = Date.now() + CONNECT_WAIT_MS;
  let said = false;
  for (;;) {
    try {
      return await connectOnce(url, ca);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const retry = code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ETIMEDOUT';
      if (!retry || Date.now() > deadline) throw new RunSetupError(`cannot reach the master at ${url}: ${code ?? (err as Error).message}`);
      if (!said) io.err(`waiting for the master at ${url} (${code}); trying for ${formatDuration(CONNECT_WAIT_MS)}`);
      said = true;
      await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
    }
  }
}

/** Challenge, hello, welcome: the worker's index and count, or a RunSetupError saying why not (exit 2). */
async function join(channel: MasterChannel, opts: RunOptions, worker: WorkerOptions, url: string): Promise<{ index: number; count: number }> {
  const challenge = await channel.next();
  if (challenge?.type !== 'challenge') throw new RunSetupError(`${url} is not an mcpload master (no challenge)`);
  const nonce = newNonce();
  const index = indexFromEnv();
  await channel.send({
    type: 'hello', protocol: WIRE_VERSION, version: VERSION, scenarioHash: await scenarioHash(opts), nonce,
    ...(worker.token !== undefined ? { proof: proofOf(worker.token, challenge.nonce) } : {}),
    ...(index !== undefined ? { index } : {}), host: hostname(), clockMs: Date.now(),
  });
  const answer = await channel.next();
  if (answer?.type === 'refused') throw new RunSetupError(`the master refused this worker: ${answer.reason}`);
  if (answer?.type !== 'welcome') throw new RunSetupError(`the master at ${url} closed the connection during the handshake`);
  // The master proves it knows the token too: a worker takes its target and credentials from no one else.
  if (worker.token !== undefined && !proofHolds(worker.token, nonce, answer.proof)) {
    throw new RunSetupError(`the master at ${url} does not know the master token; this worker does not follow it`);
  }
  return { index: answer.index, count: answer.count };
}

export async function runNetworkWorker(opts: RunOptions, worker: WorkerOptions, io: RunIo): Promise<number> {
  const index = indexFromEnv();
  let ca: Buffer | undefined;
  try {
    ca = worker.tlsCa !== undefined ? readFileSync(worker.tlsCa) : undefined;
  } catch (err) {
    throw new RunSetupError(`--master-tls-ca ${worker.tlsCa ?? ''}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const url = `${ca !== undefined ? 'wss' : 'ws'}://${worker.masterHost.includes(':') ? `[${worker.masterHost}]` : worker.masterHost}:${worker.masterPort}`;
  // Fail on a missing scenario file here, not after the master admitted us.
  await scenarioHash(opts);
  const channel = await connect(url, ca, io);
  try {
    const joined = await join(channel, opts, worker, url);
    io.err(`worker ${joined.index} of ${joined.count}${index === undefined ? ' (order of arrival)' : ' (JOB_COMPLETION_INDEX)'} joined the master at ${url}`);
    // A master silent while the others join (a network cut) is as gone as a closed one.
    const first = await nextWatched(channel, worker.heartbeatTimeoutMs);
    if (first?.type !== 'start') {
      throw new RunSetupError(`the master at ${url} ended before the run started${first?.type === 'refused' ? `: ${first.reason}` : first?.type === 'quit' ? `: ${first.reason}` : ' (it may have given up waiting for its workers)'}`);
    }
    // A master with a web UI keeps its workers for its next test (`stay`); a headless one has one run.
    let start: StartMessage = first;
    if (start.fromS !== undefined) io.err(`this worker takes the share of a lost one, ${formatDuration(start.fromS * 1000)} into the run`);
    for (;;) {
      const { code, next } = await runShare(channel, start, opts, worker, io);
      if (code !== 0 || start.stay !== true) return code;
      io.err('waiting for the master\'s next test');
      const frame = await next;
      if (frame?.type === 'start') {
        start = frame;
        continue;
      }
      io.err(frame?.type === 'quit' ? `the master ended the session (${frame.reason})` : 'the master ended the session (connection closed)');
      channel.socket.close(1000, 'done');
      await Promise.race([channel.closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
      return 0;
    }
  } finally {
    channel.socket.terminate();
  }
}

/** The next frame; undefined when the connection closes or the master is silent longer than `timeoutMs`. */
async function nextWatched(channel: MasterChannel, timeoutMs: number): Promise<MasterFrame | undefined> {
  const silence = setInterval(() => {
    if (channel.silentMs() > timeoutMs) channel.socket.terminate();
  }, 500);
  try {
    return await channel.next();
  } finally {
    clearInterval(silence);
  }
}

interface ShareEnd {
  code: number;
  /** The frame after the run (the next `start`, or `quit`); undefined when the connection closed or went silent. */
  next: Promise<MasterFrame | undefined>;
}

async function runShare(channel: MasterChannel, start: StartMessage, opts: RunOptions, worker: WorkerOptions, io: RunIo): Promise<ShareEnd> {
  // The master's options, with this machine's own scenario file (the same bytes, checked at the hello) and no master secrets.
  const runOpts: RunOptions = { ...start.opts, scenario: opts.scenario, master: undefined, worker: undefined };
  let masterLost: string | undefined;
  let stopBy: (reason: string) => void = () => {};
  const stopRequested = new Promise<string>((resolve) => {
    stopBy = resolve;
  });
  let done = false;
  const lose = (why: string) => {
    if (masterLost !== undefined || done) return;
    masterLost = why;
    io.err(`warning: master lost (${why}): stopping this worker's users`);
    stopBy('master lost');
  };
  const watch = setInterval(() => {
    if (channel.silentMs() > worker.heartbeatTimeoutMs) lose(`silent for ${formatDuration(channel.silentMs())}`);
  }, 500);
  void channel.closed.then((why) => lose(why));
  // Ctrl-C or SIGTERM (a pod deleted): the users stop and the result still goes to the master, so this share counts.
  const signals = onStopSignal((signal) => {
    io.err(`${signal}: stopping this worker's users and sending its result`);
    stopBy(signal);
  });
  // The master's commands during the run: stop, and from its web UI a new user count or a stats reset.
  // The first frame after the run (the next test's start, or quit) ends this reader and is handed on.
  const commands = new ShareCommands();
  const next = (async () => {
    for (let frame = await channel.next(); frame !== undefined; frame = await channel.next()) {
      if (frame.type === 'stop') stopBy(frame.reason);
      else if (frame.type === 'users' || frame.type === 'reset') commands.apply(frame);
      else if (frame.type === 'start' || frame.type === 'quit') return frame;
    }
    return undefined;
  })();
  // Between tests the master still pings: one silent too long is gone.
  const afterRun = async (): Promise<MasterFrame | undefined> => {
    const silence = setInterval(() => {
      if (channel.silentMs() > worker.heartbeatTimeoutMs) channel.socket.terminate();
    }, 500);
    try {
      return await next;
    } finally {
      clearInterval(silence);
    }
  };
  const send = (message: WorkerMessage) => channel.send(message);
  try {
    const result = await runWorkerShare({ ...start, opts: runOpts }, stopRequested, send, commands);
    if (masterLost !== undefined) {
      const file = orphanResultPath(opts, start.index);
      await writeJsonReport(file, result);
      io.err(`wrote this worker's result to ${file}: rebuild the run with mcpload merge over every worker's file`);
      return { code: 1, next: Promise.resolve(undefined) };
    }
    done = true;
    if (opts.json !== undefined) await writeJsonReport(opts.json, result);
    if (start.stay === true) return { code: 0, next: afterRun() };
    // A clean close after the result: the master then knows this worker is done, not lost.
    channel.socket.close(1000, 'done');
    await Promise.race([channel.closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    return { code: 0, next: Promise.resolve(undefined) };
  } catch (err) {
    await send(failureMessage(err));
    throw err;
  } finally {
    clearInterval(watch);
    signals.close();
  }
}

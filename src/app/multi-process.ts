/**
 * `--processes N`: one load test spread over N worker processes (one event
 * loop, one core each), led by worker-pool.ts. This file only says how a
 * worker process is reached: forked with an IPC channel, its messages the
 * worker protocol's, its end its exit code.
 *
 * Processes rather than worker_threads: each worker has its own heap and GC,
 * a crash stays in one worker, and snapshots are JSON either way.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunIo } from './conclude.js';
import type { RunOptions } from './run-options.js';
import { runPooled, type WorkerLink } from './worker-pool.js';
import type { WorkerMessage } from './worker-protocol.js';

/** The worker entry beside this file: worker-main.js in dist/, worker-main.ts when run from source by tsx. */
function workerEntry(): string {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return fileURLToPath(new URL(`./worker-main${ext}`, import.meta.url));
}

function forkWorker(index: number): WorkerLink {
  const child = fork(workerEntry(), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.on('error', () => undefined);
  const ended = new Promise<{ clean: boolean; detail: string }>((resolve) => {
    child.once('exit', (code) => resolve({ clean: code === 0, detail: `exited with code ${String(code)}` }));
  });
  return {
    name: `worker ${index}`,
    send(message) {
      if (child.connected) child.send(message, (err) => void err);
    },
    listen(onMessage) {
      child.on('message', (m: WorkerMessage) => onMessage(m));
    },
    ended,
    // A process is watched by its exit, not by heartbeats.
    lastHeardMs: () => Date.now(),
    close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export function runMultiProcess(opts: RunOptions, count: number, io: RunIo): Promise<number> {
  return runPooled(opts, io, {
    unit: 'processes',
    count,
    links: () => Promise.resolve(Array.from({ length: count }, (_, i) => forkWorker(i))),
    settings: { processes: count },
    privateKeys: [],
  });
}

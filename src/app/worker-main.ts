/**
 * Entry point of one `--processes` worker: runs its share of the load
 * (worker-share.ts) against the target its parent opened, with messages
 * over IPC. It prints nothing; the parent shows the merged table. Ctrl-C
 * reaches the whole process group, so the worker ignores SIGINT/SIGTERM and
 * waits for its parent's `stop`.
 */
import { failureMessage, runWorkerShare, ShareCommands } from './worker-share.js';
import type { ParentMessage, WorkerMessage } from './worker-protocol.js';

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
let resolveStop: (reason: string) => void = () => {};
const stopRequested = new Promise<string>((resolve) => {
  resolveStop = resolve;
});
/** How long a worker whose parent died may take to stop its users (its stop timeout is added). */
const ORPHAN_GRACE_MS = 5_000;
let stopTimeoutMs = 0;
const commands = new ShareCommands();
process.on('message', (message: ParentMessage) => {
  if (message.type === 'stop') resolveStop(message.reason);
  else if (message.type === 'users' || message.type === 'reset') commands.apply(message);
  else if (message.type === 'start') {
    stopTimeoutMs = message.opts.stopTimeoutMs;
    runWorkerShare(message, stopRequested, send, commands).then(
      () => process.exit(0),
      async (err: unknown) => {
        await send(failureMessage(err));
        process.exit(1);
      },
    );
  }
});
// The parent went away (killed, SIGKILL included: the kernel closes the channel): nothing is left to
// report to. The users stop as usual, and a stop that hangs does not keep an orphan alive.
process.on('disconnect', () => {
  resolveStop('parent gone');
  setTimeout(() => process.exit(1), stopTimeoutMs + ORPHAN_GRACE_MS).unref();
});

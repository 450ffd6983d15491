/**
 * The stdio recording proxy of `mcpload record --out t.jsonl -- <command>`:
 * a client launches mcpload as its server; mcpload launches the real server
 * and sits between the two, passing every byte on as it comes (this
 * process's stdin to the server's, the server's stdout to this process's
 * stdout) and recording each newline-delimited JSON-RPC message. The
 * server's stderr passes straight through. One server process is one
 * session. Ends when the server exits (with its exit code) or the client
 * closes stdin (then the server's stdin is closed and its exit awaited).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { onStopSignal } from '../process/stop-signals.js';
import type { JsonRpcMessage } from '../protocol/recording.js';
import type { LiveSession, RecordingWriter } from './recording-writer.js';

/** Splits a byte stream into lines and records each one that is a JSON-RPC message. */
function recordLines(stream: Readable, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let nl = pending.indexOf('\n');
    while (nl !== -1) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line.length > 0) onLine(line);
      nl = pending.indexOf('\n');
    }
  });
}

function record(writer: RecordingWriter, session: LiveSession, direction: 'client->server' | 'server->client', line: string): void {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return; // not a message (a server that logs on stdout): passed on, not recorded
  }
  for (const m of Array.isArray(value) ? value : [value]) {
    if (typeof m === 'object' && m !== null) writer.message(session, direction, m as JsonRpcMessage);
  }
}

export async function recordStdio(command: string[], writer: RecordingWriter): Promise<number> {
  const child = spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
  const spawned = await Promise.race([once(child, 'spawn').then(() => undefined), once(child, 'error').then(([err]) => err as Error)]);
  if (spawned !== undefined) {
    await writer.close('process-exit');
    process.stderr.write(`[mcpload record] cannot start ${command[0]}: ${spawned.message}\n`);
    return 2;
  }
  const session = writer.startSession('stdio');
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  // Copies first, recording beside: the bytes pass unchanged.
  process.stdin.pipe(child.stdin);
  child.stdout.pipe(process.stdout, { end: false });
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  process.stdin.pipe(toServer);
  child.stdout.pipe(toClient);
  recordLines(toServer, (line) => record(writer, session, 'client->server', line));
  recordLines(toClient, (line) => record(writer, session, 'server->client', line));
  // The client's end of stdin: the server's stdin closes too, and the server is expected to exit.
  process.stdin.once('end', () => child.stdin.end());
  child.stdin.on('error', () => undefined);

  // A signal to the recorder (a client stopping its server) goes to the server; the recording is closed once it exits.
  const signals = onStopSignal((sig) => child.kill(sig), { onRepeat: (sig) => child.kill(sig === 'SIGINT' ? 'SIGKILL' : sig) });
  const [code, signal] = await exited;
  signals.close();
  // The last bytes the server wrote are delivered before the session ends.
  await new Promise<void>((resolve) => (child.stdout.readableEnded ? resolve() : child.stdout.once('end', resolve)));
  writer.endSession(session, 'process-exit');
  await writer.close('process-exit');
  process.stdin.unpipe();
  process.stdin.pause();
  return code ?? (signal !== null ? 1 : 0);
}

/**
 * One MCP server process spoken to over stdio (MCP basic/transports#stdio):
 * JSON-RPC messages as single lines of UTF-8 JSON on its stdin and stdout,
 * anything on stderr is the server's log. This file moves lines and keeps
 * the process; what the messages mean is mcp-stdio.ts's business.
 *
 * Shutdown follows the spec: close stdin, wait for the exit, then SIGTERM,
 * then SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

export interface StdioConnectionOptions {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** A line longer than this ends the connection (a server must not make the generator buffer without end). */
  maxLineBytes: number;
  /** One parsed message (a JSON object), with its size in bytes. */
  onMessage(message: Record<string, unknown>, bytes: number): void;
  /** The process is gone (or never started); `reason` is short and stable, e.g. `server process exited (code 1)`. */
  onExit(reason: string): void;
}

/** How long each shutdown step waits for the process to exit by itself. */
const EXIT_WAIT_MS = 2_000;
/** Server log kept for error messages (the end of its stderr). */
const STDERR_TAIL_CHARS = 2_000;

export class StdioConnection {
  private readonly child: ChildProcess;
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private stderrText = '';
  private exited = false;
  private readonly exitedPromise: Promise<void>;
  /** Lines on stdout that were not JSON objects (a server that logs to stdout breaks the spec). */
  ignoredLines = 0;

  constructor(private readonly opts: StdioConnectionOptions) {
    this.child = spawn(opts.command, opts.args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Windows finds `npx` and friends only through the shell (they are .cmd files).
      shell: process.platform === 'win32',
      windowsHide: true,
      // Its own process group, so that a signal reaches what a launcher such as npx started too.
      detached: process.platform !== 'win32',
    });
    this.exitedPromise = new Promise((resolve) => {
      let told = false;
      const finish = (reason: string) => {
        this.exited = true;
        resolve();
        if (!told) {
          told = true;
          opts.onExit(reason);
        }
      };
      this.child.once('error', (err: NodeJS.ErrnoException) => finish(`cannot start server process (${err.code ?? 'error'})`));
      this.child.once('exit', (code, signal) => finish(signal ? `server process killed (${signal})` : `server process exited (code ${code})`));
    });
    this.child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      this.stderrText = (this.stderrText + text).slice(-STDERR_TAIL_CHARS);
    });
    // A write to a process that just died fails with EPIPE: the exit handler reports it.
    this.child.stdin!.on('error', () => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited && this.child.pid !== undefined;
  }

  /** The end of what the server wrote on stderr (for a failed start). */
  get stderrTail(): string {
    return this.stderrText.trim();
  }

  /** Writes one message as one line; false when the process cannot take it. */
  send(message: object): boolean {
    if (!this.alive || !this.child.stdin!.writable) return false;
    this.child.stdin!.write(`${JSON.stringify(message)}\n`);
    return true;
  }

  private onData(chunk: Buffer): void {
    this.pending += this.decoder.write(chunk);
    let start = 0;
    let end: number;
    while ((end = this.pending.indexOf('\n', start)) !== -1) {
      this.onLine(this.pending.slice(start, end));
      start = end + 1;
    }
    this.pending = start === 0 ? this.pending : this.pending.slice(start);
    if (this.pending.length > this.opts.maxLineBytes) {
      this.pending = '';
      this.signal('SIGKILL');
    }
  }

  private onLine(line: string): void {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.ignoredLines++;
      return;
    }
    if (typeof message === 'object' && message !== null && !Array.isArray(message)) {
      this.opts.onMessage(message as Record<string, unknown>, Buffer.byteLength(text));
    } else {
      this.ignoredLines++;
    }
  }

  /** Ends the process (stdin closed, then SIGTERM, then SIGKILL); resolves once it is gone. */
  async close(): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    this.child.stdin!.end();
    if (await this.waitExit(EXIT_WAIT_MS)) return;
    this.signal('SIGTERM');
    if (await this.waitExit(EXIT_WAIT_MS)) return;
    this.signal('SIGKILL');
    await this.exitedPromise;
  }

  /** Signals the process group this connection started (POSIX), else the process itself. */
  private signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      if (process.platform === 'win32') this.child.kill(signal);
      else process.kill(-pid, signal);
    } catch {
      this.child.kill(signal); // the group is gone already; the process may not be
    }
  }

  private waitExit(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void this.exitedPromise.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

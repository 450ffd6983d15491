/**
 * `mcpload run` starts itself again with the V8 flags a load run wants, and
 * the first process only relays signals and the exit status.
 *
 * Why: with hundreds of requests in flight, their objects outlive V8's
 * default young generation and get copied and promoted; bench/ profiled 23 %
 * of the CPU in the garbage collector at 200 users. A 32 MB semi-space took
 * the general client from 68 to 46 µs of CPU per tools/call at 200 users and
 * 126 to 108 µs at 1,000, changed nothing at 50, and lowered the peak RSS of
 * 10,000 held sessions (284 to 256 MB). V8 sizes the young generation when
 * the process starts (v8.setFlagsFromString afterwards was measured to do
 * nothing), hence a new process. This module is loaded before anything else
 * and imports only node: modules, so the relaying process stays small; before
 * it relaunches, it loads only what checks the command line and the report
 * paths (run-precheck.ts), so that a usage error costs one Node start, not two.
 *
 * The child gets its own process group, so a Ctrl-C from the terminal
 * reaches it once, through this process, whichever of the two was signalled;
 * Ctrl-Z and fg/bg stop and continue it with this process; an IPC channel
 * tells it when this process is gone.
 */
import { spawn } from 'node:child_process';
import { hideSecretArguments } from './secret-arguments.js';

const RUN_FLAGS = ['--max-semi-space-size=32'];
const MARK = 'MCPLOAD_RELAUNCHED';
const RELAYED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Whether this process should hand `mcpload run` to a child started with RUN_FLAGS. */
export function wantsRelaunch(argv: string[], execArgv: string[], env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  if (argv[2] !== 'run' || env[MARK] !== undefined) return false;
  // Windows has no process groups to keep one Ctrl-C from reaching both processes.
  if (platform === 'win32') return false;
  // The user chose the young generation size: theirs stands.
  const chosen = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  return !chosen.some((flag) => /^--(max|min)-semi-space-size(=|$)/.test(flag));
}

/**
 * In the relaunched child: forgets the mark (so nothing it starts inherits
 * it) and stops the run, reports written, if the relaying parent dies.
 */
function adoptedByParent(): void {
  delete process.env[MARK];
  if (!process.connected) return;
  process.channel?.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

/** Runs `mcpload run` in a child with RUN_FLAGS; resolves never (this process exits with the child). */
function relayToChild(): Promise<never> {
  const child = spawn(process.execPath, [...RUN_FLAGS, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [MARK]: '1' },
    detached: true,
  });
  // The child has the arguments now; this relaying process need not show them.
  hideSecretArguments();
  const relay = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of RELAYED) process.on(signal, relay);
  // Ctrl-Z stops only this process group; the child, in its own, is stopped and continued with it.
  const suspend = () => {
    relay('SIGSTOP');
    process.kill(process.pid, 'SIGSTOP');
  };
  const resume = () => relay('SIGCONT');
  process.on('SIGTSTP', suspend);
  process.on('SIGCONT', resume);
  return new Promise<never>(() => {
    child.on('error', (err) => {
      process.stderr.write(`mcpload: could not start the run process: ${err.message}\n`);
      process.exit(1);
    });
    child.on('exit', (code, signal) => {
      for (const s of RELAYED) process.off(s, relay);
      process.off('SIGTSTP', suspend);
      process.off('SIGCONT', resume);
      if (signal) process.kill(process.pid, signal);
      else process.exit(code ?? 1);
    });
  });
}

/**
 * True when this process dealt with the command: handed the run to a child
 * (and will exit with it), or found a usage error or printed the help (and
 * set the exit code). False: go on here.
 */
export async function relaunchIfWanted(): Promise<boolean> {
  if (process.env[MARK] !== undefined) {
    adoptedByParent();
    return false;
  }
  if (!wantsRelaunch(process.argv, process.execArgv, process.env, process.platform)) return false;
  const { precheckRun } = await import('./run-precheck.js');
  const code = await precheckRun(process.argv);
  if (code !== undefined) {
    process.exitCode = code;
    return true;
  }
  void relayToChild();
  return true;
}

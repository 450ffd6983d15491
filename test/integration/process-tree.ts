/**
 * Processes seen through /proc (Linux only): state and parent, command
 * line, children and descendants, and bounded waits for them to go. Shared
 * by the tests that check no process mcpload starts outlives its run
 * (orphans.test.ts, signals.test.ts). Every wait is bounded and asserts
 * liveness, never a duration.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { until as pollUntil } from '../helpers/until.js';

/** State letter and parent pid of a live process; undefined when it is gone or a zombie (exited, not yet reaped). */
export function procState(pid: number): { state: string; ppid: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
  const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return state === 'Z' || state === 'X' ? undefined : { state: state!, ppid: Number(ppid) };
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** Live children of `pid` whose command line contains `marker`. */
export function childrenOf(pid: number, marker = ''): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = Number(entry);
    if (procState(child)?.ppid === pid && commandLine(child).includes(marker)) found.push(child);
  }
  return found;
}

/** Every live process under `pid` (children, their children, ...). */
export function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  for (let queue = [pid]; queue.length > 0;) {
    const children = childrenOf(queue.shift()!);
    found.push(...children);
    queue = queue.concat(children);
  }
  return found;
}

/** Polls `probe` every 50 ms until it gives a value (the shared wait, at the pace of reading /proc). */
export function until<T>(what: string, probe: () => T | undefined, ms = 20_000): Promise<T> {
  return pollUntil(what, probe, { timeoutMs: ms, everyMs: 50 });
}

/** Waits (bounded) for every pid to be gone; returns those still alive. */
export async function survivors(pids: number[], ms = 15_000): Promise<number[]> {
  const end = Date.now() + ms;
  for (;;) {
    const alive = pids.filter((pid) => procState(pid) !== undefined);
    if (alive.length === 0 || Date.now() > end) return alive;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

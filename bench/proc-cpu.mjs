// CPU of another process tree, read from /proc (Linux): process.cpuUsage()
// sees only the process that calls it. Shared by bench.mjs, master-scale.mjs
// and master-cpu.mjs.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** `pid` and every process below it (`mcpload run` relaunches itself in a child). */
export function treePids(pid) {
  const pids = [pid];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (kids) for (const kid of kids.split(/\s+/)) pids.push(...treePids(Number(kid)));
    }
  } catch { /* gone */ }
  return pids;
}

/** user + sys CPU seconds of a process tree, as the kernel counts them (utime + stime). */
export function cpuSeconds(pid) {
  let ticks = 0;
  for (const p of treePids(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch { /* gone */ }
  }
  return ticks / CLK_TCK;
}

/** Resident memory of a process tree in MiB (VmRSS from /proc). */
export function rssMiB(pid) {
  let kib = 0;
  for (const p of treePids(pid)) {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (match) kib += Number(match[1]);
    } catch { /* gone */ }
  }
  return kib / 1024;
}

/**
 * Times the threads of a process tree went to sleep waiting (voluntary
 * context switches, /proc/PID/task/TID/status): for an event loop, about one
 * per wake-up, which is what a mostly idle generator pays for per second.
 */
export function voluntarySwitches(pid) {
  let switches = 0;
  for (const p of treePids(pid)) {
    let tasks = [];
    try { tasks = readdirSync(`/proc/${p}/task`); } catch { /* gone */ }
    for (const task of tasks) {
      try {
        const match = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/task/${task}/status`, 'utf8'));
        if (match) switches += Number(match[1]);
      } catch { /* gone */ }
    }
  }
  return switches;
}

/** The load averages (1, 5, 15 min) as `uptime` prints them. */
export function loadAverage() {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ');
}

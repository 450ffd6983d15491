/**
 * CPU and memory of the server processes a run started (`--stdio`), sampled
 * once a second from Linux's /proc: `/proc/<pid>/stat` (utime + stime, in
 * clock ticks) and `/proc/<pid>/status` (VmRSS). Each process counts with
 * its descendants, since launchers such as `npx` run the real server as a
 * child. Elsewhere (no /proc) the report says it is unavailable instead of
 * guessing.
 *
 * CPU is in percent of one core (200 = two cores busy), summed over all
 * processes; RSS is summed over all processes, with the largest single
 * process beside it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export interface ProcessUsagePoint {
  /** Seconds since sampling started. */
  t: number;
  processes: number;
  /** Percent of one core, all processes together, over the last interval. */
  cpuPercent: number;
  /** Bytes, all processes together. */
  rssBytes: number;
}

export interface ProcessUsageReport {
  available: boolean;
  /** Why not, when unavailable. */
  reason?: string;
  /** Most server processes alive at once. */
  peakProcesses: number;
  cpuPercent: { avg: number; max: number };
  rssBytes: { avg: number; max: number; maxPerProcess: number };
  /** One point per second (the last hour at most). */
  series: ProcessUsagePoint[];
}

const MAX_POINTS = 3600;
/** Depth limit when following child processes (a fork bomb must not hang the sampler). */
const MAX_DEPTH = 4;

function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    if (Number.isInteger(ticks) && ticks > 0) return ticks;
  } catch {
    // no getconf: Linux uses 100 nearly everywhere
  }
  return 100;
}

/** utime + stime of one process in ticks, or undefined when it is gone. */
export function readCpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields restart after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : undefined;
  } catch {
    return undefined;
  }
}

/** Resident set size of one process in bytes, or undefined when it is gone. */
export function readRssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0; // a zombie has no VmRSS line
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The process and its descendants. */
function processTree(pid: number): number[] {
  const out: number[] = [];
  let level = [pid];
  for (let depth = 0; depth <= MAX_DEPTH && level.length > 0; depth++) {
    out.push(...level);
    level = level.flatMap(childrenOf);
  }
  return out;
}

export class ProcessUsageSampler {
  private readonly available = existsSync('/proc/self/stat');
  private readonly ticksPerSecond = this.available ? clockTicksPerSecond() : 100;
  private readonly lastTicks = new Map<number, number>();
  private readonly series: ProcessUsagePoint[] = [];
  private peakProcesses = 0;
  private maxPerProcess = 0;
  private cpuSum = 0;
  private cpuMax = 0;
  private rssSum = 0;
  private rssMax = 0;
  private points = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly startMs = performance.now();
  private lastMs = this.startMs;

  /** `roots()` names the processes to watch now (each with its descendants). */
  constructor(private readonly roots: () => number[], private readonly intervalMs = 1000) {}

  start(): void {
    if (!this.available || this.timer !== undefined) return;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Takes one point now (also called by the timer). */
  sample(): void {
    if (!this.available) return;
    const now = performance.now();
    const seconds = (now - this.lastMs) / 1000;
    this.lastMs = now;
    let ticks = 0;
    let rss = 0;
    let roots = 0;
    const seen = new Set<number>();
    for (const root of this.roots()) {
      const tree = processTree(root);
      let rootRss = 0;
      let alive = false;
      for (const pid of tree) {
        if (seen.has(pid)) continue;
        seen.add(pid);
        const total = readCpuTicks(pid);
        const bytes = readRssBytes(pid);
        if (total === undefined || bytes === undefined) continue;
        alive = true;
        // A process seen for the first time counts all its CPU so far: it was started during the run.
        ticks += total - (this.lastTicks.get(pid) ?? 0);
        this.lastTicks.set(pid, total);
        rootRss += bytes;
      }
      if (alive) roots++;
      rss += rootRss;
      if (rootRss > this.maxPerProcess) this.maxPerProcess = rootRss;
    }
    for (const pid of this.lastTicks.keys()) if (!seen.has(pid)) this.lastTicks.delete(pid);
    const cpuPercent = seconds > 0 ? (ticks / this.ticksPerSecond / seconds) * 100 : 0;
    if (roots > this.peakProcesses) this.peakProcesses = roots;
    this.points++;
    this.cpuSum += cpuPercent;
    this.rssSum += rss;
    if (cpuPercent > this.cpuMax) this.cpuMax = cpuPercent;
    if (rss > this.rssMax) this.rssMax = rss;
    if (this.series.length === MAX_POINTS) this.series.shift();
    this.series.push({ t: Math.round((now - this.startMs) / 100) / 10, processes: roots, cpuPercent: round1(cpuPercent), rssBytes: rss });
  }

  report(): ProcessUsageReport {
    if (!this.available) {
      return {
        available: false, reason: 'needs Linux /proc', peakProcesses: 0,
        cpuPercent: { avg: 0, max: 0 }, rssBytes: { avg: 0, max: 0, maxPerProcess: 0 }, series: [],
      };
    }
    const n = Math.max(this.points, 1);
    return {
      available: true,
      peakProcesses: this.peakProcesses,
      cpuPercent: { avg: round1(this.cpuSum / n), max: round1(this.cpuMax) },
      rssBytes: { avg: Math.round(this.rssSum / n), max: this.rssMax, maxPerProcess: this.maxPerProcess },
      series: [...this.series],
    };
  }
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

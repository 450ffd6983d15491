/**
 * What both halves of the fault matrix (fault-matrix-bench.test.ts and
 * fault-matrix-general.test.ts) need: a run of mcpload whose descriptors and
 * peak RSS are sampled from /proc while it runs, its JSON report read back
 * as rows and failure labels, and the check that descriptors stay flat.
 *
 * The run process is kept from relaunching itself (MCPLOAD_RELAUNCHED=1, see
 * src/cli/relaunch.ts) so that the child we start is the one doing the load,
 * and its /proc entries are the load's.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { startCli } from './cli-helpers.js';

export interface ReportEntry { type: string; name: string; requests: number; failures: number; cut?: number }
interface ReportError { type: string; name: string; error: string; occurrences: number }

export interface SampledRun {
  code: number | null;
  /** stdout and stderr together. */
  output: string;
  entries: ReportEntry[];
  errors: ReportError[];
  /** Open descriptors of the run process, sampled while it ran. */
  fds: number[];
  /** Peak RSS of the run process (VmHWM), in MiB. */
  peakMiB: number;
}

function procSample(pid: number): { fds: number; hwmKiB: number } | undefined {
  try {
    const fds = readdirSync(`/proc/${pid}/fd`).length;
    const hwmKiB = Number(/VmHWM:\s*(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return { fds, hwmKiB };
  } catch {
    return undefined; // the process just ended
  }
}

/** Runs `mcpload <args>` (which must write its JSON report to `json`) in one process, sampling it every 100 ms. */
/** `stopWhen`: polled every 100 ms; once true, the run is stopped by Ctrl-C (SIGINT) instead of waiting for its -t. */
export async function runSampled(args: string[], json: string, env: Record<string, string> = {}, stopWhen?: () => boolean): Promise<SampledRun> {
  const { child, done } = startCli(args, { MCPLOAD_RELAUNCHED: '1', ...env });
  const fds: number[] = [];
  let hwmKiB = 0;
  let stopped = false;
  const sampler = setInterval(() => {
    if (stopWhen && !stopped && stopWhen()) {
      stopped = true;
      child.kill('SIGINT');
    }
    const s = procSample(child.pid as number);
    if (s === undefined) return;
    fds.push(s.fds);
    hwmKiB = Math.max(hwmKiB, s.hwmKiB);
  }, 100);
  const r = await done;
  clearInterval(sampler);
  const output = r.stdout + r.stderr;
  let report: { snapshot: { entries: ReportEntry[]; errors: ReportError[] } };
  try {
    report = JSON.parse(readFileSync(json, 'utf8')) as typeof report;
  } catch (err) {
    throw new Error(`no JSON report (${(err as Error).message}); exit ${r.code}\n${output}`);
  }
  return { code: r.code, output, entries: report.snapshot.entries, errors: report.snapshot.errors, fds, peakMiB: hwmKiB / 1024 };
}

/** The rows of one type (and name), added up. */
export function rowOf(run: SampledRun, type: string, name?: string): { requests: number; failures: number; cut: number } {
  const rows = run.entries.filter((e) => e.type === type && (name === undefined || e.name === name));
  return {
    requests: rows.reduce((n, e) => n + e.requests, 0),
    failures: rows.reduce((n, e) => n + e.failures, 0),
    cut: rows.reduce((n, e) => n + (e.cut ?? 0), 0),
  };
}

/** Failures of one type (and name) by label ("kind: detail"). */
export function failuresOf(run: SampledRun, type: string, name?: string): Map<string, number> {
  const labels = new Map<string, number>();
  for (const e of run.errors) {
    if (e.type === type && (name === undefined || e.name === name)) labels.set(e.error, (labels.get(e.error) ?? 0) + e.occurrences);
  }
  return labels;
}

/** The label of requests cut at the stop (see src/metrics/sample.ts). */
export const CUT_LABEL = 'cut: still waiting when the run stopped';

/**
 * A reset reads as ECONNRESET, except when the kernel reports it as the end
 * of the stream (seen under load: the read after the RST returns 0); the
 * client cannot tell that from a close, and names it as undici does.
 */
export const RESET = ['connect: ECONNRESET', 'connect: socket closed by peer'];

/**
 * Descriptors stay flat: the last third of the run holds no more than the
 * middle third, give or take a couple per user (past the start, whose
 * module loading opens many for a moment). A leak of one socket per fault
 * grows by hundreds a second.
 */
export function assertFdsFlat(run: SampledRun, users: number): void {
  const seen = run.fds.filter((n) => n > 0);
  assert.ok(seen.length >= 9, `descriptors were sampled (${seen.length})`);
  const third = Math.floor(seen.length / 3);
  const middle = Math.max(...seen.slice(third, 2 * third));
  const last = Math.max(...seen.slice(2 * third));
  assert.ok(last <= middle + 2 * users && last < 100 + 4 * users, `open descriptors: at most ${middle} in the middle of the run, ${last} at its end (${seen.join(',')})`);
}

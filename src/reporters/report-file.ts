/**
 * Where report files go: whether a path can take one (checked before a run,
 * so a bad path is one line and exit 2, not a lost report after the run), its
 * folder made without Node's recursive mkdir (which loops forever under /proc
 * in Node 20), and an atomic write that leaves no temporary file behind.
 */
import { closeSync, mkdirSync, openSync, realpathSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Kernel views, not places for files: writing there fails or, worse, loops. */
const PSEUDO_FILESYSTEMS = ['/proc', '/sys'];

/**
 * Every file a --csv prefix may name (csv.ts writes them; the last two only
 * when there are figures for them), for the checks before a run. Here, not in
 * csv.ts, so that the checks load no histogram code.
 */
export const CSV_FILE_SUFFIXES = ['_stats.csv', '_stats_history.csv', '_failures.csv', '_exceptions.csv', '_first_byte.csv', '_service_time.csv'];

/** A report path that cannot be written; the message is the reason, short, without the path. */
export class ReportPathError extends Error {
  override name = 'ReportPathError';
}

/** A short reason for a failed file operation: what the user can act on, with the errno code. */
export function describeFileError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof ReportPathError) return err.message;
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EISDIR: 'is a directory',
    ENOTDIR: 'a folder on the path is a file',
    ENOENT: 'its folder does not exist',
    ENAMETOOLONG: 'the name is too long',
  };
  const reason = e?.code !== undefined ? reasons[e.code] : undefined;
  return reason !== undefined ? `${reason} (${e.code})` : (e?.message ?? String(err));
}

function statOrUndefined(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function pseudoFilesystemOf(p: string): string | undefined {
  return PSEUDO_FILESYSTEMS.find((root) => p === root || p.startsWith(`${root}/`));
}

/**
 * Makes `dir` and the folders missing above it, one level at a time.
 * @throws ReportPathError when a part of the path is a file or under /proc or /sys; an errno error when mkdir fails.
 */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  let at = path.resolve(dir);
  for (;;) {
    const stats = statOrUndefined(at);
    if (stats !== undefined) {
      if (!stats.isDirectory()) throw new ReportPathError(`is under a file (${at})`);
      break;
    }
    const up = path.dirname(at);
    if (up === at) break;
    missing.unshift(at);
    at = up;
  }
  // The path as given, and where its existing part really is (a symlink may lead there).
  const pseudo = pseudoFilesystemOf(path.resolve(dir)) ?? pseudoFilesystemOf(realpathOr(at));
  if (pseudo !== undefined) throw new ReportPathError(`is under ${pseudo}, where no file can be written`);
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

function realpathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** An existing file that is not a regular one (/dev/null, /dev/stdout, a pipe): written in place, never replaced. */
function isSpecialFile(stats: Stats | undefined): boolean {
  return stats !== undefined && !stats.isFile() && !stats.isDirectory();
}

let probeCount = 0;

/**
 * Why `file` cannot take a report, or undefined when it can: makes its folder
 * (as writing it would) and writes and removes a small file there, so that
 * "can be written" is tried, not guessed (root ignores permission bits).
 */
export function reportFileProblem(file: string): string | undefined {
  if (file.trim() === '') return 'the path is empty';
  if (/[/\\]$/.test(file)) return 'names a folder; give a file name';
  const absolute = path.resolve(file);
  const stats = statOrUndefined(absolute);
  if (stats?.isDirectory()) return 'is a directory; give a file name';
  if (isSpecialFile(stats)) return undefined;
  const dir = path.dirname(absolute);
  try {
    makeFolder(dir);
    const probe = path.join(dir, `.mcpload-check-${process.pid}-${++probeCount}.tmp`);
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (err) {
    return err instanceof ReportPathError ? err.message : `cannot be written: ${describeFileError(err)}`;
  }
  return undefined;
}

let tempCount = 0;

/**
 * Writes `text` to `file`: makes its folder, writes a temporary file beside
 * it and renames it into place, so a reader never sees half a report; the
 * temporary file is removed when anything fails.
 */
export async function writeReportFile(file: string, text: string): Promise<void> {
  if (typeof file !== 'string' || file.trim() === '') throw new ReportPathError('the path is empty');
  const absolute = path.resolve(file);
  if (isSpecialFile(statOrUndefined(absolute))) {
    await writeFile(absolute, text, 'utf8');
    return;
  }
  makeFolder(path.dirname(absolute));
  const temp = `${absolute}.${process.pid}.${++tempCount}.tmp`;
  try {
    await writeFile(temp, text, { encoding: 'utf8', flag: 'wx' });
    await rename(temp, absolute);
  } catch (err) {
    // EEXIST: the name was taken and nothing of ours was written there.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') await unlink(temp).catch(() => undefined);
    throw err;
  }
}

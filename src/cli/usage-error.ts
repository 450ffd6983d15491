/**
 * A problem with what the user typed (flags, config file, positionals):
 * main prints its message on one line and exits 2, before any load.
 */
export class UsageError extends Error {}

/** A value parser run outside commander (a positional checked in an action): its error is a usage error. */
export function usageParse<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

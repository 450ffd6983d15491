/**
 * A user-facing problem found before a run starts: the CLI prints its
 * message on one line and exits 2. Its own module, light, so that the checks
 * made before the run process starts (src/cli/run-precheck.ts) can throw it
 * without loading the run.
 */
export class RunSetupError extends Error {}

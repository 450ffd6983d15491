/**
 * Who makes the web UI's runs when this process does not run the users
 * itself: a master's workers (master-session.ts). The web controller asks
 * it for a run per swarm and for the workers behind the runs.
 */
import type { WorkerView } from '../report/view-model.js';
import type { UserClass } from '../scenarios/api.js';
import type { LiveRun } from './live-run.js';
import type { RunOptions } from './run-options.js';
import type { PreparedScenario } from './scenario-setup.js';

/** A swarm's request, as the controller resolved it. */
export interface RunRequest {
  prepared: PreparedScenario;
  /** The run's options (the protocol version the target speaks, users, spawn rate, run time). */
  opts: RunOptions;
  /** The target the controller opened. */
  host: string;
  /** The classes picked in the form. */
  classes: UserClass[];
}

/** Who makes the runs when they are not this process's own (a master's workers). */
export interface RunSource {
  /** Starts a run; a RunRefused when it cannot start now (workers missing, one run per session). */
  start(request: RunRequest): LiveRun;
  /** The workers behind the runs, for the Workers tab. */
  workers(): WorkerView[];
  /** Resolves when a run can start (a master: every worker joined); absent: at once. */
  readonly ready?: Promise<void>;
  close(): Promise<void>;
}

/** A run that cannot start now, said in one line to whoever asked (the swarm form gets a 400). */
export class RunRefused extends Error {
  override name = 'RunRefused';
}

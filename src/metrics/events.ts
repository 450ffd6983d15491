/**
 * The run's events (Locust's `events.request`, `test_start`, `test_stop`,
 * `spawning_complete`, `quitting`): what a scenario file and the streaming
 * outputs listen to. `request` sits on the hot path, so a run with no
 * `request` listener records straight into its stats: `recorderFor` hands
 * back the very recorder it was given and no sample pays for the event.
 */
import type { Recorder, SampleError } from './sample.js';
import type { StatsRow } from './rows.js';
import type { HistoryRow } from './snapshot.js';

/** One finished request, as every `request` listener sees it (also failed and cut ones). */
export interface RequestEvent {
  /** `tools/call`, `initialize`, `GET`, `POST`, `SECURITY`, ... */
  readonly type: string;
  /** Tool name, resource URI, path or check name. */
  readonly name: string;
  readonly latencyMs: number;
  /** Response body size. */
  readonly bytes: number;
  /** Set when the request failed (`kind` says how: connect, timeout, http, jsonrpc, tool, check, security, cut). */
  readonly error?: SampleError;
}

/** The stats table as the live console shows it: one row per entry and the Aggregated row. */
export interface StatsTable {
  rows: StatsRow[];
  aggregated: StatsRow;
}

export interface SpawningCompleteEvent {
  /** Users running once the ramp reached its target. */
  readonly users: number;
}

export interface TestStopEvent {
  /** Why the run stopped: `time limit`, `SIGINT`, `stages done`, `threshold ... crossed`, ... */
  readonly reason: string;
  /** This process's stats at the stop. */
  readonly stats: StatsTable;
  /** Open model: iterations that came due and found no free user (undefined in the closed model). */
  readonly droppedIterations?: number;
}

export interface QuittingEvent {
  /** The exit code the process is about to end with; set it to end with another (Locust's `process_exit_code`). */
  exitCode: number;
  /** The verdict: every threshold and security row held. */
  readonly passed: boolean;
  /** The whole run's stats (every process added up). */
  readonly stats: StatsTable;
}

/**
 * What a scenario (or an output) listens to; every listener is optional.
 * A listener that throws is counted as a task exception (`exceptions==0`
 * then fails the run) and never stops the run.
 */
export interface RunListeners {
  /** Every request, as it is recorded. Synchronous and on the hot path: keep it cheap. */
  request?(event: RequestEvent): void;
  /** The load is about to start (before the first user). A promise returned is not waited for: do async setup in a scenario factory. */
  testStart?(): void | Promise<void>;
  /** Closed model: every user of the ramp has spawned. */
  spawningComplete?(event: SpawningCompleteEvent): void;
  /** Once a second (and once more at the stop): each entry's figures for the second that closed, then Aggregated. */
  interval?(rows: readonly HistoryRow[]): void;
  /** The run stopped (every user is done); waited for before the reports are written. */
  testStop?(event: TestStopEvent): void | Promise<void>;
  /** After the summary and the reports, before the process exits; may change `event.exitCode`. Waited for. */
  quitting?(event: QuittingEvent): void | Promise<void>;
}

export type RunEventName = keyof RunListeners;

export const RUN_EVENT_NAMES: readonly RunEventName[] = Object.freeze(['request', 'testStart', 'spawningComplete', 'interval', 'testStop', 'quitting']);

/** Why a scenario's `events` cannot be used, or undefined when it can (an unknown name is a typo, not a no-op). */
export function listenersProblem(events: unknown): string | undefined {
  const sets = Array.isArray(events) ? events : [events];
  for (const set of sets) {
    if (set === null || typeof set !== 'object') return 'events must be an object of listeners (or an array of them)';
    for (const [key, value] of Object.entries(set as Record<string, unknown>)) {
      if (!(RUN_EVENT_NAMES as readonly string[]).includes(key)) return `events.${key} is not an event (known: ${RUN_EVENT_NAMES.join(', ')})`;
      if (value !== undefined && typeof value !== 'function') return `events.${key} must be a function`;
    }
  }
  return undefined;
}

type Payload<K extends RunEventName> = Parameters<NonNullable<RunListeners[K]>>;

/** The listeners of one run, in the order they were added (the scenario's first, then the outputs'). */
export class RunEvents {
  private readonly sets: RunListeners[] = [];

  /** @param onError where a listener's exception goes (the run counts it as a task exception). */
  constructor(listeners: RunListeners | readonly RunListeners[] | undefined, private readonly onError: (err: unknown, where: string) => void) {
    if (listeners !== undefined) this.sets.push(...(Array.isArray(listeners) ? listeners : [listeners as RunListeners]));
  }

  add(listeners: RunListeners): void {
    this.sets.push(listeners);
  }

  has(name: RunEventName): boolean {
    return this.sets.some((set) => typeof set[name] === 'function');
  }

  /** Calls every listener of `name` now; promises they return are not waited for (their rejections are still caught). */
  emit<K extends RunEventName>(name: K, ...payload: Payload<K>): void {
    for (const set of this.sets) {
      const listener = set[name] as ((...args: Payload<K>) => unknown) | undefined;
      if (listener === undefined) continue;
      try {
        const returned = listener.apply(set, payload);
        if (returned instanceof Promise) returned.catch((err: unknown) => this.onError(err, `events.${name}`));
      } catch (err) {
        this.onError(err, `events.${name}`);
      }
    }
  }

  /** Calls the listeners of `name` one after another, waiting for each. @returns what they threw (each also given to onError). */
  async emitAwaited<K extends RunEventName>(name: K, ...payload: Payload<K>): Promise<unknown[]> {
    const thrown: unknown[] = [];
    for (const set of this.sets) {
      const listener = set[name] as ((...args: Payload<K>) => unknown) | undefined;
      if (listener === undefined) continue;
      try {
        await listener.apply(set, payload);
      } catch (err) {
        thrown.push(err);
        this.onError(err, `events.${name}`);
      }
    }
    return thrown;
  }

  /**
   * `recorder` itself when nothing listens to `request` (the hot path stays as
   * it is); else a recorder that records into it and then tells the listeners.
   */
  recorderFor(recorder: Recorder): Recorder {
    const listeners = this.sets.filter((set) => typeof set.request === 'function');
    if (listeners.length === 0) return recorder;
    return {
      record: (type, name, latencyUs, bytes, error) => {
        recorder.record(type, name, latencyUs, bytes, error);
        const event: RequestEvent = error === undefined
          ? { type, name, latencyMs: latencyUs / 1000, bytes }
          : { type, name, latencyMs: latencyUs / 1000, bytes, error };
        for (const set of listeners) {
          try {
            set.request!(event);
          } catch (err) {
            this.onError(err, 'events.request');
          }
        }
      },
      exception: (err, where) => recorder.exception(err, where),
      ...(recorder.checkPassed ? { checkPassed: (type: string, name: string) => recorder.checkPassed!(type, name) } : {}),
    };
  }
}

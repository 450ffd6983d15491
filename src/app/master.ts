/**
 * `mcpload run --master --expect-workers N`: one load test led over N
 * worker machines (docs/distributed.md). The master listens for workers,
 * admits those with the same token, mcpload version and scenario, and then
 * leads them as --processes leads its processes (worker-pool.ts): one
 * start instant, one merged live table, one merged result and verdict.
 */
import { isIP } from 'node:net';
import { VERSION } from '../version.js';
import type { RunIo } from './conclude.js';
import { MasterListener } from './master-listener.js';
import { RunSetupError } from './run-setup-error.js';
import type { MasterOptions, RunOptions } from './run-options.js';
import { scenarioHash } from './scenario-hash.js';
import { runPooled, type PoolMode } from './worker-pool.js';

/** The start instant is this far after the last worker came: time for the start to reach every machine and each to load the scenario. */
export const START_LEAD_MS = 1500;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** Listens for workers, after the checks every master makes (a token off loopback, TLS files in pairs). */
export async function openMasterListener(opts: RunOptions, master: MasterOptions, io: RunIo): Promise<MasterListener> {
  if (master.token === undefined && !isLoopback(master.bindHost)) {
    throw new RunSetupError(`--master-bind-host ${master.bindHost} lets other machines in: set a shared token in MCPLOAD_MASTER_TOKEN (or --master-token) on the master and every worker`);
  }
  if ((master.tlsCert === undefined) !== (master.tlsKey === undefined)) throw new RunSetupError('--master-tls-cert and --master-tls-key go together');
  return MasterListener.open(master, { version: VERSION, scenarioHash: await scenarioHash(opts), count: master.expectWorkers }, io);
}

/** What the result shows of a master's mode, and what never leaves it. */
export function masterMode(master: MasterOptions): Pick<PoolMode, 'unit' | 'count' | 'loss' | 'settings' | 'privateKeys'> {
  return {
    unit: 'workers',
    count: master.expectWorkers,
    loss: { heartbeatTimeoutMs: master.heartbeatTimeoutMs, onWorkerLoss: master.onWorkerLoss },
    settings: { workers: master.expectWorkers, onWorkerLoss: master.onWorkerLoss },
    privateKeys: ['master', 'worker'],
  };
}

export async function runMaster(opts: RunOptions, master: MasterOptions, io: RunIo): Promise<number> {
  const listener = await openMasterListener(opts, master, io);
  try {
    return await runPooled(opts, io, {
      ...masterMode(master),
      links: () => listener.allWorkers(),
      startAtMs: () => Date.now() + START_LEAD_MS,
      replacements: {
        accept: (join) => listener.acceptReplacements(join),
        free: (index) => listener.free(index),
        close: () => listener.refuseReplacements(),
      },
    });
  } finally {
    await listener.close();
  }
}

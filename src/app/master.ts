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
import { runPooled } from './worker-pool.js';

/** The start instant is this far after the last worker came: time for the start to reach every machine and each to load the scenario. */
const START_LEAD_MS = 1500;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

export async function runMaster(opts: RunOptions, master: MasterOptions, io: RunIo): Promise<number> {
  if (master.token === undefined && !isLoopback(master.bindHost)) {
    throw new RunSetupError(`--master-bind-host ${master.bindHost} lets other machines in: set a shared token in MCPLOAD_MASTER_TOKEN (or --master-token) on the master and every worker`);
  }
  if ((master.tlsCert === undefined) !== (master.tlsKey === undefined)) throw new RunSetupError('--master-tls-cert and --master-tls-key go together');
  const listener = await MasterListener.open(master, { version: VERSION, scenarioHash: await scenarioHash(opts), count: master.expectWorkers }, io);
  try {
    return await runPooled(opts, io, {
      unit: 'workers',
      count: master.expectWorkers,
      links: () => listener.allWorkers(),
      startAtMs: () => Date.now() + START_LEAD_MS,
      loss: { heartbeatTimeoutMs: master.heartbeatTimeoutMs, onWorkerLoss: master.onWorkerLoss },
      settings: { workers: master.expectWorkers, onWorkerLoss: master.onWorkerLoss },
      privateKeys: ['master', 'worker'],
    });
  } finally {
    await listener.close();
  }
}

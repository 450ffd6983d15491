/**
 * The flags of master and workers across machines (docs/distributed.md),
 * named as Locust names them: `--master --expect-workers N`, `--worker
 * --master-host H`. Their definitions, the checks that need two of them,
 * and how they become RunOptions.master / RunOptions.worker.
 */
import { InvalidArgumentError, type Command, type OptionValues } from 'commander';
import type { MasterOptions, WorkerOptions } from '../app/run-options.js';
import { readableFile } from './tls-options.js';
import { parsePositiveInt } from './load-values.js';
import { UsageError } from './usage-error.js';
import { humanDuration, parsePort, parsePositiveDurationMs } from './values.js';

export const DEFAULT_MASTER_PORT = 5557;
const DEFAULT_MAX_WAIT_MS = 60_000;
const DEFAULT_HEARTBEAT_TIMEOUT_MS = 10_000;

function parseWorkerLoss(value: string): 'fail' | 'continue' {
  if (value !== 'fail' && value !== 'continue') throw new InvalidArgumentError(`'${value}' is not one of fail, continue`);
  return value;
}

export function addDistributedOptions(run: Command): Command {
  const duration = (flags: string, description: string, ms: number) => run.createOption(flags, description)
    .argParser(parsePositiveDurationMs).default(ms, humanDuration(ms));
  return run
    .option('--master', 'lead workers on other machines (mcpload run --worker): one merged table, result and verdict; without --headless, driven from the web UI (a Workers tab; docs/distributed.md)', false)
    .option('--expect-workers <n>', '--master: start when this many workers have joined', parsePositiveInt)
    .option('--master-bind-host <address>', '--master: address to listen on for workers; anything but loopback needs a master token', '127.0.0.1')
    .option('--master-bind-port <port>', '--master: port to listen on for workers', parsePort, DEFAULT_MASTER_PORT)
    .addOption(duration('--expect-workers-max-wait <duration>', '--master: give up (exit 2, no load) when the workers have not all joined by then', DEFAULT_MAX_WAIT_MS))
    .option('--on-worker-loss <policy>', "--master: a worker lost mid-run fails the run ('fail') or only is named ('continue'); its requests up to its last snapshot count either way", parseWorkerLoss, 'fail')
    .option('--worker', "run a master's share of the load: connect to --master-host and do what it starts", false)
    .option('--master-host <host>', '--worker: the master to join')
    .option('--master-port <port>', '--worker: the master\'s port', parsePort, DEFAULT_MASTER_PORT)
    .option('--master-token <token>', 'shared secret of master and workers (prefer the MCPLOAD_MASTER_TOKEN variable); never sent, printed or written')
    .addOption(duration('--heartbeat-timeout <duration>', 'a worker (or master) silent this long is lost', DEFAULT_HEARTBEAT_TIMEOUT_MS))
    .option('--master-tls-cert <file>', '--master: PEM certificate: workers connect over TLS (wss://)')
    .option('--master-tls-key <file>', '--master: PEM private key of --master-tls-cert; never printed')
    .option('--master-tls-ca <file>', '--worker: PEM file of the CA that signed the master\'s certificate (connects over TLS)');
}

/** Checks that need two flags at once; one line each (exit 2). */
export function checkDistributedCombinations(o: OptionValues): void {
  if (o.master && o.worker) throw new UsageError('--master and --worker are two roles; give one');
  if (o.master && o.expectWorkers === undefined) throw new UsageError('--master needs --expect-workers N (how many workers to wait for)');
  if (!o.master && o.expectWorkers !== undefined) throw new UsageError('--expect-workers needs --master');
  if (o.worker && o.masterHost === undefined) throw new UsageError('--worker needs --master-host (where the master listens)');
  if (!o.worker && o.masterHost !== undefined) throw new UsageError('--master-host needs --worker');
  if ((o.master || o.worker) && o.processes !== undefined && o.processes !== 1) throw new UsageError(`--${o.master ? 'master' : 'worker'} and --processes: run several workers instead of processes`);
  if ((o.master || o.worker) && o.stdio !== undefined) throw new UsageError('--stdio runs in one process; it does not spread over workers');
  // The master streams, serves and exports the merged figures; a worker's share alone would count twice beside them.
  if (o.worker && o.out !== undefined && o.out.length > 0) throw new UsageError('--out goes on the master (it streams the merged seconds), not on a --worker');
  if (o.worker && (o.prometheus || o.prometheusPort !== undefined)) throw new UsageError('--prometheus goes on the master (it serves the merged figures), not on a --worker');
  if ((o.masterTlsCert === undefined) !== (o.masterTlsKey === undefined)) throw new UsageError('--master-tls-cert and --master-tls-key go together');
}

export function masterOptionsFrom(o: OptionValues): MasterOptions | undefined {
  if (!o.master) return undefined;
  return {
    bindHost: o.masterBindHost, bindPort: o.masterBindPort, expectWorkers: o.expectWorkers, maxWaitMs: o.expectWorkersMaxWait,
    onWorkerLoss: o.onWorkerLoss, heartbeatTimeoutMs: o.heartbeatTimeout,
    ...(o.masterToken ? { token: String(o.masterToken) } : {}),
    ...(o.masterTlsCert !== undefined ? { tlsCert: readableFile('--master-tls-cert', o.masterTlsCert), tlsKey: readableFile('--master-tls-key', o.masterTlsKey) } : {}),
  };
}

export function workerOptionsFrom(o: OptionValues): WorkerOptions | undefined {
  if (!o.worker) return undefined;
  return {
    masterHost: o.masterHost, masterPort: o.masterPort, heartbeatTimeoutMs: o.heartbeatTimeout,
    ...(o.masterToken ? { token: String(o.masterToken) } : {}),
    ...(o.masterTlsCa !== undefined ? { tlsCa: readableFile('--master-tls-ca', o.masterTlsCa) } : {}),
  };
}

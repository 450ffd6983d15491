/**
 * The worker protocol across machines: the same messages as over IPC
 * (worker-protocol.ts), each a JSON text frame `{"v": 2, "type": ..., ...}`,
 * and a handshake before them:
 *
 *   master → worker  challenge {nonce}
 *   worker → master  hello {protocol, version, scenarioHash, proof, nonce, index?, host, clockMs}
 *   master → worker  welcome {index, count, proof} | refused {reason}
 *
 * `proof` is HMAC-SHA256(token, the other side's nonce): each side shows it
 * knows the shared token without sending it, and a worker never takes its
 * orders (which target, which credentials) from a master that does not know
 * it. Docs: docs/distributed.md.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ParentMessage, WorkerMessage } from './worker-protocol.js';

/**
 * Bumped whenever a frame changes shape; master and worker must agree.
 * 2: `users` and `reset` (master → worker, from the master's web UI), and
 * snapshots carry the history rows since the previous one.
 * 3: `update` instead of `snapshot`: histograms as the buckets they gained
 * since the previous update, and only the entries that changed.
 */
export const WIRE_VERSION = 3;

export interface Hello {
  type: 'hello';
  protocol: number;
  /** The worker's mcpload version. */
  version: string;
  scenarioHash: string;
  /** HMAC of the master's nonce with the token; absent when the worker has no token. */
  proof?: string;
  /** The worker's own nonce, for the master's proof. */
  nonce: string;
  /** JOB_COMPLETION_INDEX when set; absent: the master gives the next free index. */
  index?: number;
  host: string;
  /** The worker's wall clock when it said hello (epoch ms), to warn of clocks far apart. */
  clockMs: number;
}

export type MasterFrame =
  | ParentMessage
  | { type: 'challenge'; nonce: string }
  | { type: 'welcome'; index: number; count: number; proof?: string }
  | { type: 'refused'; reason: string };

export type WorkerFrame = WorkerMessage | Hello;

export function encodeFrame(message: MasterFrame | WorkerFrame): string {
  return JSON.stringify({ v: WIRE_VERSION, ...message });
}

/** A frame's message, or why it is not one this side understands. */
export function decodeFrame<T extends { type: string }>(data: string): { message: T } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return { problem: 'a frame that is not JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || typeof (parsed as { type?: unknown }).type !== 'string') {
    return { problem: 'a frame without a type' };
  }
  const { v, ...message } = parsed as { v?: unknown; type: string };
  if (v !== WIRE_VERSION) return { problem: `worker protocol ${String(v)} (this side speaks ${WIRE_VERSION})` };
  return { message: message as unknown as T };
}

/** How encodeFrame begins an update frame (`v`, then the message's own `type`, come first). */
const UPDATE_PREFIX = Buffer.from(`{"v":${WIRE_VERSION},"type":"update",`);

/**
 * Whether a frame's bytes begin as encodeFrame begins an update: the master
 * then keeps it unparsed until something needs it (a worker sends one every
 * second; hundreds of them are read in one batch for a view). A frame that
 * only looks like one is still parsed whole, and taken for what it is, when
 * needed.
 */
export function looksLikeUpdate(data: Buffer): boolean {
  return data.length > UPDATE_PREFIX.length && data.subarray(0, UPDATE_PREFIX.length).equals(UPDATE_PREFIX);
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export function proofOf(token: string, nonce: string): string {
  return createHmac('sha256', token).update(nonce).digest('hex');
}

/** Whether `proof` is the token's proof of `nonce`, compared in constant time. */
export function proofHolds(token: string, nonce: string, proof: unknown): boolean {
  if (typeof proof !== 'string') return false;
  const expected = Buffer.from(proofOf(token, nonce), 'utf8');
  const given = Buffer.from(proof, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface AdmissionRules {
  version: string;
  scenarioHash: string;
  token?: string;
  /** The nonce this connection was challenged with. */
  nonce: string;
  count: number;
  /** Indexes already given to other workers. */
  taken: ReadonlySet<number>;
}

/** Whether the master takes this worker, and at which index; else one line saying why not. */
export function admitWorker(hello: Partial<Hello>, rules: AdmissionRules): { index: number } | { refused: string } {
  if (hello.type !== 'hello') return { refused: `expected a hello, got ${String(hello.type)}` };
  if (hello.protocol !== WIRE_VERSION) return { refused: `the worker speaks worker protocol ${String(hello.protocol)}, the master ${WIRE_VERSION}` };
  // The token before anything else: a worker without it learns nothing more about the master.
  if (rules.token === undefined && hello.proof !== undefined) return { refused: 'the worker has a master token and the master has none: set the same MCPLOAD_MASTER_TOKEN on both' };
  if (rules.token !== undefined && !proofHolds(rules.token, rules.nonce, hello.proof)) {
    return { refused: hello.proof === undefined ? 'the master wants a token and the worker has none (MCPLOAD_MASTER_TOKEN)' : 'wrong master token' };
  }
  if (hello.version !== rules.version) return { refused: `the worker runs mcpload ${String(hello.version)}, the master ${rules.version}` };
  if (hello.scenarioHash !== rules.scenarioHash) return { refused: 'the worker has another scenario than the master (file contents or scenario options differ)' };
  const free = Array.from({ length: rules.count }, (_, i) => i).filter((i) => !rules.taken.has(i));
  if (free.length === 0) return { refused: `the master has all its ${rules.count} workers` };
  if (hello.index === undefined) return { index: free[0] ?? 0 };
  if (!Number.isSafeInteger(hello.index) || hello.index < 0 || hello.index >= rules.count) {
    return { refused: `worker index ${String(hello.index)} is outside 0..${rules.count - 1} (--expect-workers ${rules.count})` };
  }
  if (rules.taken.has(hello.index)) return { refused: `worker index ${hello.index} is taken by another worker` };
  return { index: hello.index };
}

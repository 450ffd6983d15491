/**
 * The one HTTP connection pool that every virtual user shares.
 *
 * Why one undici `Agent` for all users, set up this way:
 * - Shared: sockets are per origin, not per user. Sharing lets a finished
 *   request's socket serve any user's next request (keep-alive), so a run
 *   of 1,000 users does not pay 1,000 TCP/TLS handshakes per wave, and the
 *   generator holds as few sockets as the load actually needs. MCP sessions
 *   travel in the `MCP-Session-Id` header, so they do not care which socket
 *   carries them.
 * - `pipelining: 1`: with HTTP/1.1 pipelining a slow reply would hold up the
 *   replies queued behind it on the same socket, and their users would be
 *   charged for a delay the server never caused to them.
 * - No connection cap: a cap would queue requests inside the generator, and
 *   the time spent waiting for a free socket would be reported as server
 *   latency (coordinated omission on our side). Every in-flight request gets
 *   its own connection instead, exactly as independent clients would.
 * - undici's own headers/body timeouts stay at their defaults as a backstop:
 *   each transport enforces its per-request deadline itself.
 * - The general client's POSTs to a plain http:// origin take the pool's
 *   lean HTTP/1.1 sockets (h1-pool.ts) instead, on the same terms; closing
 *   the dispatcher closes them too.
 */
import { Agent, type Dispatcher } from 'undici';
import { H1Pools } from './h1-pool.js';
import type { LeanPost, LeanReply } from './post-reply.js';
import { tlsConnectOptions, type TlsOptions } from './tls-options.js';

export interface DispatcherOptions {
  /** How long to wait for a TCP (and TLS) connection; default 10,000 ms. */
  connectTimeoutMs?: number;
  /** --insecure-skip-tls-verify, --ca-cert, --client-cert/--client-key; the files are read here, once. Throws TlsFileError. */
  tls?: TlsOptions;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** The lean pools, counting the POSTs they are given. */
class CountedH1Pools extends H1Pools {
  sent = 0;

  override post(request: LeanPost): Promise<LeanReply> {
    this.sent++;
    return super.post(request);
  }
}

/** undici's Agent, with the lean sockets for plain http:// POSTs beside it. */
class LoadAgent extends Agent {
  readonly plain: CountedH1Pools;
  /** Requests undici was given (the lean POSTs are counted by `plain`). */
  dispatched = 0;

  constructor(opts: DispatcherOptions) {
    super({
      pipelining: 1,
      connections: null,
      // keepAliveTimeout stays at undici's 4 s (shortened further by the
      // server's `Keep-Alive: timeout=` hint): keeping idle sockets longer than
      // the server does would make POSTs race its close and fail with
      // ECONNRESET, errors that the server did not really cause.
      connect: { timeout: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, ...tlsConnectOptions(opts.tls) },
    });
    this.plain = new CountedH1Pools(opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.dispatched++;
    return super.dispatch(options, handler);
  }

  // Both keep undici's overloads (promise or callback); the lean sockets close first.
  override close(...args: unknown[]): any {
    this.plain.close();
    return (super.close as (...a: unknown[]) => unknown)(...args);
  }

  override destroy(...args: unknown[]): any {
    this.plain.close();
    return (super.destroy as (...a: unknown[]) => unknown)(...args);
  }
}

export function createDispatcher(opts: DispatcherOptions = {}): Dispatcher {
  return new LoadAgent(opts);
}

/** The lean HTTP/1.1 pools of a dispatcher made here (undefined for any other dispatcher: it keeps all its traffic). */
export function plainPools(dispatcher: Dispatcher): H1Pools | undefined {
  return dispatcher instanceof LoadAgent ? dispatcher.plain : undefined;
}

/**
 * HTTP requests sent so far through a dispatcher made here (undefined for any
 * other): read before the load, it tells how many the checks before it sent,
 * which the target counts and the run's figures do not.
 */
export function requestsSent(dispatcher: Dispatcher): number | undefined {
  return dispatcher instanceof LoadAgent ? dispatcher.dispatched + dispatcher.plain.sent : undefined;
}

/**
 * JSON-RPC over a channel where responses arrive apart from requests (a
 * stdio pipe, the legacy SSE stream): ids, waiting calls with their
 * deadlines, and what else arrives in between. Server requests (sampling,
 * elicitation, roots, ping) are answered at once; progress notifications go
 * to the call that named their `progressToken`; a log notification, which
 * names no request, is counted on the most recently sent call.
 *
 * The router does not move bytes: `send` does (write a line, POST a body).
 */
import { CUT_AT_STOP, nowUs, type Recorder, type SampleError } from '../metrics/sample.js';
import { deadlineError } from './errors.js';
import { answerServerRequest, type CallStream, type ServerRequestReplies } from './server-messages.js';

/** Returned when the user was stopped mid-request (the client records the cut: in-flight.ts CutWatch). */
export const CUT = CUT_AT_STOP;

export interface RouterReply {
  message?: Record<string, unknown>;
  bytes: number;
  error?: SampleError;
}

/** Sends one message; resolves with the reason it could not be delivered, or undefined. */
export type SendMessage = (message: object) => Promise<SampleError | undefined>;

interface Pending {
  resolve(reply: RouterReply): void;
  timer: NodeJS.Timeout;
  stream: CallStream | undefined;
  progressToken: string | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class RpcRouter {
  private nextId = 1;
  private nextToken = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly byToken = new Map<string, CallStream>();
  private lastStream: CallStream | undefined;

  constructor(
    private readonly send: SendMessage,
    /** Where answers to server requests are recorded (type `reply`, named by the method). */
    private readonly recorder: Recorder,
    private readonly replies: ServerRequestReplies | undefined,
    private readonly timeoutMs: number,
  ) {}

  /** A progress token unique on this channel. */
  newProgressToken(): string {
    return `p${this.nextToken++}`;
  }

  /** Sends a request and waits for its response, the deadline, a failure of the channel, or the user's stop. */
  async call(method: string, params: object | undefined, signal?: AbortSignal, stream?: CallStream, progressToken?: string): Promise<RouterReply> {
    if (signal?.aborted) return { bytes: 0, error: CUT };
    const id = this.nextId++;
    const reply = new Promise<RouterReply>((resolve) => {
      const timer = setTimeout(() => {
        const p = this.pending.get(id);
        if (p === undefined) return;
        this.settle(id, p, { bytes: 0, error: deadlineError(this.timeoutMs) });
        // Spec (utilities/cancellation): tell the server to stop working on it.
        void this.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'client timeout' } });
      }, this.timeoutMs);
      const onAbort = signal === undefined ? undefined : () => {
        const p = this.pending.get(id);
        if (p !== undefined) this.settle(id, p, { bytes: 0, error: CUT });
      };
      if (onAbort !== undefined) signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, { resolve, timer, stream, progressToken, signal, onAbort });
      if (progressToken !== undefined && stream !== undefined) this.byToken.set(progressToken, stream);
      if (stream !== undefined) this.lastStream = stream;
    });
    const problem = await this.send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    if (problem !== undefined) {
      const p = this.pending.get(id);
      if (p !== undefined) this.settle(id, p, { bytes: 0, error: problem });
    }
    return reply;
  }

  /** Fails every waiting call with `error` (the process exited, the stream closed). */
  failAll(error: SampleError): void {
    for (const [id, p] of this.pending) this.settle(id, p, { bytes: 0, error });
  }

  /** One message from the server. */
  onMessage(message: Record<string, unknown>, bytes: number): void {
    const method = message.method;
    if (typeof method !== 'string') {
      // A response: to one of ours, or late (timed out, cut) and dropped.
      const id = message.id;
      const p = typeof id === 'number' ? this.pending.get(id) : undefined;
      if (p !== undefined) this.settle(id as number, p, { message, bytes });
      return;
    }
    if ('id' in message) {
      const reply = answerServerRequest(message, this.replies);
      if (reply === undefined) return;
      const start = nowUs();
      void this.send(reply).then((problem) => this.recorder.record('reply', method, nowUs() - start, 0, problem));
      return;
    }
    if (method === 'notifications/progress') {
      const token = (message.params as { progressToken?: unknown } | undefined)?.progressToken;
      if (token !== undefined) this.byToken.get(String(token))?.onMessage(message);
    } else if (method === 'notifications/message') {
      this.lastStream?.onMessage(message);
    }
  }

  private settle(id: number, p: Pending, reply: RouterReply): void {
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (p.onAbort !== undefined) p.signal?.removeEventListener('abort', p.onAbort);
    if (p.progressToken !== undefined) this.byToken.delete(p.progressToken);
    if (this.lastStream === p.stream) this.lastStream = undefined;
    p.resolve(reply);
  }
}

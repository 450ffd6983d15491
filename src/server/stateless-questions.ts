/**
 * `serve --stateless`: a server lives for one request, and asks the client
 * its questions (sampling, elicitation, roots) on that request's SSE stream.
 * The client's answer comes back in a POST of its own, which no session ties
 * to the server that asked; and every per-request server numbers its
 * questions from 0, so two calls asking at once would clash.
 *
 * The router gives each question an id of its own (random, so that no other
 * client can answer it), and hands an answer back to the server that asked,
 * under the id that server used. A JSON reply (`--json-response`) has no
 * stream to carry a question: asking fails at once instead of waiting for an
 * answer that cannot come.
 */
import { randomBytes } from 'node:crypto';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';

interface Asker {
  transport: Transport;
  id: RequestId;
}

const NO_STREAM = 'a JSON reply cannot carry a question to the client (stateless --json-response has no stream for it)';

function isQuestion(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId; method: string } {
  return 'method' in message && 'id' in message;
}

function isAnswer(message: unknown): message is { id: RequestId } {
  if (typeof message !== 'object' || message === null || 'method' in message) return false;
  return 'id' in message && ('result' in message || 'error' in message);
}

export class QuestionRouter {
  private readonly waiting = new Map<string, Asker>();

  constructor(private readonly jsonResponse: boolean) {}

  /** Questions asked now. */
  get size(): number {
    return this.waiting.size;
  }

  /**
   * Routes the questions a per-request transport sends. Returns the function
   * that forgets them, for when the request's reply has ended.
   */
  attach(transport: Transport): () => void {
    const send = transport.send.bind(transport);
    const mine = new Set<string>();
    transport.send = async (message, options) => {
      if (!isQuestion(message)) return send(message, options);
      if (this.jsonResponse) throw new Error(NO_STREAM);
      const routed = randomBytes(12).toString('base64url');
      this.waiting.set(routed, { transport, id: message.id });
      mine.add(routed);
      return send({ ...message, id: routed }, options);
    };
    return () => {
      for (const id of mine) this.waiting.delete(id);
      mine.clear();
    };
  }

  /**
   * A POST body made of answers to routed questions (one, or a batch): each
   * handed to the server that asked. False, leaving the body untouched, when
   * anything in it is not such an answer.
   */
  route(body: unknown): boolean {
    const messages = Array.isArray(body) ? body : [body];
    if (messages.length === 0 || !messages.every((m) => isAnswer(m) && this.waiting.has(String(m.id)))) return false;
    for (const message of messages as Array<{ id: RequestId }>) {
      const asker = this.waiting.get(String(message.id))!;
      this.waiting.delete(String(message.id));
      asker.transport.onmessage?.({ ...message, id: asker.id } as JSONRPCMessage);
    }
    return true;
  }
}

/**
 * The SDK transport's `EventStore` for one stateful session (SEP-1699, SSE
 * polling): every SSE event gets an id, and a client whose stream was cut
 * (or closed by the server, as `test_reconnection` does) resumes with
 * `Last-Event-ID` and gets what it missed. Bounded: the session keeps its
 * last MAX_EVENTS events, so a long session cannot grow without limit; a
 * resumption from further back replays what is left.
 */
import type { EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

const MAX_EVENTS = 256;

interface StoredEvent { id: string; streamId: string; message: JSONRPCMessage }

export class SessionEventStore implements EventStore {
  private readonly events: StoredEvent[] = [];
  private next = 0;

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    // The stream id is part of the event id, so a resumption names its stream even after the event was dropped.
    const id = `${streamId}_${this.next++}`;
    this.events.push({ id, streamId, message });
    if (this.events.length > MAX_EVENTS) this.events.shift();
    return id;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    const cut = eventId.lastIndexOf('_');
    return cut > 0 ? eventId.slice(0, cut) : undefined;
  }

  async replayEventsAfter(lastEventId: string, { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> }): Promise<string> {
    const streamId = (await this.getStreamIdForEventId(lastEventId)) ?? '';
    const after = Number(lastEventId.slice(lastEventId.lastIndexOf('_') + 1));
    for (const event of this.events) {
      // Priming events hold no message (an empty object): nothing to replay.
      if (event.streamId !== streamId || Number(event.id.slice(event.id.lastIndexOf('_') + 1)) <= after) continue;
      if (Object.keys(event.message).length === 0) continue;
      await send(event.id, event.message);
    }
    return streamId;
  }
}

/**
 * `subscriptions/listen` (2026-07-28, basic/patterns/subscriptions): each
 * listen request keeps its SSE response open and gets, first, the
 * `notifications/subscriptions/acknowledged` naming what the server agreed
 * to send, then only the notification types its filter asked for, each
 * tagged with the subscription id (the listen request's JSON-RPC id).
 * Resource subscriptions start a watch per URI; list changes are announced
 * to every listener that asked for them. On shutdown each stream gets the
 * final `SubscriptionsListenResult` and ends. The number of open streams is
 * bounded, like the session table.
 */
import type { ServerResponse } from 'node:http';
import { META_SUBSCRIPTION_ID } from '../protocol/rev-2026-07-28.js';
import { sendJson } from './http-util.js';

type ListKind = 'toolsListChanged' | 'promptsListChanged' | 'resourcesListChanged';
const LIST_KINDS: readonly ListKind[] = ['toolsListChanged', 'promptsListChanged', 'resourcesListChanged'];
const LIST_METHOD: Readonly<Record<ListKind, string>> = {
  toolsListChanged: 'notifications/tools/list_changed',
  promptsListChanged: 'notifications/prompts/list_changed',
  resourcesListChanged: 'notifications/resources/list_changed',
};
/** An SSE comment this often keeps idle proxies from cutting a quiet stream. */
const KEEPALIVE_MS = 25_000;
/** At most this many URIs per listen request (each may start a watch). */
const MAX_SUBSCRIPTIONS = 100;

export interface ListenFilter {
  toolsListChanged?: true;
  promptsListChanged?: true;
  resourcesListChanged?: true;
  resourceSubscriptions?: string[];
}

interface Listener {
  id: string | number;
  res: ServerResponse;
  filter: ListenFilter;
  stops: Array<() => void>;
}

export interface ListenHubOptions {
  maxListeners: number;
  /** Starts watching `uri` (calls `changed` on every update); undefined when the URI never changes. */
  watch(uri: string, changed: () => void): (() => void) | undefined;
}

/** The filter as agreed: the list kinds asked for with `true`, and at most MAX_SUBSCRIPTIONS string URIs. */
export function agreedFilter(requested: unknown): ListenFilter | undefined {
  if (typeof requested !== 'object' || requested === null || Array.isArray(requested)) return undefined;
  const asked = requested as Record<string, unknown>;
  const filter: ListenFilter = {};
  for (const kind of LIST_KINDS) if (asked[kind] === true) filter[kind] = true;
  const uris = asked.resourceSubscriptions;
  if (uris !== undefined) {
    if (!Array.isArray(uris) || uris.length > MAX_SUBSCRIPTIONS || !uris.every((u) => typeof u === 'string')) return undefined;
    if (uris.length > 0) filter.resourceSubscriptions = [...new Set(uris as string[])];
  }
  return filter;
}

export class ListenHub {
  private readonly listeners = new Set<Listener>();
  private readonly keepalive: NodeJS.Timeout;

  constructor(private readonly opts: ListenHubOptions) {
    this.keepalive = setInterval(() => {
      for (const l of this.listeners) l.res.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  get size(): number {
    return this.listeners.size;
  }

  /** Opens the stream and acknowledges it; false (after answering 503) when too many are open. */
  open(res: ServerResponse, id: string | number, filter: ListenFilter): boolean {
    if (this.listeners.size >= this.opts.maxListeners) {
      sendJson(res, 503, { jsonrpc: '2.0', id, error: { code: -32000, message: 'Server busy: too many subscriptions/listen streams open, retry later' } });
      return false;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    const listener: Listener = { id, res, filter, stops: [] };
    this.listeners.add(listener);
    this.send(listener, 'notifications/subscriptions/acknowledged', { notifications: filter });
    for (const uri of filter.resourceSubscriptions ?? []) {
      const stop = this.opts.watch(uri, () => this.send(listener, 'notifications/resources/updated', { uri }));
      if (stop) listener.stops.push(stop);
    }
    res.once('close', () => this.drop(listener));
    return true;
  }

  /** Tells every listener that asked for it that a list changed. */
  listChanged(kind: ListKind): void {
    for (const l of this.listeners) if (l.filter[kind]) this.send(l, LIST_METHOD[kind], {});
  }

  /** Ends every stream with its final result (the graceful end the schema defines). */
  close(): void {
    clearInterval(this.keepalive);
    for (const l of [...this.listeners]) {
      const done = { jsonrpc: '2.0', id: l.id, result: { resultType: 'complete', _meta: { [META_SUBSCRIPTION_ID]: l.id } } };
      l.res.end(`event: message\ndata: ${JSON.stringify(done)}\n\n`);
      this.drop(l);
    }
  }

  private send(l: Listener, method: string, params: Record<string, unknown>): void {
    const message = { jsonrpc: '2.0', method, params: { ...params, _meta: { [META_SUBSCRIPTION_ID]: l.id } } };
    l.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  private drop(l: Listener): void {
    if (!this.listeners.delete(l)) return;
    for (const stop of l.stops) stop();
  }
}

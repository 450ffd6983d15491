/**
 * The `fetch` handed to the SDK's OAuth client code: undici's, on the run's
 * dispatcher (same TLS trust and client certificate as the MCP requests),
 * with a deadline, and every exchange recorded as one sample of type `OAUTH`
 * so that the authorization path is load-tested beside the MCP calls:
 * `token`, `register`, `protected-resource metadata`,
 * `authorization-server metadata`, `authorize`.
 *
 * Error details are the status and the OAuth error code only
 * (`HTTP 400 invalid_grant`): never a body, header or URL, which may carry
 * a secret.
 */
import { fetch as undiciFetch, type Dispatcher } from 'undici';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { nowUs, type Recorder, type SampleError } from '../../metrics/sample.js';
import { classifyNetworkError, fixedError } from '../errors.js';

export const OAUTH_TYPE = 'OAUTH';

export interface OAuthFetchContext {
  dispatcher: Dispatcher;
  recorder: Recorder;
  timeoutMs: number;
}

/** The row a request belongs to, from what it is (the SDK makes each kind one way). */
function rowName(url: URL, method: string, contentType: string | null): string {
  if (method === 'GET') {
    return /oauth-authorization-server|openid-configuration/.test(url.pathname) ? 'authorization-server metadata' : 'protected-resource metadata';
  }
  return contentType?.includes('json') === true ? 'register' : 'token';
}

/** `HTTP 400 invalid_grant`: the status and the RFC 6749 error code, when the body has a plausible one. */
function statusError(status: number, body: Buffer): SampleError {
  let code = '';
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: unknown };
    if (typeof parsed?.error === 'string' && /^[A-Za-z0-9_.:-]{1,60}$/.test(parsed.error)) code = ` ${parsed.error}`;
  } catch {
    // not JSON: the status alone
  }
  return fixedError('http', `HTTP ${status}${code}`);
}

/**
 * A FetchLike that records one `OAUTH` sample per request. `name` fixes the
 * row (the authorization redirect); otherwise it is told from the request.
 * 404 on a metadata URL is recorded without error: discovery tries several
 * well-known paths in turn, and a miss there is how it works, not a failure.
 */
export function recordingFetch(ctx: OAuthFetchContext, name?: string): FetchLike {
  const run = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init?.headers);
    const row = name ?? rowName(url, method, headers.get('content-type'));
    const signals = [AbortSignal.timeout(ctx.timeoutMs)];
    if (init?.signal) signals.push(init.signal);
    const start = nowUs();
    try {
      const res = await undiciFetch(url, {
        method,
        headers: init?.headers as Record<string, string> | undefined,
        body: init?.body as string | URLSearchParams | undefined,
        redirect: init?.redirect ?? 'follow',
        signal: AbortSignal.any(signals),
        dispatcher: ctx.dispatcher,
      });
      const body = Buffer.from(await res.arrayBuffer());
      const took = nowUs() - start;
      const failed = res.status >= 400 && !(method === 'GET' && name === undefined && res.status === 404);
      ctx.recorder.record(OAUTH_TYPE, row, took, body.length, failed ? statusError(res.status, body) : undefined);
      // The SDK reads the body again: hand it a fresh response over the bytes read, of
      // the global class (its `instanceof Response` checks fail on undici's own).
      const out = new globalThis.Response(res.status === 204 || res.status === 304 ? null : body, { status: res.status, statusText: res.statusText, headers: [...res.headers] });
      Object.defineProperty(out, 'url', { value: res.url });
      return out;
    } catch (err) {
      ctx.recorder.record(OAUTH_TYPE, row, nowUs() - start, 0, classifyNetworkError(err));
      throw err;
    }
  };
  return run as unknown as FetchLike;
}

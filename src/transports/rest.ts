/**
 * A plain HTTP/JSON client for a server's REST face (health, status,
 * discovery...) and for security probes: routes that must stay closed.
 * One instance per virtual user; every request is one sample and nothing
 * throws for network or protocol failures.
 */
import type { Dispatcher } from 'undici';
import { CUT_AT_STOP, nowUs, type Recorder, type SampleError } from '../metrics/sample.js';
import { refusedStatusesFor } from '../protocol/sensitive-routes.js';
import { classifyNetworkError, deadlineError, fixedError, httpStatusError, shortText } from './errors.js';
import { InFlight, MAX_TIMER_MS } from './in-flight.js';
import { DEFAULT_MAX_BODY_BYTES, readCapped } from './read-body.js';
import { takeLatencyOrigin, type IterationTiming } from './iteration-timing.js';
import type { RequestTracer } from './request-tracer.js';

export interface RestOutcome {
  ok: boolean;
  /** HTTP status; 0 when no response came (connection error, timeout). */
  status: number;
  /** The parsed body, when the server said it is JSON. */
  json?: any;
  error?: SampleError;
}

export interface RestRequestOptions {
  /** Sent JSON-encoded with `Content-Type: application/json`. */
  body?: unknown;
  /** Sample name; default the path. */
  name?: string;
  /** Sample type; default the HTTP method. */
  type?: string;
  /** Statuses that count as success; default any 2xx (for a probe: 401/403/404, and 405 for DELETE/PUT/PATCH). */
  expectStatus?: readonly number[];
  /** A returned text becomes a `check` error. */
  validate?: (json: any, status: number) => string | undefined;
  /** A must-be-refused request: type `SECURITY`, name `METHOD path`, a non-refusal is a `security` error. */
  securityProbe?: boolean;
}

export interface RestClientOptions {
  /** Origin plus an optional base path, e.g. http://127.0.0.1:8000 or http://127.0.0.1:8000/api/v1 */
  baseUrl: string;
  recorder: Recorder;
  dispatcher: Dispatcher;
  /** Per-request deadline; default 30,000 ms. */
  timeoutMs?: number;
  /** Extra headers (e.g. Authorization). Their values never appear in error details. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Cap on a buffered reply; default 16 MiB. */
  maxBodyBytes?: number;
  /** Open-model runs: the iteration's intended start and the service-time recorder (see iteration-timing.ts). */
  timing?: IterationTiming;
  /** Gets each reply's time to first byte (send to response headers), beside the full-reply sample. */
  firstByte?: Recorder;
  /** `--otel`: a `traceparent` per request, the ids of the span exported for its sample (request-tracer.ts). */
  trace?: RequestTracer;
}

const INVALID_JSON = fixedError('http', 'invalid JSON');
const TOO_LARGE = fixedError('http', 'response too large');
const BAD_BODY = fixedError('check', 'request body is not JSON-serialisable');
const VALIDATE_THREW = fixedError('check', 'validate threw');
/** Returned when the user was stopped mid-request; the cut sample is recorded by InFlight (in-flight.ts). */
const CUT = CUT_AT_STOP;

export class RestClient {
  private readonly recorder: Recorder;
  private readonly dispatcher: Dispatcher;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly timeoutError: SampleError;
  private readonly maxBodyBytes: number;
  private readonly inFlight: InFlight;
  private readonly timing: IterationTiming | undefined;
  private readonly firstByte: Recorder | undefined;
  private readonly trace: RequestTracer | undefined;
  /** Prebuilt: without a body, and with a JSON body. */
  private readonly plainHeaders: Record<string, string>;
  private readonly jsonHeaders: Record<string, string>;

  constructor(opts: RestClientOptions) {
    let url: URL;
    try {
      url = new URL(opts.baseUrl);
    } catch {
      throw new Error(`REST base URL is not a valid URL: ${JSON.stringify(opts.baseUrl)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`REST base URL must be http:// or https://, got ${url.protocol}`);
    }
    this.recorder = opts.recorder;
    this.dispatcher = opts.dispatcher;
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    // setTimeout cannot wait longer than 2^31-1 ms (it would fire at once).
    if (!(this.timeoutMs > 0 && this.timeoutMs <= MAX_TIMER_MS)) {
      throw new Error(`timeoutMs must be between 1 and ${MAX_TIMER_MS}, got ${opts.timeoutMs}`);
    }
    this.timeoutError = deadlineError(this.timeoutMs);
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.inFlight = new InFlight(opts.signal, opts.recorder, opts.timing);
    this.timing = opts.timing;
    this.firstByte = opts.firstByte;
    this.trace = opts.trace;
    const plain: Record<string, string> = {};
    for (const [key, value] of Object.entries(opts.headers ?? {})) plain[key.toLowerCase()] = value;
    plain.accept ??= 'application/json';
    this.plainHeaders = plain;
    this.jsonHeaders = { ...plain, 'content-type': 'application/json' };
  }

  get(path: string, opts?: Omit<RestRequestOptions, 'body'>): Promise<RestOutcome> {
    return this.request('GET', path, opts);
  }

  post(path: string, body: unknown, opts?: Omit<RestRequestOptions, 'body'>): Promise<RestOutcome> {
    return this.request('POST', path, opts === undefined ? { body } : { ...opts, body });
  }

  /** One request, one sample. `path` is relative to the base URL's path and may carry a query. */
  async request(method: string, path: string, opts: RestRequestOptions = {}): Promise<RestOutcome> {
    const upper = method.toUpperCase();
    const probe = opts.securityProbe === true;
    const type = probe ? 'SECURITY' : (opts.type ?? upper);
    const name = probe ? `${upper} ${path}` : (opts.name ?? path);
    if (this.inFlight.isCut) return { ok: false, status: 0, error: CUT };

    let payload: string | undefined;
    if (opts.body !== undefined) {
      try {
        payload = JSON.stringify(opts.body);
      } catch {
        this.recorder.record(type, name, 0, 0, BAD_BODY);
        return { ok: false, status: 0, error: BAD_BODY };
      }
    }
    const deadline = this.inFlight.start(this.timeoutMs);
    const start = nowUs();
    const origin = takeLatencyOrigin(this.timing, start);
    deadline.recordAs(type, name, start, origin);
    const traceparent = this.trace?.start();
    const prebuilt = payload === undefined ? this.plainHeaders : this.jsonHeaders;
    let status = 0;
    let bytes = 0;
    let data: Buffer | undefined;
    let contentType: string | string[] | undefined;
    let error: SampleError | undefined;
    let firstByteAt = 0;
    try {
      const res = await this.dispatcher.request({
        origin: this.origin,
        path: path.startsWith('/') ? this.basePath + path : `${this.basePath}/${path}`,
        method: upper as Dispatcher.HttpMethod,
        headers: traceparent === undefined ? prebuilt : { ...prebuilt, traceparent },
        body: payload,
        signal: deadline.signal,
      });
      firstByteAt = nowUs();
      status = res.statusCode;
      contentType = res.headers['content-type'];
      const body = await readCapped(res.body, this.maxBodyBytes);
      bytes = body.bytes;
      if (body.tooLarge) error = TOO_LARGE;
      data = body.data;
    } catch (err) {
      error = deadline.timedOut ? this.timeoutError : deadline.cut ? CUT : classifyNetworkError(err);
    } finally {
      this.inFlight.finish(deadline);
    }
    const end = nowUs();
    if (deadline.cut) return { ok: false, status: 0, error: CUT };

    let json: unknown;
    if (error === undefined && data !== undefined && isJson(contentType)) {
      try {
        json = JSON.parse(data.toString('utf8'));
      } catch {
        // A refused probe may well answer with a broken error page; that is still a refusal.
        if (!probe) error = INVALID_JSON;
      }
    }
    if (error === undefined) error = statusCheck(upper, path, status, opts.expectStatus, probe);
    if (error === undefined && opts.validate !== undefined) error = this.runCheck(opts.validate, json, status, type, name);
    if (traceparent !== undefined) this.trace!.recording(traceparent);
    this.recorder.record(type, name, end - origin, bytes, error);
    this.timing?.service.record(type, name, end - start, bytes, error);
    // A refused probe's first byte says nothing about the server's replies.
    if (firstByteAt !== 0 && !probe) this.firstByte?.record(type, name, firstByteAt - start, 0);
    const outcome: RestOutcome = { ok: error === undefined, status };
    if (json !== undefined) outcome.json = json;
    if (error !== undefined) outcome.error = error;
    return outcome;
  }

  private runCheck(validate: NonNullable<RestRequestOptions['validate']>, json: unknown, status: number, type: string, name: string): SampleError | undefined {
    try {
      const failure = validate(json, status);
      if (failure === undefined) this.recorder.checkPassed?.(type, name);
      return failure === undefined ? undefined : fixedError('check', shortText(failure));
    } catch (err) {
      this.recorder.exception(err, `validate ${type} ${name}`);
      return VALIDATE_THREW;
    }
  }
}

function isJson(contentType: string | string[] | undefined): boolean {
  return typeof contentType === 'string' && contentType.includes('json');
}

function statusCheck(method: string, path: string, status: number, expect: readonly number[] | undefined, probe: boolean): SampleError | undefined {
  if (probe) {
    const refused = expect ?? refusedStatusesFor(method);
    if (refused.includes(status)) return undefined;
    // Path and statuses are the probe's own, fixed text: the group stays one per probe.
    return fixedError('security', `${method} ${path} answered ${status}, expected ${refused.join('/')}`);
  }
  if (expect === undefined ? status >= 200 && status <= 299 : expect.includes(status)) return undefined;
  return httpStatusError(status);
}

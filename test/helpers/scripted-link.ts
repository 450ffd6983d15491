import type { ResultCheck, RpcOutcome } from '../../src/transports/mcp-client.js';
import type { DialectLink } from '../../src/transports/wire-dialect.js';
import { SampleLog } from './recorder.js';

export interface SentRequest {
  method: string;
  params: object | undefined;
  name: string;
  validate: ResultCheck | undefined;
  flags: number;
}

/**
 * A DialectLink that answers each request from a script (by method) and
 * keeps what the dialect sent: for testing a dialect's own logic without
 * the client and the wire around it.
 */
export class ScriptedLink implements DialectLink {
  readonly endpointPath = '/mcp';
  readonly recorder = new SampleLog();
  readonly sent: SentRequest[] = [];
  readonly notified: Array<{ method: string; params: object | undefined; record: boolean | undefined }> = [];
  exchangeHeaders: Record<string, string | string[] | undefined> = {};

  constructor(private readonly script: Record<string, Array<(params: object | undefined) => RpcOutcome>>) {}

  exchange(method: string, params: object | undefined, name: string, validate: ResultCheck | undefined, flags: number): Promise<RpcOutcome> {
    this.sent.push({ method, params, name, validate, flags });
    const answer = this.script[method]?.shift();
    if (answer === undefined) throw new Error(`no scripted answer for ${method}`);
    const out = answer(params);
    // As the client does: a check given is run on a successful result.
    const failure = out.ok && validate !== undefined ? validate(out.result) : undefined;
    return Promise.resolve(failure === undefined ? out : { ok: false, error: { kind: 'check', detail: failure } });
  }

  notify(method: string, params?: object, record?: boolean): Promise<boolean> {
    this.notified.push({ method, params, record });
    return Promise.resolve(true);
  }
}

export const result = (value: unknown) => (): RpcOutcome => ({ ok: true, result: value });

/**
 * Turning one JSON-RPC response into a sample's outcome, for the transports
 * that get whole messages (stdio, legacy SSE): a JSON-RPC error, a tool
 * result with `isError: true`, or a failed scenario check each become a
 * classified `SampleError` with a short, stable detail.
 */
import type { Recorder, SampleError } from '../metrics/sample.js';
import { fixedError, shortText } from './errors.js';
import type { ExpectedError, ResultCheck, RpcOutcome } from './mcp-client.js';

export const INVALID_RESPONSE = fixedError('jsonrpc', 'invalid response');
const VALIDATE_THREW = fixedError('check', 'validate threw');

/** `jsonrpc: -32601 Method not found` (message shortened). */
export function jsonRpcError(rpcError: unknown): SampleError {
  if (typeof rpcError !== 'object' || rpcError === null) return INVALID_RESPONSE;
  const { code, message } = rpcError as { code?: unknown; message?: unknown };
  const codeText = typeof code === 'number' ? String(code) : 'no code';
  return fixedError('jsonrpc', typeof message === 'string' && message.length > 0 ? `${codeText} ${shortText(message)}` : codeText);
}

/** A `tools/call` result with `isError: true` → `tool` error with its first text, shortened. */
export function toolError(result: unknown): SampleError | undefined {
  if (typeof result !== 'object' || result === null || (result as { isError?: unknown }).isError !== true) return undefined;
  const content = (result as { content?: unknown }).content;
  if (Array.isArray(content)) {
    for (const part of content) {
      const text = (part as { type?: unknown; text?: unknown } | null)?.text;
      if ((part as { type?: unknown } | null)?.type === 'text' && typeof text === 'string' && text.trim().length > 0) {
        return fixedError('tool', shortText(text));
      }
    }
  }
  return fixedError('tool', 'isError without text');
}

/** A result where the caller expected an error (RpcOptions.expectError). */
export const UNEXPECTED_RESULT = fixedError('check', 'a result where an error was expected');

/** Whether `error` is the expected answer: a JSON-RPC error (`rpcInBody`: an HTTP error whose body held one), or a tool's isError. */
export function isExpectedError(expect: ExpectedError, error: SampleError, rpcInBody = false): boolean {
  return expect === 'tool' ? error.kind === 'tool' : error.kind === 'jsonrpc' || (error.kind === 'http' && rpcInBody);
}

/**
 * A finished request under `expectError`: the sample's error and the
 * caller's outcome. The expected error is a passed check and no sample
 * error; a result is a `check` error.
 */
export function judgeExpected(
  expect: ExpectedError, error: SampleError | undefined, rpcInBody: boolean, passed: () => void,
): { sampleError: SampleError | undefined; outcome: RpcOutcome } {
  if (error === undefined) return { sampleError: UNEXPECTED_RESULT, outcome: { ok: false, error: UNEXPECTED_RESULT } };
  if (!isExpectedError(expect, error, rpcInBody)) return { sampleError: error, outcome: { ok: false, error } };
  passed();
  return { sampleError: undefined, outcome: { ok: false, error, expected: true } };
}

export interface Interpreted {
  error: SampleError | undefined;
  result: unknown;
}

/**
 * Reads a response message: its error, or its result checked (tool error
 * when `isToolCall`, then `validate`). A throwing `validate` is reported to
 * the recorder as an exception and counted as a `check` failure.
 */
export function interpretResponse(
  message: Record<string, unknown>, isToolCall: boolean, validate: ResultCheck | undefined, recorder: Recorder, where: string,
  checked?: { type: string; name: string },
): Interpreted {
  if (message.error !== undefined) return { error: jsonRpcError(message.error), result: undefined };
  if (!('result' in message)) return { error: INVALID_RESPONSE, result: undefined };
  const result = message.result;
  let error = isToolCall ? toolError(result) : undefined;
  if (error === undefined && validate !== undefined) {
    try {
      const failure = validate(result);
      if (failure !== undefined) error = fixedError('check', shortText(failure));
      else if (checked) recorder.checkPassed?.(checked.type, checked.name);
    } catch (err) {
      recorder.exception(err, `validate ${where}`);
      error = VALIDATE_THREW;
    }
  }
  return { error, result };
}

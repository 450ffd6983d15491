/**
 * `mcpload record`: starts the recording proxy (Streamable HTTP, or stdio
 * around a server command), writes the recording until SIGINT/SIGTERM (or,
 * over stdio, until the server or the client ends), then ends the open
 * sessions and closes the file.
 */
import path from 'node:path';
import { onStopSignal } from '../process/stop-signals.js';
import { RECORDING_FORMAT, RECORDING_VERSION, type RecordingHeader } from '../protocol/recording.js';
import { HEADER_ALLOWLIST, Redactor } from '../protocol/recording-redaction.js';
import { isLoopbackHostname } from '../server/route-guard.js';
import { VERSION } from '../version.js';
import { RecordingWriter } from './recording-writer.js';
import { RunSetupError } from './run-setup-error.js';

export interface RecordOptions {
  out: string;
  redact: string[];
  /** HTTP mode: where to listen and where to forward. */
  listenHost?: string;
  listenPort?: number;
  upstream?: string;
  /** stdio mode: the server command. */
  command?: string[];
  quiet?: boolean;
}

/** The printed line that says the proxy is up (tests and scripts wait for it). */
export const RECORD_READY_PREFIX = 'mcpload record: listening on ';

function redactorFrom(patterns: string[]): Redactor {
  try {
    return new Redactor({ patterns });
  } catch (err) {
    throw new RunSetupError((err as Error).message);
  }
}

function upstreamUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RunSetupError(`--upstream ${value} is not a URL (expected e.g. http://127.0.0.1:8000/mcp)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RunSetupError(`--upstream must be http:// or https://, got ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw new RunSetupError('--upstream must not carry a user or password: the client\'s own credentials are forwarded');
  return url;
}

function header(transport: RecordingHeader['transport'], upstream: string, redactor: Redactor): RecordingHeader {
  return {
    format: RECORDING_FORMAT, version: RECORDING_VERSION, createdAt: new Date().toISOString(), transport, upstream,
    redaction: { headerAllowlist: [...HEADER_ALLOWLIST], patterns: redactor.patternCount }, recorder: `mcpload ${VERSION}`,
  };
}

async function openWriter(out: string, head: RecordingHeader, redactor: Redactor): Promise<RecordingWriter> {
  try {
    return await RecordingWriter.open(out, head, redactor);
  } catch (err) {
    throw new RunSetupError(`cannot write ${out}: ${(err as Error).message}`);
  }
}

export async function runRecord(opts: RecordOptions): Promise<number> {
  const redactor = redactorFrom(opts.redact);
  if (opts.command !== undefined && opts.command.length > 0) {
    const { recordStdio } = await import('./record-stdio.js');
    const writer = await openWriter(opts.out, header('stdio', path.basename(opts.command[0]!), redactor), redactor);
    return recordStdio(opts.command, writer);
  }
  if (opts.upstream === undefined) throw new RunSetupError('record needs --upstream URL (Streamable HTTP) or a server command after -- (stdio)');
  const upstream = upstreamUrl(opts.upstream);
  const safeUpstream = `${upstream.origin}${upstream.pathname}`;
  const writer = await openWriter(opts.out, header('streamable-http', safeUpstream, redactor), redactor);
  const log = (line: string) => process.stderr.write(`[mcpload record] ${line}\n`);
  const { startRecordProxy } = await import('./record-proxy.js');
  let proxy;
  try {
    proxy = await startRecordProxy({ host: opts.listenHost ?? '127.0.0.1', port: opts.listenPort ?? 9000, upstream, writer, redactor, log });
  } catch (err) {
    await writer.close('recording-stopped');
    throw new RunSetupError(`cannot listen on ${opts.listenHost ?? '127.0.0.1'}:${opts.listenPort ?? 9000}: ${(err as Error).message}`);
  }
  process.stdout.write(`${RECORD_READY_PREFIX}${proxy.url} → ${safeUpstream}, writing ${opts.out}\n`);
  const listenHost = opts.listenHost ?? '127.0.0.1';
  if (!isLoopbackHostname(listenHost) && listenHost !== '::1') log(`warning: listening on ${opts.listenHost}, reachable from other machines: anyone there can use the upstream through it`);
  await new Promise<void>((resolve) => {
    const signals = onStopSignal((signal) => {
      signals.close();
      if (!opts.quiet) log(`${signal} received: closing the recording`);
      resolve();
    });
  });
  await proxy.close();
  await writer.close('recording-stopped');
  if (writer.error !== undefined) {
    log(`the recording is incomplete: ${writer.error.message}`);
    return 1;
  }
  if (!opts.quiet) log(`${writer.sessionCount} session(s) written to ${opts.out}`);
  return 0;
}

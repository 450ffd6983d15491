/**
 * How the generator trusts (and proves itself to) an HTTPS target. Set by
 * --insecure-skip-tls-verify, --ca-cert, --client-cert and --client-key in
 * every command that talks to a server. File paths, not contents: the files
 * are read once when the connection pool is made.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates } from 'node:tls';

export interface TlsOptions {
  /** Accept any certificate (self-signed staging servers); never the default. */
  insecureSkipVerify?: boolean;
  /** PEM file with extra CA certificates to trust besides the system's. */
  caCertFile?: string;
  /** PEM client certificate and key for mutual TLS. */
  clientCertFile?: string;
  clientKeyFile?: string;
}

/** What undici's `connect` and `tls.connect` take: the files' contents, read once. */
export interface TlsConnectOptions {
  rejectUnauthorized?: boolean;
  ca?: string[];
  cert?: string;
  key?: string;
}

/** A TLS file that cannot be read or used; the message names the flag and the file, never the contents. */
export class TlsFileError extends Error {}

const fileCache = new Map<string, string>();

function readOnce(flag: string, file: string): string {
  let text = fileCache.get(file);
  if (text === undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new TlsFileError(`${flag} ${file}: cannot read it (${(err as NodeJS.ErrnoException)?.code ?? 'unknown error'})`);
    }
    fileCache.set(file, text);
  }
  return text;
}

/** OpenSSL's reason, without anything from the file itself (its messages name routines, not contents). */
function reasonOf(err: unknown): string {
  const e = err as { code?: unknown; reason?: unknown; message?: unknown };
  return typeof e.reason === 'string' ? e.reason : typeof e.code === 'string' ? e.code : 'invalid';
}

/** Fails now, with the flag named, rather than at every connection of the run. */
function checkUsable(tls: TlsOptions, out: TlsConnectOptions): void {
  if (tls.caCertFile !== undefined) {
    const pem = readOnce('--ca-cert', tls.caCertFile);
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new TlsFileError(`--ca-cert ${tls.caCertFile}: no PEM certificate in it`);
    try {
      createSecureContext({ ca: pem });
    } catch (err) {
      throw new TlsFileError(`--ca-cert ${tls.caCertFile}: not a usable PEM certificate (${reasonOf(err)})`);
    }
  }
  if (out.cert !== undefined || out.key !== undefined) {
    try {
      createSecureContext({ cert: out.cert, key: out.key });
    } catch (err) {
      throw new TlsFileError(`--client-cert ${tls.clientCertFile ?? ''} / --client-key ${tls.clientKeyFile ?? ''}: not a usable PEM certificate and matching private key (${reasonOf(err)})`);
    }
  }
}

const checked = new WeakSet<TlsOptions>();

/**
 * The connect options for `tls`; undefined when none are set (Node's
 * defaults, NODE_EXTRA_CA_CERTS included). A --ca-cert adds to the system's
 * roots instead of replacing them, so public hosts keep working.
 */
export function tlsConnectOptions(tls: TlsOptions | undefined): TlsConnectOptions | undefined {
  if (tls === undefined) return undefined;
  const out: TlsConnectOptions = {};
  if (tls.insecureSkipVerify) out.rejectUnauthorized = false;
  if (tls.caCertFile !== undefined) out.ca = [...rootCertificates, ...extraCaCertificates(), readOnce('--ca-cert', tls.caCertFile)];
  if (tls.clientCertFile !== undefined) out.cert = readOnce('--client-cert', tls.clientCertFile);
  if (tls.clientKeyFile !== undefined) out.key = readOnce('--client-key', tls.clientKeyFile);
  if (!checked.has(tls)) {
    checkUsable(tls, out);
    checked.add(tls);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** NODE_EXTRA_CA_CERTS: Node adds it to its default roots, but a `ca` option replaces those, so it is added back here. */
function extraCaCertificates(): string[] {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  try {
    return [readOnce('NODE_EXTRA_CA_CERTS', file)];
  } catch {
    return []; // Node already warned about it at start-up
  }
}

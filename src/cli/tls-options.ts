/**
 * The TLS flags shared by every command that talks to a server (run, probe,
 * client): one definition, so the names and help never drift between them.
 */
import { accessSync, constants, statSync } from 'node:fs';
import type { Command } from 'commander';
import { RunSetupError } from '../app/run-setup-error.js';
import type { TlsOptions } from '../transports/tls-options.js';

/** Adds --insecure-skip-tls-verify, --ca-cert, --client-cert and --client-key to `command`. */
export function addTlsOptions(command: Command): Command {
  return command
    .option('--insecure-skip-tls-verify', 'HTTPS: accept any server certificate (self-signed staging servers); never for production', false)
    .option('--ca-cert <file>', 'HTTPS: PEM file of extra CA certificates to trust (NODE_EXTRA_CA_CERTS works too)')
    .option('--client-cert <file>', 'HTTPS: PEM client certificate for mutual TLS (with --client-key)')
    .option('--client-key <file>', 'HTTPS: PEM private key of --client-cert (mutual TLS); never printed');
}

/** Fails with one line naming the flag when `file` is missing or unreadable; the contents are read later, once. */
export function readableFile(flag: string, file: unknown): string | undefined {
  if (file === undefined || file === null || file === '') return undefined;
  const path = String(file);
  try {
    accessSync(path, constants.R_OK);
    if (!statSync(path).isFile()) throw new Error('not a file');
  } catch {
    throw new RunSetupError(`${flag} ${path}: no readable file there`);
  }
  return path;
}

/**
 * The commander values of addTlsOptions as TlsOptions (undefined when no flag
 * was given). Throws RunSetupError (exit 2, one line) for a missing file or a
 * certificate without its key.
 */
export function tlsOptionsFrom(o: Record<string, unknown>): TlsOptions | undefined {
  const insecureSkipVerify = o.insecureSkipTlsVerify === true;
  const caCertFile = readableFile('--ca-cert', o.caCert);
  const clientCertFile = readableFile('--client-cert', o.clientCert);
  const clientKeyFile = readableFile('--client-key', o.clientKey);
  if (clientCertFile !== undefined && clientKeyFile === undefined) throw new RunSetupError('--client-cert needs --client-key (the private key of that certificate)');
  if (clientKeyFile !== undefined && clientCertFile === undefined) throw new RunSetupError('--client-key needs --client-cert (the certificate of that key)');
  if (!insecureSkipVerify && caCertFile === undefined && clientCertFile === undefined) return undefined;
  const tls: TlsOptions = {};
  if (insecureSkipVerify) tls.insecureSkipVerify = true;
  if (caCertFile !== undefined) tls.caCertFile = caCertFile;
  if (clientCertFile !== undefined) tls.clientCertFile = clientCertFile;
  if (clientKeyFile !== undefined) tls.clientKeyFile = clientKeyFile;
  return tls;
}

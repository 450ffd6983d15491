/**
 * How the generator trusts (and proves itself to) an HTTPS target. Set by
 * --insecure-skip-tls-verify, --ca-cert, --client-cert and --client-key in
 * every command that talks to a server. File paths, not contents: the files
 * are read once when the connection pool is made.
 */
export interface TlsOptions {
  /** Accept any certificate (self-signed staging servers); never the default. */
  insecureSkipVerify?: boolean;
  /** PEM file with extra CA certificates to trust besides the system's. */
  caCertFile?: string;
  /** PEM client certificate and key for mutual TLS. */
  clientCertFile?: string;
  clientKeyFile?: string;
}

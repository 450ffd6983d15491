/**
 * Turns OAuthOptions into one RequestAuthorizer per virtual user. Files are
 * read here, once, before any load: a missing or empty one is an
 * OAuthSetupError (one line, exit 2 in the CLI).
 *
 * - token file: user N sends line N (round robin), nothing else happens;
 * - credentials file: user N authorizes with the client of line N
 *   (`client_id client_secret`), client credentials grant;
 * - otherwise every user authorizes for itself with the flags' client (or a
 *   client registered once for all), sharing discovery.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Dispatcher } from 'undici';
import type { Recorder } from '../../metrics/sample.js';
import type { RequestAuthorizer } from '../request-auth.js';
import { OAuthAuthorizer, Redactor, StaticTokenAuthorizer } from './authorizer.js';
import { DEFAULT_REDIRECT_URI, type OAuthOptions } from './options.js';
import { LoadOAuthProvider, SharedOAuthState, type ProviderConfig } from './provider.js';
import { recordingFetch } from './recording-fetch.js';

export class OAuthSetupError extends Error {}

export interface OAuthTarget {
  /** The MCP endpoint. */
  mcpUrl: string;
  dispatcher: Dispatcher;
  timeoutMs: number;
}

/** Makes each user's authorizer; one per run (or per `client` session). */
export interface OAuthAuthorizers {
  forUser(recorder: Recorder): RequestAuthorizer;
  /** Cuts the run's secrets out of a text (for messages that quote a server). */
  redact(text: string): string;
}

function fileLines(flag: string, file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new OAuthSetupError(`${flag} ${file}: no readable file there`);
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#'));
  if (lines.length === 0) throw new OAuthSetupError(`${flag} ${file}: no line in it (one a line, # for comments)`);
  return lines;
}

function privateKey(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    throw new OAuthSetupError(`--oauth-private-key ${file}: no readable file there`);
  }
  if (!pem.includes('-----BEGIN PRIVATE KEY-----')) throw new OAuthSetupError(`--oauth-private-key ${file}: no PKCS#8 PEM private key in it (-----BEGIN PRIVATE KEY-----)`);
  return pem;
}

/** RS256 for an RSA key, ES256/384/512 for an EC key by its curve; the flag wins. */
function signingAlgFor(pem: string, given: string | undefined): string {
  if (given !== undefined) return given;
  try {
    // The key type decides the JWS algorithm family (RFC 7518 §3.1).
    const { asymmetricKeyType, asymmetricKeyDetails } = createPrivateKey(pem);
    if (asymmetricKeyType === 'ec') {
      const curve = asymmetricKeyDetails?.namedCurve;
      return curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : 'ES256';
    }
    if (asymmetricKeyType === 'ed25519') return 'EdDSA';
  } catch {
    throw new OAuthSetupError('--oauth-private-key: not a usable private key');
  }
  return 'RS256';
}

/** Checks and reads what `opts` names; throws OAuthSetupError with one line. */
export function prepareOAuth(opts: OAuthOptions, target: OAuthTarget): OAuthAuthorizers {
  const redactor = new Redactor();
  redactor.add(opts.clientSecret);
  redactor.add(opts.assertion);
  redactor.add(opts.idp?.idToken);
  if (opts.tokenFile !== undefined) {
    const tokens = fileLines('--oauth-token-file', opts.tokenFile);
    for (const t of tokens) redactor.add(t);
    let next = 0;
    return {
      forUser: () => new StaticTokenAuthorizer(tokens[next++ % tokens.length]!),
      redact: (text) => redactor.redact(text),
    };
  }
  const privateKeyPem = opts.privateKeyFile === undefined ? opts.privateKeyPem : privateKey(opts.privateKeyFile);
  const signingAlg = privateKeyPem === undefined ? undefined : signingAlgFor(privateKeyPem, opts.signingAlg);
  const base: ProviderConfig = {
    grant: opts.grant, clientName: 'mcpload', redirectUri: opts.redirectUri ?? DEFAULT_REDIRECT_URI,
    clientId: opts.clientId, clientSecret: opts.clientSecret, privateKeyPem, signingAlg,
    tokenAuth: opts.tokenAuth, scope: opts.scope, clientMetadataUrl: opts.clientMetadataUrl, assertion: opts.assertion, idp: opts.idp,
  };
  let perUser: ProviderConfig[] = [base];
  if (opts.credentialsFile !== undefined) {
    perUser = fileLines('--oauth-credentials-file', opts.credentialsFile).map((line, i) => {
      const [clientId, clientSecret, extra] = line.split(/\s+/);
      if (clientId === undefined || clientSecret === undefined || extra !== undefined) {
        throw new OAuthSetupError(`--oauth-credentials-file ${opts.credentialsFile}: line ${i + 1} is not "client_id client_secret"`);
      }
      redactor.add(clientSecret);
      return { ...base, grant: 'client_credentials' as const, clientId, clientSecret };
    });
  }
  const shared: SharedOAuthState & { scope?: string } = new SharedOAuthState();
  let next = 0;
  return {
    forUser(recorder: Recorder): RequestAuthorizer {
      const ctx = { dispatcher: target.dispatcher, recorder, timeoutMs: target.timeoutMs };
      const config = perUser[next++ % perUser.length]!;
      const provider = new LoadOAuthProvider(config, shared, recordingFetch(ctx, 'authorize'), recordingFetch(ctx, 'idp token exchange'));
      return new OAuthAuthorizer({ serverUrl: target.mcpUrl, provider, shared, fetchFn: recordingFetch(ctx), recorder, redactor });
    },
    redact: (text) => redactor.redact(text),
  };
}

/**
 * `probe --oauth`: the checks send raw requests with one bearer token, so the
 * token is obtained first, the way a client would: one MCP handshake with
 * the OAuth authorizer (a 401, discovery, the token request), whose
 * Authorization header is then kept. The session is ended at once.
 */
import { errorLabel, type Recorder, type SampleError } from '../metrics/sample.js';
import type { ScenarioEnv } from '../scenarios/api.js';
import { createMcpClient } from '../transports/create-client.js';
import { RunSetupError } from './scenario-setup.js';

/** Keeps the last failure (OAUTH rows included), to say why no token came. */
class LastFailure implements Recorder {
  last: string | undefined;
  record(type: string, name: string, _latencyUs: number, _bytes: number, error?: SampleError): void {
    if (error !== undefined) this.last = `${type} ${name}: ${errorLabel(error)}`;
  }
  exception(): void {}
}

/** The access token (without "Bearer "); throws RunSetupError with the reason when none was obtained. */
export async function obtainAccessToken(env: ScenarioEnv, protocolVersion: string | undefined): Promise<string> {
  const recorder = new LastFailure();
  const client = createMcpClient(env, { recorder, protocolVersion });
  try {
    const ok = await client.initialize();
    const header = client.authorization;
    if (header === undefined || !header.startsWith('Bearer ')) {
      throw new RunSetupError(`OAuth: no access token obtained from ${env.mcpUrl}${recorder.last !== undefined ? ` (${recorder.last})` : ok ? ' (the server asked for none)' : ''}`);
    }
    return header.slice('Bearer '.length);
  } finally {
    await client.close();
  }
}

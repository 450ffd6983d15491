/**
 * `--protocol-version`: every revision mcpload offers is negotiated with the
 * reference server (which echoes a version it supports), requests after the
 * handshake carry it, and a value outside the list is a usage error (exit 2)
 * for every command that takes the option.
 *
 * The cases run side by side, each with its own folder, files and
 * servers: most of each is a short run waiting on its clock.
 */
import { describe, it as test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSIONS } from '../../src/cli/protocol-version.js';
import type { Recorder, SampleError } from '../../src/metrics/sample.js';
import { createDispatcher } from '../../src/transports/http-pool.js';
import { McpHttpClient } from '../../src/transports/mcp-http.js';
import { runCli, startServeProcess } from './cli-helpers.js';

class ErrorLog implements Recorder {
  readonly errors: string[] = [];
  record(type: string, name: string, _latencyUs: number, _bytes: number, error?: SampleError): void {
    if (error !== undefined) this.errors.push(`${type} ${name}: ${error.kind}: ${error.detail}`);
  }
  exception(err: unknown): void {
    this.errors.push(String(err));
  }
}

describe('protocol versions', { concurrency: true }, () => {
  test('each protocol version is negotiated with the reference server and used afterwards', { timeout: 30_000 }, async () => {
    const server = await startServeProcess(['--quiet']);
    const dispatcher = createDispatcher();
    try {
      for (const version of PROTOCOL_VERSIONS) {
        const log = new ErrorLog();
        const client = new McpHttpClient({ url: `${server.url}/mcp`, recorder: log, dispatcher, protocolVersion: version });
        assert.equal(await client.initialize(), true, `${version}: ${log.errors.join('; ')}`);
        assert.equal(client.negotiatedProtocolVersion, version);
        // The SDK server rejects a request whose MCP-Protocol-Version header it does not support (400).
        const tools = await client.listTools();
        assert.equal(tools.ok, true, `${version}: ${log.errors.join('; ')}`);
        await client.close();
        assert.deepEqual(log.errors, [], version);
      }
    } finally {
      await dispatcher.destroy();
      await server.stop();
    }
  });

  test('mcpload client prints the negotiated version', { timeout: 30_000 }, async () => {
    const server = await startServeProcess(['--quiet']);
    try {
      // The reference server's `sleep` and `fail` tools make the exit code 1: what matters here is the handshake line.
      const res = await runCli(['client', '--url', `${server.url}/mcp`, '--protocol-version', '2025-03-26', '--request-timeout', '3s']);
      assert.match(res.stdout, /^session \S+, protocol 2025-03-26$/m, res.stdout + res.stderr);
      assert.match(res.stdout, /^DELETE +\/mcp .* ok$/m, res.stdout);
      // --host, the name run and probe give the URL, works too; two different URLs are a usage error.
      const host = await runCli(['client', '-H', `${server.url}/mcp`, '--protocol-version', '2025-03-26', '--request-timeout', '3s']);
      assert.match(host.stdout, /^session \S+, protocol 2025-03-26$/m, host.stdout + host.stderr);
      const two = await runCli(['client', '--host', `${server.url}/mcp`, '--url', 'http://127.0.0.1:9/mcp']);
      assert.equal(two.code, 2, two.stderr);
      assert.match(two.stderr, /^error: two URLs given: --url http:\/\/127\.0\.0\.1:9\/mcp and --host /m);
    } finally {
      await server.stop();
    }
  });

  for (const command of ['run', 'client', 'probe']) {
    test(`${command} --protocol-version with an unknown value is a usage error`, async () => {
      const args = command === 'client' ? ['client', 'http://127.0.0.1:9/mcp'] : command === 'probe' ? ['probe', '--host', 'http://127.0.0.1:9'] : ['run', '--headless'];
      const res = await runCli([...args, '--protocol-version', '2025-13-01']);
      assert.equal(res.code, 2, res.stderr);
      assert.match(res.stderr, /"2025-13-01" is not an MCP protocol version \(latest or one of 2024-11-05, 2025-03-26, 2025-06-18, 2025-11-25, 2026-07-28\)/);
    });
  }
});

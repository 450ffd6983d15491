/**
 * OAuth 2.1 under load: `serve --oauth` (the reference server as a
 * client-credentials authorization server) and `run` with
 * --oauth-client-id/--oauth-client-secret: every user gets its own token
 * from the token endpoint, which has its own `OAUTH token` row; nothing
 * fails. Then every report, log and the process title are searched for the
 * secret and the tokens, which must be nowhere.
 *
 * The cases run side by side, each with its own server, folder and
 * run: most of each is waiting on a deadline or a run's clock.
 */
import { describe, it as test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LIFT_CLASSIC_LATENCY, runCli, startCli, startServeProcess } from './cli-helpers.js';

const SECRET = 'oauth-test-secret-7f3a9c2e';
const CLIENT = 'load-client';

interface Entry {
  type: string;
  name: string;
  requests: number;
  failures: number;
}

function entries(file: string): Entry[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { entries: Entry[] } }).snapshot.entries;
}

/** Every file under `dir`, read as text. */
function allText(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => readFileSync(path.join(d.parentPath, d.name), 'utf8'))
    .join('\n');
}

async function token(url: string): Promise<string> {
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${CLIENT}:${SECRET}`).toString('base64')}` },
    body: 'grant_type=client_credentials',
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('OAuth under load', { concurrency: 2 }, () => {
  test('run -u 5 with client credentials against serve --oauth: OAUTH token rows, no failure, no secret in any report', { timeout: 120_000 }, async () => {
    // Tokens live 2 s: a 6 s run renews each user's token on the way.
    const server = await startServeProcess(['--oauth', '--oauth-client-id', CLIENT, '--oauth-client-secret', SECRET, '--oauth-token-ttl', '2s']);
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-oauth-'));
    try {
      const base = path.join(dir, 'run');
      const { child, done } = startCli([
        'run', '--headless', '-u', '5', '-r', '5', '-t', '6s', '--host', server.url, '--oauth-grant', 'client_credentials',
        '--oauth-client-id', CLIENT, '--oauth-client-secret', SECRET, '--json', `${base}.json`, '--csv', base, '--html', `${base}.html`,
        '--logfile', `${base}.log`, '--loglevel', 'DEBUG', ...LIFT_CLASSIC_LATENCY,
      ]);
      // The secret was typed on the command line: ps must not show it while the run lasts.
      await new Promise((r) => setTimeout(r, 1500));
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
      } catch {
        // not Linux, or already gone
      }
      const r = await done;
      assert.doesNotMatch(cmdline, new RegExp(SECRET), 'the secret is in the process title');
      const out = `${r.stdout}\n${r.stderr}`;
      const rows = entries(`${base}.json`);
      const tokenRow = rows.find((e) => e.type === 'OAUTH' && e.name === 'token');
      assert.ok(tokenRow, out);
      // One token per user at least, and renewals beyond: 2 s tokens in a 6 s run.
      assert.ok(tokenRow.requests >= 5, JSON.stringify(tokenRow));
      for (const e of rows) assert.equal(e.failures, 0, `${e.type} ${e.name} failed: ${out}`);
      // Every user's handshake went through with its token (which tasks ran after is the scenario's draw).
      assert.ok(rows.some((e) => e.type === 'initialize' && e.requests >= 5), out);
      assert.equal(r.code, 0, out);
      const text = `${out}\n${allText(dir)}`;
      assert.ok(!text.includes(SECRET), 'the client secret appears in a report or log');
      // The tokens the server issued are not known here; nothing of their shape (43 base64url characters) may appear (HDR histograms aside).
      assert.doesNotMatch(text.replace(/HISTF[A-Za-z0-9+/=]+/g, ''), /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/, 'something like a token appears in a report or log');
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--oauth-token-file: each user sends its own token; the tokens appear in no report', { timeout: 120_000 }, async () => {
    const server = await startServeProcess(['--oauth', '--oauth-client-id', CLIENT, '--oauth-client-secret', SECRET]);
    const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-oauth-'));
    try {
      const tokens = [await token(server.url), await token(server.url)];
      const file = path.join(dir, 'tokens.txt');
      writeFileSync(file, `# one a line\n${tokens.join('\n')}\n`);
      const base = path.join(dir, 'run');
      const r = await runCli(['run', '--headless', '-u', '3', '-r', '3', '-t', '3s', '--host', server.url, '--oauth-token-file', file,
        '--json', `${base}.json`, '--csv', base, '--html', `${base}.html`, ...LIFT_CLASSIC_LATENCY]);
      const out = `${r.stdout}\n${r.stderr}`;
      assert.equal(r.code, 0, out);
      const rows = entries(`${base}.json`);
      assert.ok(rows.some((e) => e.type === 'initialize' && e.requests >= 3), out);
      for (const e of rows) assert.equal(e.failures, 0, `${e.type} ${e.name} failed: ${out}`);
      const text = `${out}\n${allText(dir).replace(readFileSync(file, 'utf8'), '')}`;
      for (const t of tokens) assert.ok(!text.includes(t), 'a token from the file appears in a report');
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('OAuth flags that cannot go together, or a missing file: one line, exit 2, before any load', { timeout: 60_000 }, async () => {
    const cases: [string[], RegExp][] = [
      [['--oauth-client-secret', 'x'], /need --oauth-client-id/],
      [['--oauth-grant', 'client_credentials'], /needs a client/],
      [['--oauth-token-file', '/nonexistent/tokens.txt'], /no readable file there/],
      [['--oauth', '--auth-token', 'abc'], /two ways to authorize/],
      [['--oauth-grant', 'password'], /is not one of auto, authorization_code, client_credentials/],
    ];
    for (const [flags, message] of cases) {
      const r = await runCli(['run', '--headless', '-t', '10s', '--host', 'http://127.0.0.1:9', ...flags]);
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stdout, /Aggregated/);
    }
  });

  test('client and probe authorize against serve --oauth; the secret appears in neither output', { timeout: 120_000 }, async () => {
    const server = await startServeProcess(['--oauth', '--oauth-client-id', CLIENT, '--oauth-client-secret', SECRET]);
    try {
      const env = { MCPLOAD_OAUTH_CLIENT_SECRET: SECRET };
      const client = await runCli(['client', `${server.url}/mcp`, '--oauth-client-id', CLIENT], env);
      const clientOut = `${client.stdout}\n${client.stderr}`;
      // Exit 1 is the reference server's tools that fail on purpose (fail, test_error_handling); 2 would be bad input.
      assert.notEqual(client.code, 2, clientOut);
      // `auto` picked client credentials: the server offers only that grant.
      assert.match(client.stdout, /^OAUTH\s+token\s.*\bok$/m, clientOut);
      assert.match(client.stdout, /^initialize\s+\/mcp\s.*\bok$/m, clientOut);
      assert.ok(!clientOut.includes(SECRET), clientOut);

      const probe = await runCli(['probe', '--host', server.url, '--oauth-client-id', CLIENT], env);
      const probeOut = `${probe.stdout}\n${probe.stderr}`;
      assert.notEqual(probe.code, 2, probeOut);
      assert.doesNotMatch(probeOut, /no access token/, probeOut);
      assert.ok(!probeOut.includes(SECRET), probeOut);
    } finally {
      await server.stop();
    }
  });
});

/**
 * The seed's kind of target: a FastAPI app with only the classic REST face
 * (no MCP at /mcp: 404), started with Debian's python3-fastapi and
 * python3-uvicorn. The classic suite must run its REST tasks and security
 * probes against it, say once why the MCP tasks were left out, hold every
 * SECURITY row (FastAPI's 405 on a wrong method is a refusal) and pass.
 * And a dead port is one line and exit 2 before any load.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, ROOT, runCli } from './cli-helpers.js';

/** Debian's interpreter: a pyenv `python3` on the PATH does not see Debian's packages. */
const PYTHON = '/usr/bin/python3';
const FIXTURES = path.join(ROOT, 'test/fixtures');

function fastapiMissing(): string | false {
  const r = spawnSync(PYTHON, ['-c', 'import fastapi, uvicorn'], { stdio: 'pipe' });
  if (r.error !== undefined) return `${PYTHON} is not there (${r.error.message}); install python3-fastapi and python3-uvicorn`;
  if (r.status !== 0) return `${PYTHON} cannot import fastapi/uvicorn: apt-get install -y python3-fastapi python3-uvicorn`;
  return false;
}

interface App {
  url: string;
  stop(): Promise<void>;
}

/** Starts the fixture under uvicorn on a free loopback port and waits until it answers. */
async function startFastapi(): Promise<App> {
  const port = await freePort();
  const child: ChildProcess = spawn(PYTHON, [
    '-m', 'uvicorn', '--app-dir', FIXTURES, 'fastapi_rest_face:app', '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warning',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`uvicorn exited: ${stderr}`);
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`uvicorn did not answer within 15 s: ${stderr}`);
}

const NOTE = /\/mcp answered 404, so there is no MCP endpoint there: the MCP tasks .* left out .* --host http:\/\/HOST:PORT\/path\/to\/mcp/;

/** The summary's SECURITY rows: each held (0 let through), none let through. */
function assertSecurityHeld(stdout: string): void {
  const rows = stdout.split('\n').filter((l) => /^\s+[✓✗] \w+ (GET|POST|PUT|PATCH|DELETE) \//.test(l));
  assert.ok(rows.length >= 12, `expected a security row per probe, got:\n${rows.join('\n')}\n${stdout}`);
  for (const row of rows) assert.match(row, /✓ pass .*, 0 let through\)/, row);
  assert.match(stdout, /✓ pass DELETE \/api\/v1\/tools\/call/, 'FastAPI answers 405 there: a refusal');
}

function assertNoStackTrace(text: string): void {
  assert.doesNotMatch(text, /\n\s+at .+[(:]\d+/, 'no stack trace');
  assert.doesNotMatch(text, /RequestAbortedError|Unhandled|TypeError/);
}

describe('a FastAPI app with only the REST face (no /mcp)', { skip: fastapiMissing() }, () => {
  let app: App;

  before(async () => {
    app = await startFastapi();
  });

  after(async () => {
    await app?.stop();
  });

  it('run --headless: REST tasks and security probes only, one note, every SECURITY row held, exit 0', async () => {
    const r = await runCli(['run', '--headless', '--host', app.url, '-u', '20', '-r', '10', '-t', '6s', '--print-interval', '0']);
    const all = r.stdout + r.stderr;
    assertNoStackTrace(all);
    assert.equal(r.code, 0, all);
    assert.match(r.stdout, /scenario classic against/);
    // Once before the run (stderr); the notes are repeated after the summary, as every scenario note is.
    assert.equal(r.stderr.split('\n').filter((l) => NOTE.test(l)).length, 1, r.stderr);
    // Beside it, only the count of the requests sent before the load (which the server's own count includes).
    const others = r.stderr.split('\n').filter((l) => l.startsWith('note:') && !NOTE.test(l));
    assert.equal(others.length, 1, `one other note only:\n${r.stderr}`);
    assert.match(others[0]!, /^note: \d+ HTTP requests? went to the target before the load /);
    // The REST face was loaded, and no MCP request was made.
    assert.match(r.stdout, /GET\s+\/api\/v1\/mcp\/status/);
    assert.match(r.stdout, /POST\s+\/api\/v1\/tools\/call/);
    assert.doesNotMatch(r.stdout, /initialize\s+\/mcp|tools\/list|resources\/read/);
    assertSecurityHeld(r.stdout);
    assert.match(r.stdout, /PASSED/);
  });

  it('run --scenario classic --security: the same, and the security class finds nothing let through', async () => {
    const r = await runCli(['run', '--headless', '--scenario', 'classic', '--security', '--host', app.url, '-u', '5', '-r', '5', '-t', '3s', '--print-interval', '0']);
    const all = r.stdout + r.stderr;
    assertNoStackTrace(all);
    assert.equal(r.code, 0, all);
    assert.match(r.stderr, NOTE);
    assertSecurityHeld(r.stdout);
    // The SecurityProbe class: the REST checks ran and held; the MCP ones had no endpoint to try and record nothing.
    assert.match(r.stdout, /✓ pass exposure\.destructive-methods/);
    assert.doesNotMatch(r.stdout, /✗ FAIL/);
  });

  it('probe: the REST checks pass, the MCP checks are skipped with the reason, one note, exit 0', async () => {
    const r = await runCli(['probe', '--host', app.url]);
    const all = r.stdout + r.stderr;
    assertNoStackTrace(all);
    assert.equal(r.code, 0, all);
    assert.match(r.stdout, /^PASS +high +security +exposure\.sensitive-routes +all 8 refused with 401\/403\/404$/m);
    assert.match(r.stdout, /^PASS +high +security +exposure\.destructive-methods +all 4 refused with 401\/403\/404\/405$/m);
    assert.match(r.stdout, /^SKIP +\w+ +\w+ +session\.forged-id +no MCP endpoint at \/mcp \(404\)/m);
    assert.doesNotMatch(r.stdout, /^(FAIL|ERROR) /m);
    assert.match(r.stdout, /^note: \/mcp answered 404, so there is no MCP endpoint there: only the REST checks .* --host http:\/\/HOST:PORT\/path\/to\/mcp$/m);
  });
});

describe('a target that does not answer', () => {
  it('a dead port: one line naming the cause and exit 2, before any load', async () => {
    const port = await freePort();
    const r = await runCli(['run', '--headless', '--host', `http://127.0.0.1:${port}`, '-u', '5', '-t', '5s']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.stdout, '', 'no run header, no table');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, new RegExp(`^error: cannot reach the target: 127\\.0\\.0\\.1:${port} refused the connection \\(ECONNREFUSED\\)`));
  });
});

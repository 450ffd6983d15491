/**
 * The corpus: servers we did not write, each with the probe verdicts and the
 * discovery outcome expected of mcpload, written as data. A change to the
 * probe or to discovery that moves one of these shows up here.
 *
 * - server-everything over Streamable HTTP, stdio and legacy SSE;
 * - server-memory and server-filesystem (on a temporary folder), stdio;
 * - a FastMCP server (test/fixtures/fastmcp-server.mjs), HTTP streaming;
 * - the official SDK's minimal server (test/fixtures/sdk-minimal-server.mjs).
 *
 * The probe speaks HTTP: stdio servers have no probe verdicts. Every run is
 * a few seconds on loopback; the servers are stopped after each case.
 *
 * The cases run three at a time, each with its own server, port and files:
 * they are mostly waiting (a 6 s run; FastMCP answers each new session only
 * after its one-second wait for the client's capabilities, and the probe
 * opens about thirty, one after another). FastMCP's case, the longest,
 * comes first so that the others run beside it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ROOT, runCli } from './cli-helpers.js';
import { EVERYTHING_BIN, startNodeServer } from '../helpers/everything.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-corpus-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const MODULES = path.join(ROOT, 'node_modules/@modelcontextprotocol');

interface ProbeExpectation {
  /** Failed checks that are security findings; with any at medium or above the probe exits 1. */
  security: string[];
  /** Failed checks that are conformance findings (info or low, with the spec's words). */
  conformance: string[];
  /** A path with no MCP endpoint: only the REST checks have a verdict. */
  noMcpEndpoint?: boolean;
}

interface DiscoverExpectation {
  /** Extra `run` arguments (e.g. --tools to keep the run short and its first picks known). */
  args?: string[];
  /**
   * Rows that must be there, each with requests and no failure: among the
   * first USERS tasks (tools by name, then the lists, reads and prompts),
   * which the users' first picks cover (coverEveryTaskFirst).
   */
  called: string[];
  /** A note the run must print (e.g. that capability-less clients see another catalog). */
  note?: RegExp;
  /** Rows that may fail only by being cut at the stop (a tool slower than the run). */
  mayBeCut?: string[];
  /** Tool errors that are the server's right answer to generated arguments (e.g. a file that does not exist). */
  toolErrors?: RegExp;
}

interface Target {
  /** How `run` reaches it. */
  runArgs: string[];
  /** The URL `probe` is pointed at (HTTP servers only). */
  probeHost?: string;
  env?: Record<string, string>;
  stop(): Promise<void>;
}

interface CorpusServer {
  name: string;
  start(): Promise<Target>;
  probe?: ProbeExpectation;
  discover: DiscoverExpectation;
}

const EVERYTHING_CATALOG_NOTE = /16 tools to clients declaring sampling, elicitation, roots, 13 to a client declaring none; only with the capabilities: get-roots-list/;
const USERS = '4';
/**
 * get-roots-list is listed only to clients declaring roots; its question is answered. The long-running tool outlasts
 * the run: its call is cut at the stop, which mcpload records and the expectation allows.
 */
const EVERYTHING_DISCOVER: DiscoverExpectation = {
  args: ['--tools', 'echo,get-roots-list,trigger-long-running-operation'],
  called: ['tools/call get-roots-list', 'tools/call echo', 'reply roots/list'],
  note: EVERYTHING_CATALOG_NOTE,
  mayBeCut: ['tools/call trigger-long-running-operation'],
};
/** What the SDK's Streamable HTTP transport gets wrong that lets nothing through. */
const SDK_TRANSPORT_CONFORMANCE = ['protocol.invalid-request', 'protocol.invalid-params', 'protocol.batch-rejected'];

async function http(script: string, args: string[], endpoint: string): Promise<Target> {
  const server = await startNodeServer(script, args);
  const url = `${server.origin}${endpoint}`;
  return { runArgs: ['--host', url], probeHost: url, stop: server.stop };
}

function stdio(command: string, env: Record<string, string> = {}): Target {
  return { runArgs: ['--stdio', command], env, stop: async () => undefined };
}

const CORPUS: CorpusServer[] = [
  {
    name: 'FastMCP, HTTP streaming',
    start: () => http(path.join(ROOT, 'test/fixtures/fastmcp-server.mjs'), [], '/mcp'),
    // No body limit (10 MB accepted) is a security finding; a 500 on deep JSON, with the server still up, is conformance.
    probe: { security: ['origin.foreign', 'origin.rebinding-host', 'protocol.large-body'], conformance: [...SDK_TRANSPORT_CONFORMANCE, 'protocol.deep-json'] },
    discover: { called: ['tools/call add', 'tools/list tools/list', 'resources/read memo://greeting'] },
  },
  {
    name: 'server-everything, Streamable HTTP',
    start: () => http(EVERYTHING_BIN, ['streamableHttp'], '/mcp'),
    // The issue's own case: only Origin and Host at medium or above; the rest is conformance.
    probe: { security: ['origin.foreign', 'origin.rebinding-host'], conformance: ['session.forged-id', 'session.reuse-after-delete', ...SDK_TRANSPORT_CONFORMANCE] },
    discover: EVERYTHING_DISCOVER,
  },
  {
    name: 'server-everything, stdio',
    start: async () => stdio(`node ${EVERYTHING_BIN} stdio`),
    discover: EVERYTHING_DISCOVER,
  },
  {
    name: 'server-everything, legacy HTTP+SSE',
    start: async () => {
      const target = await http(EVERYTHING_BIN, ['sse'], '/sse');
      return { ...target, runArgs: ['--transport', 'sse', ...target.runArgs] };
    },
    // The probe speaks Streamable HTTP: at /sse there is none, so only the REST checks try something.
    probe: { security: [], conformance: [], noMcpEndpoint: true },
    discover: EVERYTHING_DISCOVER,
  },
  {
    name: 'server-memory, stdio',
    start: async () => stdio(`node ${MODULES}/server-memory/dist/index.js`, { MEMORY_FILE_PATH: path.join(dir, 'memory.jsonl') }),
    // Writes (create_entities, ...) and deletes are left out by default; the three readers answer.
    discover: { called: ['tools/call open_nodes', 'tools/call read_graph', 'tools/call search_nodes'] },
  },
  {
    name: 'server-filesystem on a temporary folder, stdio',
    start: async () => {
      const folder = mkdtempSync(path.join(dir, 'files-'));
      writeFileSync(path.join(folder, 'hello.txt'), 'hello\n');
      return stdio(`node ${MODULES}/server-filesystem/dist/index.js ${folder}`);
    },
    // Generated arguments name files that do not exist, or ask for head and tail at once: the server's refusal is its
    // right answer, not a failure of ours.
    discover: {
      called: ['tools/call list_allowed_directories', 'reply roots/list'],
      toolErrors: /ENOENT|EISDIR|ENOTDIR|Access denied|outside allowed|Cannot specify both head and tail/,
    },
  },
  {
    name: "the official SDK's minimal server (createMcpExpressApp)",
    start: () => http(path.join(ROOT, 'test/fixtures/sdk-minimal-server.mjs'), [], '/mcp'),
    // The SDK's Express app guards the Host header on 127.0.0.1, not the Origin.
    probe: { security: ['origin.foreign'], conformance: ['session.forged-id', 'session.reuse-after-delete', ...SDK_TRANSPORT_CONFORMANCE] },
    discover: { called: ['tools/call add', 'tools/list tools/list', 'resources/read memo://greeting'] },
  },
];

interface CheckRow { id: string; status: string; kind: string; severity: string; quote?: string }
interface Entry { type: string; name: string; requests: number; failures: number; cut?: number }

/** A case's own file in the shared temporary folder (the cases run side by side). */
function fileOf(server: CorpusServer, what: string): string {
  return path.join(dir, `${CORPUS.indexOf(server)}-${what}.json`);
}

async function checkProbe(server: CorpusServer, host: string, expected: ProbeExpectation): Promise<void> {
  const json = fileOf(server, 'probe');
  const r = await runCli(['probe', '--host', host, '--json', json, '--request-timeout', '20s']);
  const checks = (JSON.parse(readFileSync(json, 'utf8')) as { checks: CheckRow[] }).checks;
  const failed = (kind: string) => checks.filter((c) => c.status === 'fail' && c.kind === kind).map((c) => c.id).sort();
  const table = checks.map((c) => `${c.status} ${c.kind} ${c.id}`).join('\n');
  assert.deepEqual(failed('security'), [...expected.security].sort(), `${server.name}: security findings\n${table}`);
  assert.deepEqual(failed('conformance'), [...expected.conformance].sort(), `${server.name}: conformance findings\n${table}`);
  assert.deepEqual(checks.filter((c) => c.status === 'error').map((c) => c.id), [], `${server.name}: checks without a verdict`);
  for (const c of checks.filter((x) => x.status === 'fail' && x.kind === 'conformance')) {
    assert.ok(c.severity === 'info' || c.severity === 'low', `${c.id} at ${c.severity}`);
    assert.ok((c.quote ?? '').length > 0, `${c.id} quotes the spec`);
  }
  // Only security findings at medium or above fail the probe (the default --fail-on).
  const blocking = checks.some((c) => c.status === 'fail' && c.kind === 'security' && !['info', 'low'].includes(c.severity));
  assert.equal(r.code, blocking ? 1 : 0, r.stdout + r.stderr);
  // Loopback targets never get the "no authentication on the network" finding.
  assert.equal(checks.find((c) => c.id === 'auth.open-on-network')?.status, 'skipped');
  if (expected.noMcpEndpoint) {
    assert.match(r.stdout, /there is no MCP endpoint there/);
    assert.deepEqual(checks.filter((c) => c.status === 'pass').map((c) => c.id).sort(), ['exposure.destructive-methods', 'exposure.sensitive-routes']);
  }
}

async function checkDiscover(server: CorpusServer, target: Target, expected: DiscoverExpectation): Promise<void> {
  const json = fileOf(server, 'discover');
  // --exit-code-on-error 0: a tool slower than the run, cut at the stop, fails only mcpload's "never answered" default;
  // what each row did is judged below.
  const r = await runCli(['run', '--headless', ...target.runArgs, '--scenario', 'discover', ...(expected.args ?? []), '-u', USERS, '-r', USERS, '-t', '6s',
    '--stop-timeout', '2s', '--seed', '7', '--print-interval', '0', '--json', json, '--exit-code-on-error', '0'], target.env);
  assert.equal(r.code, 0, `${server.name}\n${r.stdout}${r.stderr}`);
  assert.doesNotMatch(r.stdout, /✗ (checks|exceptions)/, server.name);
  const result = JSON.parse(readFileSync(json, 'utf8')) as { snapshot: { entries: Entry[]; errors?: { type: string; name: string; error: string }[] } };
  const entries = result.snapshot.entries;
  const row = (key: string) => entries.find((e) => `${e.type} ${e.name}` === key);
  for (const key of expected.called) {
    const e = row(key);
    assert.ok(e && e.requests > 0, `${server.name}: ${key} was not called (rows: ${entries.map((x) => `${x.type} ${x.name}`).join(', ')})`);
    assert.equal(e.failures, 0, `${server.name}: ${key} failed`);
  }
  const errors = result.snapshot.errors ?? [];
  for (const e of entries.filter((x) => x.failures > 0)) {
    const key = `${e.type} ${e.name}`;
    const cutOnly = e.failures === (e.cut ?? 0) && (expected.mayBeCut ?? []).includes(key);
    const rightAnswers = expected.toolErrors !== undefined && e.type === 'tools/call' &&
      errors.filter((x) => x.type === e.type && x.name === e.name).every((x) => expected.toolErrors!.test(x.error));
    assert.ok(cutOnly || rightAnswers, `${server.name}: ${key} failed ${e.failures} time(s): ${JSON.stringify(errors.filter((x) => x.name === e.name))}`);
  }
  if (expected.note) assert.match(r.stdout, expected.note, server.name);
}

describe('corpus', { concurrency: 3 }, () => {
  for (const server of CORPUS) {
    it(`corpus: ${server.name}`, async () => {
      const target = await server.start();
      try {
        if (server.probe) await checkProbe(server, target.probeHost!, server.probe);
        await checkDiscover(server, target, server.discover);
      } finally {
        await target.stop();
      }
    });
  }
});

/**
 * JUnit and SARIF outputs. SARIF is validated with ajv against the official
 * OASIS 2.1.0 schema (test/fixtures/sarif-schema-2.1.0.json) (none of the
 * project's dependencies ships it today), and always against the schema's
 * required core, written out below from the standard. JUnit has no XSD
 * validator here: the XML is parsed and checked against the structure of the
 * common JUnit XSD (testsuites > testsuite > testcase > failure|error|skipped
 * with their required attributes).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { formatJUnit, probeSuite, runSuites, xmlEscape } from '../../src/reporters/junit.js';
import { probeToSarif, runToSarif } from '../../src/reporters/sarif.js';
import type { RunResult } from '../../src/report/run-result.js';
import type { CheckReport } from '../../src/security/check.js';

const REPORTS: CheckReport[] = [
  { id: 'origin.foreign', title: 'A foreign Origin gets 403', category: 'origin', severity: 'high', kind: 'security', spec: 'MCP', status: 'fail', reason: 'answered 200 <&> "x"',
    evidence: [{ request: 'POST /mcp [Origin: http://evil.example]', status: 200, body: 'data: {"a":"<b>\u0001"}', headers: { 'content-type': 'text/event-stream' } }], durationMs: 3.2 },
  { id: 'session.forged-id', title: 'A forged id gets 404', category: 'session', severity: 'high', kind: 'security', spec: 'MCP', status: 'pass', reason: '404', evidence: [], durationMs: 1 },
  { id: 'auth.no-token', title: 'No token gets 401', category: 'auth', severity: 'high', kind: 'security', spec: 'RFC 6750', status: 'skipped', reason: 'no auth', evidence: [], durationMs: 0.1 },
  { id: 'protocol.still-alive', title: 'Still alive', category: 'protocol', severity: 'high', kind: 'security', spec: 'MCP', status: 'error', reason: 'no reply', evidence: [], durationMs: 10 },
  { id: 'protocol.batch-rejected', title: 'A batch is rejected', category: 'protocol', severity: 'info', kind: 'conformance', spec: 'MCP 2025-06-18',
    quote: 'The body of the POST request MUST be a single JSON-RPC request', status: 'fail', reason: 'a batch was served (200)', evidence: [], durationMs: 2 },
];

const RUN: RunResult = {
  tool: 'mcpload', version: '0.1.0', settings: { host: 'http://127.0.0.1:8000' }, startedAt: '2025-01-01T00:00:00.000Z', endedAt: '2025-01-01T00:00:05.000Z',
  snapshot: {} as RunResult['snapshot'],
  thresholds: [{ expr: 'p(95)<500', passed: true, actual: 12, detail: 'p(95) = 12 ms' }, { expr: 'avg<1', passed: false, actual: 3, detail: 'avg = 3 ms (required < 1 ms)' }],
  security: [{ name: 'origin.foreign', attempts: 10, failures: 2, passed: false, evidence: ['security: answered 200 (×2)'] }, { name: 'GET /admin', attempts: 3, failures: 0, passed: true, evidence: [] }],
  passed: false,
};

// ---------------------------------------------------------------- JUnit

interface XmlNode { name: string; attrs: Record<string, string>; children: XmlNode[]; text: string }

/** A small, strict XML reader: fails on mismatched tags, stray '<' or '&', and unquoted attributes. */
function parseXml(xml: string): XmlNode {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const root: XmlNode = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < body.length) {
    token.lastIndex = at;
    m = token.exec(body);
    assert.ok(m, `malformed XML near: ${body.slice(at, at + 60)}`);
    at = token.lastIndex;
    const top = stack.at(-1)!;
    if (m[5] !== undefined) {
      assert.doesNotMatch(m[5], /&(?!(amp|lt|gt|quot|apos);)/, 'unescaped &');
      top.text += m[5];
      continue;
    }
    const [, close, name, attrText, selfClose] = m;
    if (close) {
      assert.equal(top.name, name, `</${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText!.matchAll(/([\w:.-]+)="([^"]*)"/g)) attrs[a[1]!] = a[2]!;
    const node: XmlNode = { name: name!, attrs, children: [], text: '' };
    top.children.push(node);
    if (!selfClose) stack.push(node);
  }
  assert.equal(stack.length, 1, 'unclosed tags');
  assert.equal(root.children.length, 1, 'one root element');
  return root.children[0]!;
}

/** The structure of the common JUnit XSD (Jenkins/Ant flavour). */
function checkJUnitStructure(xml: string): XmlNode {
  const root = parseXml(xml);
  assert.equal(root.name, 'testsuites');
  let tests = 0;
  for (const suite of root.children) {
    assert.equal(suite.name, 'testsuite');
    for (const attr of ['name', 'tests', 'failures', 'errors', 'skipped', 'time', 'timestamp']) assert.ok(attr in suite.attrs, `testsuite@${attr}`);
    assert.match(suite.attrs.timestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/, 'xs:dateTime without zone, as the XSD has it');
    assert.equal(Number(suite.attrs.tests), suite.children.length);
    const count = (tag: string) => suite.children.filter((c) => c.children.some((x) => x.name === tag)).length;
    assert.equal(Number(suite.attrs.failures), count('failure'));
    assert.equal(Number(suite.attrs.errors), count('error'));
    assert.equal(Number(suite.attrs.skipped), count('skipped'));
    for (const tc of suite.children) {
      assert.equal(tc.name, 'testcase');
      for (const attr of ['name', 'classname', 'time']) assert.ok(attr in tc.attrs, `testcase@${attr}`);
      assert.match(tc.attrs.time!, /^\d+(\.\d+)?$/);
      assert.ok(tc.children.length <= 1);
      for (const child of tc.children) assert.ok(['failure', 'error', 'skipped'].includes(child.name), child.name);
      tests++;
    }
  }
  assert.equal(Number(root.attrs.tests), tests);
  return root;
}

test('JUnit: a probe is one suite, each check a test case with its evidence', () => {
  const xml = formatJUnit([probeSuite(REPORTS, '2025-01-01T00:00:00.000Z')]);
  const root = checkJUnitStructure(xml);
  const cases = root.children[0]!.children;
  assert.deepEqual(cases.map((c) => c.attrs.name), REPORTS.map((r) => r.id));
  assert.equal(cases[0]!.children[0]!.name, 'failure');
  assert.match(cases[0]!.children[0]!.text, /POST \/mcp/);
  assert.equal(cases[1]!.children.length, 0);
  assert.equal(cases[2]!.children[0]!.name, 'skipped');
  assert.equal(cases[3]!.children[0]!.name, 'error');
  // The kind and the spec's words travel with a conformance finding.
  assert.match(cases[4]!.children[0]!.attrs.message!, /^\[info conformance\]/);
  assert.match(cases[4]!.children[0]!.text, /kind: conformance \(nothing was let through\)\nspec: MCP 2025-06-18\nthe spec: &quot;The body of the POST/);
  assert.match(cases[0]!.children[0]!.attrs.message!, /^\[high security\]/);
  assert.equal(xml.includes('\u0001'), false, 'control characters are dropped');
  assert.equal(xmlEscape(`<a href="x">&'`), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
});

test('JUnit: a run has a thresholds suite and a security suite', () => {
  const root = checkJUnitStructure(formatJUnit(runSuites(RUN)));
  assert.deepEqual(root.children.map((s) => s.attrs.name), ['thresholds', 'security']);
  assert.equal(root.attrs.failures, '2');
  assert.equal(root.children[1]!.children[0]!.children[0]!.name, 'failure');
});

// ---------------------------------------------------------------- SARIF

/**
 * The required core of the OASIS SARIF 2.1.0 schema (sarifLog, run, tool,
 * toolComponent, reportingDescriptor, result, message, location), with its
 * enums, taken from the standard. The full schema is used when installed.
 */
const SARIF_CORE_SCHEMA = {
  type: 'object',
  required: ['version', 'runs'],
  properties: {
    $schema: { type: 'string' },
    version: { enum: ['2.1.0'] },
    runs: { type: 'array', items: { $ref: '#/definitions/run' } },
  },
  definitions: {
    message: { type: 'object', anyOf: [{ required: ['text'] }, { required: ['id'] }], properties: { text: { type: 'string' } } },
    multiformat: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
    run: {
      type: 'object',
      required: ['tool'],
      properties: {
        tool: { type: 'object', required: ['driver'], properties: { driver: { $ref: '#/definitions/toolComponent' } } },
        invocations: { type: 'array', items: { type: 'object', required: ['executionSuccessful'], properties: { executionSuccessful: { type: 'boolean' } } } },
        results: { type: 'array', items: { $ref: '#/definitions/result' } },
      },
    },
    toolComponent: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string' },
        rules: { type: 'array', uniqueItems: true, items: { $ref: '#/definitions/reportingDescriptor' } },
      },
    },
    reportingDescriptor: {
      type: 'object',
      required: ['id'],
      properties: {
        id: { type: 'string' },
        shortDescription: { $ref: '#/definitions/multiformat' },
        fullDescription: { $ref: '#/definitions/multiformat' },
        help: { $ref: '#/definitions/multiformat' },
        defaultConfiguration: { type: 'object', properties: { level: { enum: ['none', 'note', 'warning', 'error'] } } },
        properties: { type: 'object' },
      },
    },
    result: {
      type: 'object',
      required: ['message'],
      properties: {
        ruleId: { type: 'string' },
        ruleIndex: { type: 'integer', minimum: -1 },
        kind: { enum: ['notApplicable', 'pass', 'fail', 'review', 'open', 'informational'] },
        level: { enum: ['none', 'note', 'warning', 'error'] },
        message: { $ref: '#/definitions/message' },
        locations: { type: 'array', items: { type: 'object', properties: { physicalLocation: { type: 'object', properties: { artifactLocation: { type: 'object', properties: { uri: { type: 'string' } } } } } } } },
        properties: { type: 'object' },
      },
    },
  },
};

/** A plain boolean check (ajv's own function is a type guard, which would narrow the tested value to unknown). */
function sarifValidator(schema: object): ((data: unknown) => boolean) & { errors?: unknown } {
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  const compiled = ajv.compile(schema);
  const check = (data: unknown): boolean => {
    const ok = compiled(data);
    check.errors = compiled.errors;
    return ok;
  };
  check.errors = undefined as unknown;
  return check;
}

test('SARIF: probe and run logs satisfy the SARIF 2.1.0 core schema', () => {
  const validate = sarifValidator(SARIF_CORE_SCHEMA);
  const probe = probeToSarif(REPORTS, { target: 'http://127.0.0.1:8000/mcp', toolVersion: '0.1.0', startedAt: RUN.startedAt, endedAt: RUN.endedAt }) as any;
  assert.ok(validate(probe), JSON.stringify(validate.errors));
  assert.ok(validate(runToSarif(RUN)), JSON.stringify(validate.errors));
  // The validator does reject what breaks the standard.
  assert.equal(validate({ ...probe, version: '2.0.0' }), false);
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false);
  const results = probe.runs[0].results;
  assert.deepEqual(results.map((r: any) => r.kind), ['fail', 'pass', 'notApplicable', 'open', 'fail']);
  assert.deepEqual(results.map((r: any) => r.level), ['error', 'none', 'none', 'none', 'note']);
  const rules = probe.runs[0].tool.driver.rules;
  assert.equal(rules[0].properties['security-severity'], '8.0');
  assert.deepEqual(rules[0].properties.tags, ['security', 'mcp', 'origin']);
  // A conformance finding is no security alert: its own tag, no security-severity, the spec quoted.
  assert.deepEqual(rules[4].properties.tags, ['conformance', 'mcp', 'protocol']);
  assert.equal(rules[4].properties['security-severity'], undefined);
  assert.deepEqual(results.map((r: any) => r.properties.kind), ['security', 'security', 'security', 'security', 'conformance']);
  assert.match(results[4].properties.quote, /single JSON-RPC request/);
});

test('SARIF: validates against the official OASIS 2.1.0 schema', () => {
  // The OASIS SARIF TC's published schema (2.1.0 errata01), kept as test data: no npm package ships the final file.
  const file = path.resolve('test/fixtures/sarif-schema-2.1.0.json');
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  // The OASIS schema is draft-04: its `id` is draft-07's `$id`, and ajv's default draft-07 reads the rest as is.
  delete schema.$schema;
  if (typeof schema.id === 'string' && schema.$id === undefined) {
    schema.$id = schema.id;
    delete schema.id;
  }
  const validate = sarifValidator(schema);
  const probe = probeToSarif(REPORTS, { target: 'http://127.0.0.1:8000/mcp', toolVersion: '0.1.0', startedAt: RUN.startedAt, endedAt: RUN.endedAt });
  assert.ok(validate(probe), `${file}: ${JSON.stringify(validate.errors)}`);
  assert.ok(validate(runToSarif(RUN)), JSON.stringify(validate.errors));
  assert.equal(validate({ version: '2.0.0', runs: [] }), false);
});

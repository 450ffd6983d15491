/**
 * `mcpload kube render`, in process: the run flags read by run's own
 * definitions, the objects rendered as YAML, parsed back and validated
 * against the Kubernetes API schemas.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { renderKube, type KubeRenderRequest } from '../../src/app/kube-render.js';
import { RunSetupError } from '../../src/app/run-setup-error.js';
import { runFlagsForKube } from '../../src/cli/kube-run-flags.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { byKindAndName, parseYamlDocuments, validateKubeObject, type KubeDoc } from '../helpers/kube-schemas.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-kube-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A scenario whose bytes a careless YAML round trip would change: unicode, trailing blanks, CRLF, tabs, no final newline. */
const TRICKY_SCENARIO = '  // leading blanks on the first line\n'
  + "import { defineScenario } from 'mcpload';   \n"
  + '// unicode: é ✓ 日本語 🚀 \u00a0(no-break space)\t\n'
  + '\n   \n'
  + 'const crlf = 1;\r\n'
  + '# not a YAML comment: key: value ---\n'
  + "export default defineScenario({ name: 'tricky', userClasses: [] });\t \t";

function scenarioFile(name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

const DEFAULTS = { name: 'mcpload', cpu: '1', memory: '1Gi' } as const;

/** What `mcpload kube render --workers N --image IMAGE ...tokens` renders, parsed back. */
async function render(workers: number, tokens: string[], extra: Partial<KubeRenderRequest> = {}): Promise<KubeDoc[]> {
  const flags = await runFlagsForKube(tokens);
  const yaml = renderKube({
    ...DEFAULTS, image: 'example/mcpload:1', workers, masterFlags: flags.masterFlags, credentials: flags.credentials,
    ...(flags.scenario === undefined ? {} : { scenario: flags.scenario }), ...extra,
  });
  return parseYamlDocuments(yaml);
}

function container(job: KubeDoc): { args: string[]; env: any[]; envFrom: any[]; securityContext: any; resources: any; volumeMounts: any[] } {
  return job.spec.template.spec.containers[0];
}

test('every rendered object validates against the Kubernetes API schemas; the workers are one Indexed Job of N', async () => {
  const file = scenarioFile('tricky.ts', TRICKY_SCENARIO);
  const objects = await render(20, ['--host', 'https://my-server.example', '-u', '20000', '-r', '200', '-t', '10m', file]);
  assert.deepEqual(objects.map((o) => `${o.kind} ${o.metadata.name}`), [
    'Secret mcpload-secret', 'ConfigMap mcpload-scenario', 'Service mcpload-master', 'Job mcpload-master', 'Job mcpload-workers',
  ]);
  for (const object of objects) validateKubeObject(object);

  const workers = byKindAndName(objects, 'Job', 'mcpload-workers');
  assert.equal(workers.spec.completionMode, 'Indexed');
  assert.equal(workers.spec.parallelism, 20);
  assert.equal(workers.spec.completions, 20);
  assert.deepEqual(container(workers).args, ['run', '--worker', '--master-host', 'mcpload-master', '--master-port', '5557', '/scenario/tricky.ts']);
  assert.deepEqual(workers.spec.template.spec.topologySpreadConstraints[0].labelSelector.matchLabels, workers.spec.template.metadata.labels);

  const master = byKindAndName(objects, 'Job', 'mcpload-master');
  assert.equal(master.spec.backoffLimit, 0);
  assert.deepEqual(container(master).args.slice(0, 9), ['run', '--master', '--expect-workers', '20', '--master-bind-host', '0.0.0.0', '--master-bind-port', '5557', '--headless']);
  // The Service reaches the master's pod, on the port it binds.
  const service = byKindAndName(objects, 'Service', 'mcpload-master');
  for (const [key, value] of Object.entries(service.spec.selector as Record<string, string>)) assert.equal(master.spec.template.metadata.labels[key], value);
  assert.equal(service.spec.ports[0].port, 5557);
});

test('the scenario in the ConfigMap is byte for byte the file given, mounted where the args name it', async () => {
  const file = scenarioFile('tricky.ts', TRICKY_SCENARIO);
  const objects = await render(3, [file, '--host', 'https://target.example/mcp']);
  const configMap = byKindAndName(objects, 'ConfigMap', 'mcpload-scenario');
  assert.ok(Buffer.from(configMap.data['tricky.ts'] as string, 'utf8').equals(readFileSync(file)), 'same bytes after YAML and back');
  const master = byKindAndName(objects, 'Job', 'mcpload-master');
  assert.equal(container(master).args.at(-1), '/scenario/tricky.ts');
  assert.deepEqual(container(master).volumeMounts.find((m) => m.name === 'scenario'), { name: 'scenario', mountPath: '/scenario', readOnly: true });
  assert.deepEqual(master.spec.template.spec.volumes.find((v: any) => v.name === 'scenario').configMap, { name: 'mcpload-scenario' });
});

test('a scenario file that is not UTF-8 goes to binaryData, unchanged; a name Kubernetes refuses gets a key it takes', async () => {
  const bytes = Uint8Array.from([0x2f, 0x2f, 0x20, 0xff, 0xfe, 0x00, 0x0a, 0xc3]);
  const file = scenarioFile('Scénario (latin1).mjs', bytes);
  const objects = await render(2, [file]);
  for (const object of objects) validateKubeObject(object);
  const configMap = byKindAndName(objects, 'ConfigMap', 'mcpload-scenario');
  assert.equal(configMap.data, undefined);
  assert.deepEqual([...Buffer.from(configMap.binaryData['scenario.mjs'] as string, 'base64')], [...bytes]);
  assert.equal(container(byKindAndName(objects, 'Job', 'mcpload-workers')).args.at(-1), '/scenario/scenario.mjs');
});

test('a built-in scenario name renders no ConfigMap: the name goes to the args', async () => {
  const objects = await render(2, ['--host', 'https://target.example/mcp', '-f', 'discover']);
  assert.equal(objects.filter((o) => o.kind === 'ConfigMap').length, 0);
  for (const job of objects.filter((o) => o.kind === 'Job')) {
    assert.equal(container(job).args.at(-1), 'discover');
    assert.equal(job.spec.template.spec.volumes.some((v: any) => v.name === 'scenario'), false);
  }
});

test('the run flags reach the master as typed; the workers get none of them', async () => {
  const objects = await render(4, [
    'classic', '--host', 'https://target.example/mcp', '-u', '200', '-r', '20', '-t', '2m', '--arrival-rate', '50', '--max-users', '300',
    '--threshold', 'p(95)<300', '--threshold', 'error_rate<0.01', '--csv', 'out/run', '--json', 'out/run.json', '--html', 'out/run.html',
    '--exit-code-on-error', '3', '--security', '--tags', 'mcp', 'rest',
  ]);
  const args = container(byKindAndName(objects, 'Job', 'mcpload-master')).args;
  const flags = args.slice(9);
  assert.deepEqual(flags, [
    '--host', 'https://target.example/mcp', '--users', '200', '--spawn-rate', '20', '--time', '2m', '--arrival-rate', '50', '--max-users', '300',
    '--tags', 'mcp', '--tags', 'rest', '--threshold', 'p(95)<300', '--threshold', 'error_rate<0.01', '--exit-code-on-error', '3',
    '--csv', 'out/run', '--json', 'out/run.json', '--html', 'out/run.html', '--security', 'classic',
  ]);
  const workerArgs = container(byKindAndName(objects, 'Job', 'mcpload-workers')).args;
  assert.deepEqual(workerArgs, ['run', '--worker', '--master-host', 'mcpload-master', '--master-port', '5557', 'classic']);
});

test('args that YAML 1.1 would read as booleans or numbers stay strings for kubectl', async () => {
  const objects = await render(2, ['--tags', 'no', '--tags', 'on', '--exclude-tags', 'yes', '--exclude-tags', '10:30', '--tags', '0755']);
  const args = container(byKindAndName(objects, 'Job', 'mcpload-master')).args;
  assert.deepEqual(args.slice(9), ['--tags', 'no', '--tags', 'on', '--tags', '0755', '--exclude-tags', 'yes', '--exclude-tags', '10:30']);
  for (const object of objects) validateKubeObject(object);
});

test('--stages keeps its text; a value that starts with a dash stays a value', async () => {
  const flags = await runFlagsForKube(['--host', 'https://t.example/mcp', '--stages', '30s:100,1m:100,30s:0', '--header', 'X-Team: load', '--csv=-odd']);
  assert.deepEqual(flags.masterFlags, ['--host', 'https://t.example/mcp', '--stages', '30s:100,1m:100,30s:0', '--csv=-odd']);
});

test('no token is in any args: the master token and the target credentials go to the Secret, read through env', async () => {
  const objects = await render(2, ['--host', 'https://target.example/mcp', '--auth-token', 'target-secret-value', '--oauth-client-secret', 'client-secret-value']);
  const secret = byKindAndName(objects, 'Secret', 'mcpload-secret');
  const decoded = Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  assert.equal(decoded.MCPLOAD_AUTH_TOKEN, 'target-secret-value');
  assert.equal(decoded.MCPLOAD_OAUTH_CLIENT_SECRET, 'client-secret-value');
  const masterToken = decoded.MCPLOAD_MASTER_TOKEN;
  assert.ok(masterToken !== undefined && masterToken.length >= 40, 'a long random master token');
  for (const job of objects.filter((o) => o.kind === 'Job')) {
    const c = container(job);
    const text = JSON.stringify([c.args, c.env]);
    for (const value of [masterToken, 'target-secret-value', 'client-secret-value']) assert.ok(!text.includes(value), `${job.metadata.name}: no secret in args or env values`);
    assert.ok(!c.args.includes('--auth-token') && !c.args.includes('--oauth-client-secret') && !c.args.some((a) => a.startsWith('--master-token')));
    assert.deepEqual(c.env.find((e) => e.name === 'MCPLOAD_MASTER_TOKEN').valueFrom, { secretKeyRef: { name: 'mcpload-secret', key: 'MCPLOAD_MASTER_TOKEN' } });
    assert.deepEqual(c.envFrom, [{ secretRef: { name: 'mcpload-secret' } }]);
  }
  // A new token each time.
  const again = byKindAndName(await render(2, []), 'Secret', 'mcpload-secret');
  assert.notEqual(again.data.MCPLOAD_MASTER_TOKEN, secret.data.MCPLOAD_MASTER_TOKEN);
});

test('--token-secret: no Secret rendered, the pods read the one named; credentials on the command line are refused then', async () => {
  const objects = await render(2, [], { tokenSecret: 'my-run-secret' });
  assert.equal(objects.filter((o) => o.kind === 'Secret').length, 0);
  for (const job of objects.filter((o) => o.kind === 'Job')) {
    assert.equal(container(job).env.find((e) => e.name === 'MCPLOAD_MASTER_TOKEN').valueFrom.secretKeyRef.name, 'my-run-secret');
  }
  const flags = await runFlagsForKube(['--auth-token', 'x']);
  assert.throws(() => renderKube({ ...DEFAULTS, image: 'i', workers: 1, masterFlags: [], credentials: flags.credentials, tokenSecret: 'my-run-secret' }), RunSetupError);
});

test('namespace, name prefix, resources and the non-root security context reach every pod', async () => {
  const objects = await render(2, [], { namespace: 'load', name: 'nightly', cpu: '2', memory: '4Gi', reportsClaim: 'reports' });
  for (const object of objects) {
    validateKubeObject(object);
    assert.equal(object.metadata.namespace, 'load');
    assert.ok(object.metadata.name.startsWith('nightly-'));
  }
  for (const job of objects.filter((o) => o.kind === 'Job')) {
    const pod = job.spec.template.spec;
    assert.equal(pod.enableServiceLinks, false, 'no MCPLOAD_MASTER_PORT=tcp://... from the Service');
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
    const c = container(job);
    assert.deepEqual(c.resources, { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } });
    assert.equal(c.securityContext.allowPrivilegeEscalation, false);
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.deepEqual(c.securityContext.capabilities, { drop: ['ALL'] });
    assert.deepEqual(c.volumeMounts.filter((m) => m.name !== 'scenario').map((m) => m.mountPath), ['/tmp', '/reports']);
  }
  const masterVolumes = byKindAndName(objects, 'Job', 'nightly-master').spec.template.spec.volumes;
  assert.deepEqual(masterVolumes.find((v: any) => v.name === 'reports'), { name: 'reports', persistentVolumeClaim: { claimName: 'reports' } });
  assert.equal(container(byKindAndName(objects, 'Job', 'nightly-workers')).args[3], 'nightly-master');
});

test('bad input is a usage error before anything is rendered', async () => {
  await assert.rejects(runFlagsForKube(['--master-host', 'x']), UsageError);
  await assert.rejects(runFlagsForKube(['--expect-workers=3']), UsageError);
  await assert.rejects(runFlagsForKube(['--master-token=abc']), UsageError);
  await assert.rejects(runFlagsForKube(['--config', 'mcpload.conf']), UsageError);
  await assert.rejects(runFlagsForKube(['--header', 'A: 1', '--header', 'B: 2']), UsageError);
  await assert.rejects(runFlagsForKube(['--stdio', 'server', '--host', 'https://t.example/mcp']), UsageError);
  await assert.rejects(runFlagsForKube(['a.ts', '-f', 'b.ts']), UsageError);
  await assert.rejects(runFlagsForKube(['--bench-mode', '-f', 'discover']), UsageError);
  assert.throws(() => renderKube({ ...DEFAULTS, image: 'i', workers: 1, masterFlags: [], credentials: {}, scenario: path.join(dir, 'missing.ts') }), RunSetupError);
  assert.throws(() => renderKube({ ...DEFAULTS, image: 'i', workers: 1, masterFlags: [], credentials: {}, scenario: dir }), RunSetupError);
});

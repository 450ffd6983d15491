/**
 * deploy/kubernetes/, the kustomize base: every file parses, the objects
 * it makes (its resources and the ConfigMap its generator makes) validate
 * against the Kubernetes API schemas, and they are the objects `kube render`
 * makes for the same flags, so the two cannot drift apart.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { renderKube } from '../../src/app/kube-render.js';
import { runFlagsForKube } from '../../src/cli/kube-run-flags.js';
import { byKindAndName, parseYamlDocuments, validateKubeObject, type KubeDoc } from '../helpers/kube-schemas.js';

const BASE = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));

interface Kustomization {
  resources: string[];
  configMapGenerator: Array<{ name: string; files: string[]; options?: { labels?: Record<string, string> } }>;
  generatorOptions?: { disableNameSuffixHash?: boolean };
}

function readKustomization(): Kustomization {
  return parse(readFileSync(path.join(BASE, 'kustomization.yaml'), 'utf8')) as Kustomization;
}

/** What `kubectl apply -k` would send: the resources, then the generated ConfigMaps (fixed names). */
function baseObjects(): KubeDoc[] {
  const kustomization = readKustomization();
  assert.equal(kustomization.generatorOptions?.disableNameSuffixHash, true, 'the Jobs mount the ConfigMap by its plain name');
  const resources = kustomization.resources.flatMap((file) => parseYamlDocuments(readFileSync(path.join(BASE, file), 'utf8')));
  const generated = kustomization.configMapGenerator.map((generator): KubeDoc => ({
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: generator.name, ...(generator.options?.labels === undefined ? {} : { labels: generator.options.labels }) },
    data: Object.fromEntries(generator.files.map((file) => [path.basename(file), readFileSync(path.join(BASE, file), 'utf8')])),
  }));
  return [...resources, ...generated];
}

function container(job: KubeDoc): { image: string; args: string[]; env: any[] } {
  return job.spec.template.spec.containers[0];
}

test('the base parses and every object validates against the Kubernetes API schemas', () => {
  const objects = baseObjects();
  assert.deepEqual(objects.map((o) => `${o.kind} ${o.metadata.name}`).sort(), [
    'ConfigMap mcpload-scenario', 'Job mcpload-master', 'Job mcpload-workers', 'Secret mcpload-secret', 'Service mcpload-master',
  ]);
  for (const object of objects) validateKubeObject(object);
});

test('the workers are an Indexed Job whose parallelism and completions are the master\'s --expect-workers', () => {
  const objects = baseObjects();
  const workers = byKindAndName(objects, 'Job', 'mcpload-workers');
  const master = byKindAndName(objects, 'Job', 'mcpload-master');
  const args = container(master).args;
  const expected = Number(args[args.indexOf('--expect-workers') + 1]);
  assert.equal(workers.spec.completionMode, 'Indexed');
  assert.equal(workers.spec.parallelism, expected);
  assert.equal(workers.spec.completions, expected);
  // Everything the pods name is in the base.
  const secret = byKindAndName(objects, 'Secret', 'mcpload-secret');
  assert.ok(typeof secret.stringData.MCPLOAD_MASTER_TOKEN === 'string');
  for (const job of [master, workers]) {
    assert.equal(container(job).env.find((e) => e.name === 'MCPLOAD_MASTER_TOKEN').valueFrom.secretKeyRef.name, 'mcpload-secret');
    const scenario = job.spec.template.spec.volumes.find((v: any) => v.name === 'scenario');
    byKindAndName(objects, 'ConfigMap', scenario.configMap.name);
    assert.equal(container(job).args.at(-1), '/scenario/scenario.ts');
  }
});

test('the base is what kube render makes for the same flags (the Secret aside: a placeholder there, a new token here)', async () => {
  const base = baseObjects();
  const master = container(byKindAndName(base, 'Job', 'mcpload-master'));
  const workers = byKindAndName(base, 'Job', 'mcpload-workers');
  // The run flags of the base: after the fixed master flags, before the scenario.
  const runFlags = master.args.slice(master.args.indexOf('--headless') + 1, -1);
  const flags = await runFlagsForKube([...runFlags, path.join(BASE, 'scenario.ts')]);
  const rendered = parseYamlDocuments(renderKube({
    name: 'mcpload', image: master.image, workers: workers.spec.parallelism as number, cpu: '1', memory: '1Gi',
    masterFlags: flags.masterFlags, credentials: flags.credentials, ...(flags.scenario === undefined ? {} : { scenario: flags.scenario }),
  }));
  const withoutSecrets = (objects: KubeDoc[]) => objects.filter((o) => o.kind !== 'Secret').sort((a, b) => `${a.kind}${a.metadata.name}`.localeCompare(`${b.kind}${b.metadata.name}`));
  assert.deepEqual(withoutSecrets(rendered), withoutSecrets(base));
  assert.deepEqual(byKindAndName(rendered, 'Secret', 'mcpload-secret').metadata, byKindAndName(base, 'Secret', 'mcpload-secret').metadata);
});

/** `kubectl kustomize` (kustomize built into kubectl, offline): the real build of the base, where kubectl is installed. */
function kustomizeBuild(): { output?: string; missing?: string } {
  const result = spawnSync('kubectl', ['kustomize', BASE], { encoding: 'utf8', timeout: 60_000 });
  if (result.error !== undefined) return { missing: `kubectl: ${result.error.message}` };
  assert.equal(result.status, 0, `kubectl kustomize failed: ${result.stderr}`);
  return { output: result.stdout };
}

test('kubectl kustomize builds the base into the objects read above', (t) => {
  const build = kustomizeBuild();
  if (build.output === undefined) {
    t.skip(`no kubectl here (${build.missing}): the base was checked without kustomize only`);
    return;
  }
  const built = parseYamlDocuments(build.output);
  for (const object of built) validateKubeObject(object);
  const sorted = (objects: KubeDoc[]) => [...objects].sort((a, b) => `${a.kind}${a.metadata.name}`.localeCompare(`${b.kind}${b.metadata.name}`));
  assert.deepEqual(sorted(built), sorted(baseObjects()));
});

/**
 * The real CLI (bin/mcpload.js, after the build): `mcpload kube render`
 * prints manifests that parse and validate against the Kubernetes API
 * schemas, and refuses bad input with one line and exit 2.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { byKindAndName, parseYamlDocuments, validateKubeObject } from '../helpers/kube-schemas.js';
import { ROOT, runCli } from './cli-helpers.js';

test('kube render: the issue\'s example prints manifests that validate, the scenario file inside', { timeout: 60_000 }, async () => {
  const result = await runCli(['kube', 'render', '--workers', '20', '--image', 'example/mcpload:1', '--host', 'https://my-server.example',
    '-u', '20000', '-r', '200', '-t', '10m', '--auth-token', 'do-not-print-me', 'examples/classic-suite.ts']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  const objects = parseYamlDocuments(result.stdout);
  for (const object of objects) validateKubeObject(object);
  const workers = byKindAndName(objects, 'Job', 'mcpload-workers');
  assert.equal(workers.spec.completionMode, 'Indexed');
  assert.equal(workers.spec.parallelism, 20);
  assert.equal(workers.spec.completions, 20);
  const configMap = byKindAndName(objects, 'ConfigMap', 'mcpload-scenario');
  assert.equal(configMap.data['classic-suite.ts'], readFileSync(path.join(ROOT, 'examples/classic-suite.ts'), 'utf8'));
  const masterArgs: string[] = byKindAndName(objects, 'Job', 'mcpload-master').spec.template.spec.containers[0].args;
  assert.deepEqual(masterArgs.slice(9), ['--host', 'https://my-server.example', '--users', '20000', '--spawn-rate', '200', '--time', '10m', '/scenario/classic-suite.ts']);
  // The target token is in the Secret (base64), nowhere in clear.
  assert.ok(!result.stdout.includes('do-not-print-me'));
  const secret = byKindAndName(objects, 'Secret', 'mcpload-secret');
  assert.equal(Buffer.from(secret.data.MCPLOAD_AUTH_TOKEN as string, 'base64').toString('utf8'), 'do-not-print-me');
});

test('kube render: bad input is one line on stderr, nothing on stdout, exit 2', { timeout: 60_000 }, async () => {
  const cases: Array<{ args: string[]; says: RegExp }> = [
    { args: ['--workers', '3'], says: /required option '--image <image>'/ },
    { args: ['--workers', '0', '--image', 'example/mcpload:1'], says: /--workers.*"0" is not a whole number >= 1/ },
    { args: ['--workers', '3', '--image', 'example/mcpload:1', 'no-such-scenario.ts'], says: /scenario file no-such-scenario\.ts not found/ },
    { args: ['--workers', '3', '--image', 'example/mcpload:1', '--userz', '5'], says: /unknown option '--userz'/ },
    { args: ['--workers', '3', '--image', 'example/mcpload:1', '--master-host', 'x'], says: /sets --master-host itself/ },
  ];
  for (const { args, says } of cases) {
    const result = await runCli(['kube', 'render', ...args]);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, says);
    assert.equal(result.stderr.trimEnd().split('\n').length, 1, `one line: ${result.stderr}`);
  }
});

test('kube render --help: usage and the example, exit 0, nothing rendered', { timeout: 60_000 }, async () => {
  const result = await runCli(['kube', 'render', '--help']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Usage: mcpload kube render \[options\] \[run-flags\.\.\.\]/);
  assert.match(result.stdout, /kubectl apply -f -/);
  assert.doesNotMatch(result.stdout, /^apiVersion:/m);
});

/**
 * Kubernetes objects read from YAML and checked against the API's own
 * schemas (the OpenAPI definitions that kubernetes-models carries): the
 * kinds mcpload's manifests use.
 */
import assert from 'node:assert/strict';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

export type KubeDoc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: any };

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'batch/v1 Job': Job,
  'v1 ConfigMap': ConfigMap,
  'v1 Secret': Secret,
  'v1 Service': Service,
};

/**
 * Every YAML document of `text`, parsed strictly (a YAML error fails the
 * test) and as YAML 1.1, the way kubectl reads it (`no` is false there).
 */
export function parseYamlDocuments(text: string): KubeDoc[] {
  return parseAllDocuments(text, { version: '1.1' }).map((doc) => {
    assert.deepEqual(doc.errors, [], 'the YAML parses');
    return doc.toJS() as KubeDoc;
  });
}

/** Throws (with the schema's words) when `object` is not a valid object of its kind. */
export function validateKubeObject(object: KubeDoc): void {
  const Model = MODELS[`${object.apiVersion} ${object.kind}`];
  assert.ok(Model, `${object.apiVersion} ${object.kind} is a kind the manifests use`);
  new Model(object).validate();
}

export function byKindAndName(objects: KubeDoc[], kind: string, name: string): KubeDoc {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind} ${name} is rendered`);
  return found;
}

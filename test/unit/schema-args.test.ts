import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileSchema } from '../../src/scenarios/json-schema.js';
import { stringForPattern } from '../../src/scenarios/pattern-string.js';
import { createRng } from '../../src/engine/rng.js';
import { SchemaArgGenerator } from '../../src/scenarios/schema-args.js';

/** Real-world tool input schemas (server-everything, filesystem, fetch, github, pydantic/zod output...). */
const CORPUS = JSON.parse(readFileSync(new URL('../fixtures/tool-schemas/corpus.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const SEEDS = 60;

test('the corpus is a set of schemas ajv compiles', () => {
  assert.ok(Object.keys(CORPUS).length >= 20);
  for (const [name, schema] of Object.entries(CORPUS)) assert.doesNotThrow(() => compileSchema(schema), name);
});

for (const [name, schema] of Object.entries(CORPUS)) {
  test(`generated arguments are valid for ${name}`, () => {
    const check = compileSchema(schema);
    for (let seed = 1; seed <= SEEDS; seed++) {
      const args = new SchemaArgGenerator(createRng(seed)).toolArguments(schema);
      assert.equal(check(args), undefined, `seed ${seed}: ${JSON.stringify(args)}`);
    }
  });
}

test('the same seed gives the same arguments, other seeds vary them', () => {
  const schema = CORPUS['github/list_issues'];
  const run = (seed: number) => {
    const gen = new SchemaArgGenerator(createRng(seed));
    return JSON.stringify([gen.toolArguments(schema), gen.toolArguments(schema), gen.toolArguments(schema)]);
  };
  assert.equal(run(123), run(123));
  const distinct = new Set(Array.from({ length: 20 }, (_, i) => run(i)));
  assert.ok(distinct.size > 10, `only ${distinct.size} distinct argument sets`);
});

test('optional properties come and go; required ones are always there', () => {
  const schema = CORPUS['github/create_issue'] as object;
  const seen = new Set<string>();
  for (let seed = 0; seed < 40; seed++) {
    const args = new SchemaArgGenerator(createRng(seed)).toolArguments(schema);
    for (const key of ['owner', 'repo', 'title']) assert.equal(typeof args[key], 'string');
    for (const key of Object.keys(args)) seen.add(key);
  }
  assert.ok(seen.has('labels') && seen.has('milestone') && seen.has('body'));
});

test('unbounded numbers are small whole numbers', () => {
  const schema = { type: 'object', properties: { id: { type: 'number' } }, required: ['id'] };
  for (let seed = 0; seed < 50; seed++) {
    const { id } = new SchemaArgGenerator(createRng(seed)).toolArguments(schema) as { id: number };
    assert.ok(Number.isInteger(id) && id >= 1 && id <= 11, String(id));
  }
});

test('recursive schemas end', () => {
  const gen = new SchemaArgGenerator(createRng(5));
  for (let i = 0; i < 50; i++) assert.doesNotThrow(() => JSON.stringify(gen.toolArguments(CORPUS['misc/recursive'])));
});

test('a schema that is not an object still yields an argument object', () => {
  const gen = new SchemaArgGenerator(createRng(1));
  assert.deepEqual(gen.toolArguments(undefined), {});
  assert.deepEqual(gen.toolArguments({ type: 'string' }), {});
});

test('stringForPattern builds matching strings for common patterns', () => {
  const patterns = ['^[a-z]+$', '^#[0-9a-f]{6}$', '^\\d{4}-\\d{2}-\\d{2}$', '^[CGD][A-Z0-9]{8,}$', '^(foo|bar)-\\w+$', '^v?\\d+(\\.\\d+){2}$', 'ab*c', '^[A-Za-z0-9._%+-]+@[a-z]+\\.com$'];
  const rng = createRng(9);
  for (const pattern of patterns) {
    const re = new RegExp(pattern, 'u');
    for (let i = 0; i < 30; i++) {
      const s = stringForPattern(pattern, rng);
      assert.ok(s !== undefined && re.test(s), `${pattern} → ${s}`);
    }
  }
});

test('stringForPattern declines what it does not support', () => {
  const rng = createRng(1);
  for (const pattern of ['^(?!admin).*$', '[^a-z]+', '(a)\\1', '\\bword\\b']) assert.equal(stringForPattern(pattern, rng), undefined, pattern);
});

test('compileSchema reads draft-07 tuples and 2020-12 prefixItems each the right way', () => {
  const draft07 = compileSchema({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'array', items: [{ type: 'string' }], additionalItems: false });
  assert.equal(draft07(['a']), undefined);
  assert.notEqual(draft07(['a', 'b']), undefined);
  const modern = compileSchema({ type: 'array', prefixItems: [{ type: 'string' }], items: false });
  assert.equal(modern(['a']), undefined);
  assert.match(modern([1]) ?? '', /\/0 must be string/);
  assert.throws(() => compileSchema({ type: 'object', properties: { a: { $ref: '#/nowhere' } } }), /does not compile/);
});

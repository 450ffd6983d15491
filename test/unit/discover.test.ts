import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outputCheck, planToolArguments } from '../../src/scenarios/discover.js';
import { createRng } from '../../src/engine/rng.js';
import { classifyTool, describeSelection, selectTools } from '../../src/scenarios/tool-selection.js';

const TOOLS = [
  { name: 'read', annotations: { readOnlyHint: true } },
  { name: 'write', annotations: { readOnlyHint: false, destructiveHint: false } },
  { name: 'wipe', annotations: { destructiveHint: true } },
  { name: 'bare' },
  { name: 'titled', annotations: { title: 'only a title' } as { readOnlyHint?: unknown } },
];
const NONE = { allowWrites: false, allowDestructive: false, tools: [] };
const names = (tools: Array<{ name: string }>) => tools.map((t) => t.name);

test('annotations classify tools, with the spec’s careful defaults', () => {
  assert.deepEqual(TOOLS.map(classifyTool), ['read-only', 'write', 'destructive', 'unannotated', 'unannotated']);
});

test('by default only read-only tools are called; the flags widen the set step by step', () => {
  assert.deepEqual(names(selectTools(TOOLS, NONE).selected), ['read']);
  assert.deepEqual(names(selectTools(TOOLS, { ...NONE, allowWrites: true }).selected), ['read', 'write']);
  assert.deepEqual(names(selectTools(TOOLS, { ...NONE, allowDestructive: true }).selected), ['read', 'write', 'wipe', 'bare', 'titled']);
  const named = selectTools(TOOLS, { ...NONE, tools: ['wipe', 'bare'] });
  assert.deepEqual(names(named.selected), ['wipe', 'bare']);
  assert.ok(named.skipped.every((s) => s.reason === 'not named'));
  assert.throws(() => selectTools(TOOLS, { ...NONE, tools: ['nope'] }), /unknown tool nope/);
});

test('the summary says what was skipped, why, and which flag includes it', () => {
  const lines = describeSelection(selectTools(TOOLS, NONE), TOOLS.length).join('\n');
  assert.match(lines, /skipped 4 of 5 tools/);
  assert.match(lines, /1 that write .*--allow-writes: write/);
  assert.match(lines, /1 that may destroy data, added by --allow-destructive: wipe/);
  assert.match(lines, /2 without annotations .*--tools: bare, titled/);
  assert.deepEqual(describeSelection(selectTools(TOOLS, { ...NONE, allowDestructive: true }), TOOLS.length), []);
});

test('a server without any annotations gets one plain line', () => {
  const bare = [{ name: 'a' }, { name: 'b' }];
  const lines = describeSelection(selectTools(bare, NONE), bare.length);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /annotates none of its 2 tools.*--tools a,b.*--allow-destructive/);
});

test('planToolArguments keeps only sets valid for the inputSchema, or says why there are none', () => {
  const plan = planToolArguments({ name: 't', inputSchema: { type: 'object', properties: { n: { type: 'integer', minimum: 3, maximum: 5 } }, required: ['n'] } }, createRng(1));
  assert.ok('argSets' in plan && plan.argSets.length === 16);
  if ('argSets' in plan) for (const args of plan.argSets) assert.ok([3, 4, 5].includes(args.n as number));
  const impossible = planToolArguments({ name: 't', inputSchema: { type: 'object', properties: { x: { type: 'string', pattern: '^(?=x)y$' } }, required: ['x'] } }, createRng(1));
  assert.ok('problem' in impossible && /no generated arguments fit/.test(impossible.problem));
  const broken = planToolArguments({ name: 't', inputSchema: { type: 'object', properties: { a: { $ref: '#/missing' } } } }, createRng(1));
  assert.ok('problem' in broken && /cannot be used/.test(broken.problem));
});

test('outputCheck turns a structuredContent mismatch into a failure text, never a throw', () => {
  assert.equal(outputCheck(undefined), undefined);
  const check = outputCheck({ type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] });
  assert.equal(typeof check, 'function');
  if (typeof check !== 'function') return;
  assert.equal(check({ structuredContent: { sum: 3 } }), undefined);
  assert.match(check({ structuredContent: { sum: 'three' } }) ?? '', /does not match outputSchema: \/sum must be number/);
  assert.match(check({ content: [] }) ?? '', /no structuredContent/);
  assert.match(check(undefined) ?? '', /no structuredContent/);
});

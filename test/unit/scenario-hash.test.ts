import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { RunSetupError } from '../../src/app/run-setup-error.js';
import { scenarioHash } from '../../src/app/scenario-hash.js';

const BASE = { userClasses: [], tags: [], excludeTags: [], thresholds: [] };

test('the scenario hash: the file\'s bytes and the options that choose what it does, not its path or the load', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'mcpload-hash-'));
  try {
    const a = path.join(dir, 'a.ts');
    const b = path.join(dir, 'sub-b.ts');
    await writeFile(a, 'export default 1;\n');
    await writeFile(b, 'export default 1;\n');
    const hashA = await scenarioHash({ ...BASE, scenario: a });
    assert.equal(await scenarioHash({ ...BASE, scenario: b, thresholds: ['p(95)<1'], host: 'http://elsewhere' }), hashA, 'same bytes elsewhere: the same scenario');
    await writeFile(b, 'export default 2;\n');
    assert.notEqual(await scenarioHash({ ...BASE, scenario: b }), hashA);
    assert.notEqual(await scenarioHash({ ...BASE, scenario: a, tags: ['x'] }), hashA);
    assert.equal(await scenarioHash({ ...BASE, scenario: a, tags: ['y', 'x'] }), await scenarioHash({ ...BASE, scenario: a, tags: ['x', 'y'] }));
    assert.notEqual(await scenarioHash({ ...BASE, scenario: 'classic' }), await scenarioHash({ ...BASE, scenario: 'discover' }));
    await assert.rejects(scenarioHash({ ...BASE, scenario: path.join(dir, 'missing.ts') }), (err) => err instanceof RunSetupError && /no such file/.test(err.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

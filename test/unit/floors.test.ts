/**
 * The floors of src/ (docs/architecture.md): a module imports only from its
 * own floor or below. Read from the import graph madge builds (type-only
 * and lazy `import()` imports included), the same graph `npm run lint`
 * checks for cycles.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Bottom to top; a folder of src/ (or a file at its root) and its floor. */
const FLOORS: ReadonlyArray<readonly string[]> = [
  ['protocol', 'metrics', 'engine', 'process', 'values', 'version.ts'],
  ['transports'],
  ['scenarios', 'security'],
  ['report'],
  ['reporters', 'server'],
  ['app'],
  // The web UI sits beside app/ and builds on its TestRun: web/ imports app/, never the other way.
  ['web'],
  ['cli', 'index.ts'],
];

/**
 * Imports that climb today and wait for a decision, each with its reason; the
 * test fails when one is added, and when one of these is gone (drop it here).
 */
const KNOWN_UPWARD: readonly string[] = [];

function floorOf(file: string): number {
  const top = file.split('/')[0] ?? file;
  const floor = FLOORS.findIndex((names) => names.includes(top));
  assert.notEqual(floor, -1, `${file}: ${top} is on no floor; add it to FLOORS here and to docs/architecture.md`);
  return floor;
}

test('every import in src/ goes to the same floor or below', { timeout: 120_000 }, async () => {
  // madge is CommonJS.
  const madge = createRequire(import.meta.url)('madge') as (dir: string, config: object) => Promise<{ obj(): Record<string, string[]> }>;
  const graph = (await madge(path.join(ROOT, 'src'), { fileExtensions: ['ts'], tsConfig: path.join(ROOT, 'tsconfig.json') })).obj();
  assert.ok(Object.keys(graph).length > 100, 'madge read the source tree');
  const upward: string[] = [];
  for (const [file, imports] of Object.entries(graph)) {
    const from = floorOf(file);
    for (const imported of imports) {
      if (floorOf(imported) > from) upward.push(`${file} imports ${imported}`);
    }
  }
  assert.deepEqual(upward.sort(), [...KNOWN_UPWARD].sort());
});

#!/usr/bin/env node
// Writes docs/cli.md from the commander definitions (build first: npx tsc -p tsconfig.build.json).
// With --check, exits 1 when docs/cli.md differs instead of writing it.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_REFERENCE_FILE, renderCliReference } from '../dist/cli/cli-reference.js';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', CLI_REFERENCE_FILE);
const text = renderCliReference();
if (process.argv.includes('--check')) {
  const current = readFileSync(file, 'utf8');
  if (current !== text) {
    process.stderr.write(`${CLI_REFERENCE_FILE} is out of date: run node scripts/cli-reference.mjs\n`);
    process.exit(1);
  }
} else {
  writeFileSync(file, text);
  process.stdout.write(`wrote ${CLI_REFERENCE_FILE}\n`);
}

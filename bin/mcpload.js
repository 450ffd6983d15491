#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// A clone before its first build (or after npm pack's clean): one line, not a module-not-found trace.
if (!existsSync(new URL('../dist/cli/main.js', import.meta.url))) {
  process.stderr.write(`error: mcpload is not built: run npm ci (or npm run build) in ${fileURLToPath(new URL('..', import.meta.url))}\n`);
  process.exit(2);
}
const { relaunchIfWanted } = await import('../dist/cli/relaunch.js');
if (!(await relaunchIfWanted())) await import('../dist/cli/main.js');

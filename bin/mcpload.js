#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// A clone before its first build (or after npm pack's clean): one line, not a module-not-found trace.
if (!existsSync(new URL('../dist/cli/main.js', import.meta.url))) {
  process.stderr.write(`error: mcpload is not built: run npm ci (or npm run build) in ${fileURLToPath(new URL('..', import.meta.url))}\n`);
  process.exit(2);
}
// `mcpload ... | head`: a reader that goes away ends the output, not the command (a run still writes its reports).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}
const { relaunchIfWanted } = await import('../dist/cli/relaunch.js');
if (!(await relaunchIfWanted())) await import('../dist/cli/main.js');

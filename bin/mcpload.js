#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// `mcpload ... | head`: a reader that goes away ends the output, not the command (a run still writes its reports).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // Answered here, as commander would, without loading the program: a version check costs one bare Node start.
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else if (!existsSync(new URL('../dist/cli/main.js', import.meta.url))) {
  // A clone before its first build (or after npm pack's clean): one line, not a module-not-found trace.
  process.stderr.write(`error: mcpload is not built: run npm ci (or npm run build) in ${fileURLToPath(new URL('..', import.meta.url))}\n`);
  process.exitCode = 2;
} else {
  const { relaunchIfWanted } = await import('../dist/cli/relaunch.js');
  if (!(await relaunchIfWanted())) await import('../dist/cli/main.js');
}

/**
 * npm's `prepare`: builds after `npm ci` / `npm install` in a clone and for
 * git installs. `npm pack` and `npm publish` run `prepack` (a clean build)
 * right before `prepare`, so here the second build is skipped.
 */
import { spawnSync } from 'node:child_process';

const command = process.env.npm_command;
if (command === 'pack' || command === 'publish') {
  console.log(`prepare: skipped, prepack built for npm ${command}`);
} else {
  const npm = process.env.npm_execpath;
  // npm_execpath is npm's own CLI script: run it with the Node that runs us.
  const result = npm
    ? spawnSync(process.execPath, [npm, 'run', 'build'], { stdio: 'inherit' })
    : spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
  process.exit(result.status ?? 1);
}

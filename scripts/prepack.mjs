/**
 * npm's `prepack` (npm pack, npm publish): a clean build, so that nothing a
 * removed source file left in dist/ ends up in the package.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const npm = process.env.npm_execpath;
// npm_execpath is npm's own CLI script: run it with the Node that runs us.
const result = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);

/**
 * A Node.js binary of another major version for the tests that need one (the
 * MCP conformance suite needs Node 22), found or installed by
 * scripts/node-version.sh: $MCPLOAD_NODE<major> if set, else
 * .cache/node-<major>/, installed from npm on first use. Nothing goes to
 * node_modules/.bin, so the tests themselves run on the Node on the PATH.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/node-version.sh');

export type NodeBinary = { path: string; missing?: undefined } | { path?: undefined; missing: string };

/**
 * The binary's path, or why there is none. An install that fails is reported
 * on stderr as well, so that a skipped suite never goes unnoticed in CI.
 */
export function nodeBinary(major: number): NodeBinary {
  try {
    const out = execFileSync('bash', [SCRIPT, String(major)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // A first install downloads about 30 MB.
      timeout: 240_000,
    });
    return { path: out.trim() };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const why = (e.stderr?.trim() || e.message).split('\n').slice(-3).join(' / ');
    const missing = `no Node ${major} (scripts/node-version.sh ${major} failed: ${why})`;
    process.stderr.write(`${missing}\n`);
    return { missing };
  }
}

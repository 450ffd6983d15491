/**
 * The name and version the reference server reports (MCP serverInfo, the
 * status route, the info resource). Read once from mcpload's own package.json,
 * which sits two folders up both from `src/server/` and from `dist/server/`.
 */
import { readFileSync } from 'node:fs';

export interface PackageInfo {
  name: string;
  version: string;
}

function readPackageInfo(): PackageInfo {
  try {
    const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const parsed = JSON.parse(raw) as { name?: unknown; version?: unknown };
    return {
      name: typeof parsed.name === 'string' ? parsed.name : 'mcpload',
      version: typeof parsed.version === 'string' ? parsed.version : '0.0.0',
    };
  } catch {
    // A repackaged copy without package.json still serves; it just cannot say its version.
    return { name: 'mcpload', version: '0.0.0' };
  }
}

export const PACKAGE_INFO: PackageInfo = readPackageInfo();

/** The serverInfo name of the reference server, distinct from the load tester itself. */
export const SERVER_NAME = `${PACKAGE_INFO.name}-reference-server`;

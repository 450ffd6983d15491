/**
 * Where the `--bench-mode` scenario (bench.ts) lives, for the loader. Its own
 * module, importing nothing but node:url, so the CLI can name the scenario
 * without loading the raw client it runs on (node:tls costs every start).
 */
import { fileURLToPath } from 'node:url';

/** bench.js in dist/, bench.ts from source. */
export function benchScenarioFile(): string {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return fileURLToPath(new URL(`./bench${ext}`, import.meta.url));
}

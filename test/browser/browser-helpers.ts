/** Real Chromium (the Debian package) driven by playwright-core, for the web UI and report tests. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { until as pollUntil } from '../helpers/until.js';
import { ROOT } from '../integration/cli-helpers.js';

export const CHROMIUM = process.env.MCPLOAD_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Screenshots land here (gitignored), one file per tab, so a person can look at them after a run. */
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** Re-reads `read` every 100 ms until `ok` accepts its value; fails with the last value after `timeoutMs`. */
export async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  let last: T | undefined;
  const accepted = await pollUntil(() => `${what} (last: ${JSON.stringify(last)})`, async () => {
    last = await read();
    return ok(last) ? { value: last } : undefined;
  }, { timeoutMs, everyMs: 100 });
  return accepted.value;
}

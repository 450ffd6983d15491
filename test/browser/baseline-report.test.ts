/**
 * `run --baseline --html`: the report's Baseline tab draws the baseline's
 * figures beside the run's, with the change, the noise test and the
 * --fail-on checks. A real headless run against a server with `--delay`,
 * compared with a run against the same server without it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ROOT, runCli, startServeProcess } from '../integration/cli-helpers.js';
import { artifact, launchChromium } from './browser-helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcpload-baseline-report-'));
let browser: Browser;

before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the HTML report of a run with --baseline has a Baseline tab: both runs\' percentiles side by side', async () => {
  const plain = await startServeProcess();
  const slowed = await startServeProcess(['--delay', '100ms']);
  const load = ['run', path.join(ROOT, 'test/fixtures/paced-add.ts'), '--headless', '-u', '5', '-r', '5', '-t', '4s', '--print-interval', '0'];
  const base = path.join(dir, 'base.json');
  const report = path.join(dir, 'report.html');
  try {
    assert.equal((await runCli([...load, '--host', plain.url, '--json', base])).code, 0);
    const run = await runCli([...load, '--host', slowed.url, '--baseline', base, '--fail-on', 'p95>+10%', '--html', report]);
    assert.equal(run.code, 1, run.stdout + run.stderr);
  } finally {
    await Promise.all([plain.stop(), slowed.stop()]);
  }
  const context = await browser.newContext({ offline: true, viewport: { width: 1400, height: 900 } });
  await context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(pathToFileURL(report).href);
    await page.getByTestId('tab-baseline').click();
    const table = page.getByTestId('baseline-table');
    await table.waitFor();
    const p95 = table.locator('tr[data-entry="Aggregated"][data-metric="p95"] td');
    const cells = await p95.allInnerTexts();
    assert.equal(cells[1], 'p95 (ms)');
    assert.ok(Number(cells[3]) > Number(cells[2]), `this run's p95 ${cells[3]} is above the baseline's ${cells[2]}`);
    assert.equal(cells[5], 'SIGNIFICANT');
    await page.getByText('Regression: a --fail-on condition failed').waitFor();
    await page.screenshot({ path: artifact('40-report-baseline.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

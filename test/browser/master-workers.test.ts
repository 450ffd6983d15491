/**
 * The Workers tab of a master's web UI in real Chromium: a real `mcpload
 * run --master` (web UI) and two real workers on loopback against a target
 * that counts hits. The tab lists both workers as they join; the run
 * started from the form runs on both; Stop from the page stops both, and
 * they stay until the master quits.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { countingServer } from '../helpers/counting-server.js';
import { freePort, ROOT, startCli, type CliResult } from '../integration/cli-helpers.js';
import { startWebCli, type WebCli } from '../integration/web-helpers.js';
import { artifact, launchChromium, until } from './browser-helpers.js';

const HITS = path.join(ROOT, 'test/fixtures/hit-counter.ts');
const ENV = { MCPLOAD_RELAUNCHED: '1', MCPLOAD_MASTER_TOKEN: 'browser-master-token-3c9a' };

const target = countingServer();
let web: WebCli;
let workers: Array<Promise<CliResult>> = [];
let browser: Browser;
let page: Page;

function rows(): Promise<string[][]> {
  return page.locator('[data-testid=worker-row]').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));
}

before(async () => {
  await target.listen();
  const port = await freePort();
  [web, browser] = await Promise.all([
    startWebCli(['--master', '--expect-workers', '2', '--master-bind-port', String(port), '--host', target.url(), HITS, '-u', '4', '-r', '100'], ENV),
    launchChromium(),
  ]);
  workers = [0, 1].map(() => startCli(['run', '--worker', '--master-host', '127.0.0.1', '--master-port', String(port), HITS], ENV).done);
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
});

after(async () => {
  await browser?.close();
  if (web && web.child.exitCode === null) await web.interrupt();
  await target.close();
});

test('the Workers tab lists both workers; the form starts them, Stop stops them', async () => {
  await page.goto(web.url);
  await page.getByTestId('tab-workers').click();
  const joined = await until('two worker rows', rows, (r) => r.length === 2 && r.every((cells) => cells[2] === 'waiting'));
  assert.deepEqual(joined.map((cells) => cells[0]), ['0', '1']);
  await page.screenshot({ path: artifact('master-01-workers-waiting.png') });

  const form = page.getByTestId('start-form');
  await page.getByTestId('start-button').click();
  await form.waitFor({ state: 'detached' });
  // -u 4 over two workers: two users each, both running, with their CPU use shown.
  const running = await until('both workers running', rows, (r) => r.length === 2 && r.every((cells) => cells[2] === 'running' && cells[3] === '2' && cells[5] !== '–'));
  assert.equal(running.length, 2);
  await until('requests served', () => Promise.resolve(target.hits.length), (n) => n > 0);
  await page.screenshot({ path: artifact('master-02-workers-running.png') });

  await page.getByTestId('stop').click();
  await until('both workers stopped', rows, (r) => r.length === 2 && r.every((cells) => cells[2] === 'stopped'));
  await page.screenshot({ path: artifact('master-03-workers-stopped.png') });
  await page.getByTestId('tab-logs').click();
  await until('the join and stop lines in the log', () => page.getByTestId('logs').innerText(), (t) => /worker 1 \([^)]+\) joined/.test(t) && /worker 0 \([^)]+\) +done/.test(t));
  // The workers stay for the next test; the master's Ctrl-C ends the session and they exit.
  assert.equal((await web.interrupt()).code, 0);
  for (const done of workers) assert.equal((await done).code, 0);
});

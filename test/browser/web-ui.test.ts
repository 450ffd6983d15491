/**
 * The web UI in real Chromium at 1400×900: start a run from the form against
 * the embedded server, watch the table (Locust's columns all in view) and
 * charts fill, change the users, pick an entry's chart, download the stats
 * CSV, reload and find the history, stop (the header settles), read the logs
 * in order. Every tab is photographed into test-artifacts/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { STATS_HEADER } from '../../src/reporters/csv.js';
import { startWebCli, type WebCli } from '../integration/web-helpers.js';
import { artifact, launchChromium, until } from './browser-helpers.js';

/** Locust's Statistics columns, in Locust's order. */
const LOCUST_COLUMNS = [
  'Type', 'Name', '# Requests', '# Fails', 'Median (ms)', '95%ile (ms)', '99%ile (ms)', 'Average (ms)', 'Min (ms)', 'Max (ms)',
  'Average size (bytes)', 'Current RPS', 'Current Failures/s',
];
const VIEWPORT = { width: 1400, height: 900 };

const TABS = ['stats', 'charts', 'failures', 'exceptions', 'security', 'thresholds', 'ratio', 'download', 'logs'] as const;

let web: WebCli;
let browser: Browser;
let page: Page;

async function chartPoints(testId: string): Promise<number> {
  return Number(await page.getAttribute(`[data-testid=${testId}]`, 'data-points'));
}

function text(testId: string): Promise<string> {
  return page.getByTestId(testId).innerText();
}

before(async () => {
  [web, browser] = await Promise.all([startWebCli(['-u', '3', '-r', '10']), launchChromium()]);
  page = await browser.newPage({ viewport: VIEWPORT, acceptDownloads: true });
  page.on('pageerror', (err) => assert.fail(`page error: ${err.message}`));
});

after(async () => {
  await browser?.close();
  if (web && web.child.exitCode === null) await web.interrupt();
});

test('start from the form, watch, change users, download, reload, stop', async () => {
  await page.goto(web.url);
  const form = page.getByTestId('start-form');
  await form.waitFor();
  assert.equal(await form.locator('input[name=user_count]').inputValue(), '3', 'command line -u pre-fills the form');
  await page.screenshot({ path: artifact('01-start-form.png') });

  // 5 users split 1:3:1 exactly, so one MCPServerUser tries every must-stay-closed route at its start.
  await form.locator('input[name=user_count]').fill('5');
  await page.getByTestId('start-button').click();
  await form.waitFor({ state: 'detached' });

  // The statistics table fills.
  await until('table rows', () => page.locator('[data-testid=stats-table] tbody tr[data-name]').count(), (n) => n >= 5);
  await until('users', () => text('users'), (t) => /^[1-9]/.test(t));
  // SECURITY rows come with that user's start sweep, which can land after the first rows.
  await until('SECURITY rows are marked', () => page.locator('tr.security').count(), (n) => n > 0);
  assert.ok(await page.locator('.tag-threshold').count() > 0, 'threshold rows are marked');
  // Every Locust column is in view at 1400 px, in Locust's order, and the page does not scroll sideways.
  const headers = await page.locator('[data-testid=stats-table] thead th').evaluateAll((ths) => ths.map((th) => {
    const box = th.getBoundingClientRect();
    return { text: (th.textContent ?? '').replace(/[▲▼]/g, '').trim(), right: box.right };
  }));
  assert.deepEqual(headers.map((h) => h.text), LOCUST_COLUMNS, 'the first-byte columns are off until asked for');
  for (const h of headers) assert.ok(h.right <= VIEWPORT.width, `column "${h.text}" ends at ${h.right} px, beyond ${VIEWPORT.width}`);
  const pageWidth = await page.locator('html').evaluate((el) => el.scrollWidth);
  assert.ok(pageWidth <= VIEWPORT.width, `the page is ${pageWidth} px wide`);
  await page.screenshot({ path: artifact('02a-stats-1400.png') });

  // HTTP replies: the time to first byte after Locust's columns (a toggle), a figure on the MCP rows, none on the probes.
  await page.getByTestId('first-byte-toggle').check();
  await page.locator('th', { hasText: 'First byte median (ms)' }).waitFor();
  const lastTwo = (await page.locator('[data-testid=stats-table] thead th').allTextContents()).slice(-2);
  assert.deepEqual(lastTwo.map((t) => t.replace(/[▲▼]/g, '').trim()), ['First byte median (ms)', 'First byte 95%ile (ms)']);
  const toolFirstByte = await page.locator('[data-testid=stats-table] tbody tr[data-type="tools/call"] td.ttfb50').first().textContent();
  assert.match(toolFirstByte ?? '', /^\d/, `tools/call first byte: ${toolFirstByte}`);
  assert.equal(await page.locator('[data-testid=stats-table] tbody tr.security td.ttfb50').first().textContent(), '–');

  // Sorting by a numeric column puts the largest first.
  await page.locator('th', { hasText: '# Requests' }).click();
  const counts = await page.locator('[data-testid=stats-table] tbody td.requests').allTextContents();
  const numbers = counts.map((c) => Number(c.replace(/,/g, '')));
  assert.deepEqual(numbers, [...numbers].sort((a, b) => b - a));

  // The charts receive points.
  await page.getByTestId('tab-charts').click();
  await until('chart points', () => chartPoints('chart-rps'), (n) => n >= 3);
  assert.ok(await page.locator('[data-testid=chart-rps] canvas').count() > 0, 'uPlot drew a canvas');
  assert.ok(await chartPoints('chart-latency') >= 3);
  assert.ok(await chartPoints('chart-users') >= 3);

  // Change the user count while running.
  await page.getByTestId('edit-users').click();
  await page.locator('[data-testid=users-editor] input[name=user_count]').fill('6');
  await page.locator('[data-testid=users-editor] input[name=spawn_rate]').fill('20');
  await page.getByTestId('apply-users').click();
  await until('6 users', () => text('users'), (t) => t === '6');

  // Pick one entry's chart from the table.
  await page.getByTestId('tab-stats').click();
  await page.locator('[data-testid=stats-table] tbody tr[data-type="tools/call"] .icon-button').first().click();
  await page.getByTestId('chart-entry').waitFor();
  await until('entry chart points', () => chartPoints('chart-entry'), (n) => n >= 1);

  // Every tab, photographed.
  for (const [i, tab] of TABS.entries()) {
    await page.getByTestId(`tab-${tab}`).click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: artifact(`${String(i + 2).padStart(2, '0')}-tab-${tab}.png`), fullPage: tab === 'charts' });
  }

  // Download the stats CSV from the Download tab.
  await page.getByTestId('tab-download').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-statistics-csv').click()]);
  const csv = readFileSync((await download.path())!, 'utf8');
  assert.deepEqual(csv.split('\r\n')[0]!.split(','), STATS_HEADER);
  assert.match(download.suggestedFilename(), /^mcpload_stats_.*\.csv$/);

  // Reload: the whole history is still there.
  await page.getByTestId('tab-charts').click();
  const before = await chartPoints('chart-rps');
  await page.reload();
  await page.getByTestId('tab-charts').click();
  await until('history after reload', () => chartPoints('chart-rps'), (n) => n >= before);

  // Logs follow the newest line: 40 more lines overflow the box, which stays scrolled to its end.
  for (let i = 0; i < 40; i++) {
    const res = await fetch(`${web.url}/swarm`, { method: 'POST', body: new URLSearchParams({ user_count: '6', spawn_rate: '20' }) });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  }
  await page.getByTestId('tab-logs').click();
  await until('the 40 lines', () => page.locator('[data-testid=logs] .log-line').count(), (n) => n >= 42);
  const logs = page.getByTestId('logs');
  assert.ok(await logs.evaluate((el) => el.scrollHeight > el.clientHeight), 'the lines overflow the box');
  await until('the newest line in view', () => logs.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight), (gap) => gap < 24);
  await page.screenshot({ path: artifact('11-logs-following.png') });

  // Stop: the header settles (no countdown left, the run's average rate named as such, the peak beside the users).
  await page.getByTestId('stop').click();
  await until('stopped', () => text('state'), (t) => /stopped/i.test(t));
  const header = await page.locator('header.topbar').innerText();
  assert.doesNotMatch(header, /\bleft\b/i, `no countdown once stopped: ${header}`);
  assert.match(header, /RPS \(run avg\)/i);
  assert.ok(Number(/peak (\d+)/.exec(header)?.[1]) >= 5, `the peak user count once stopped: ${header}`);
  assert.match(header, /\bRan\b/i);
  // The page's verdict is the one the run's result (and a headless run) gives.
  const result = await (await fetch(`${web.url}/stats/result`)).json() as { passed: boolean };
  assert.equal(await text('verdict'), result.passed ? 'PASS' : 'FAIL');
  await page.screenshot({ path: artifact('12-stopped-header.png') });

  // Logs read top to bottom in the order things happened, ending with the verdict.
  await page.getByTestId('tab-logs').click();
  await page.getByText(/^verdict: /).first().waitFor();
  const lines = await page.locator('[data-testid=logs] .log-line .text').allTextContents();
  const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
  const order = [/^test started/, /^users changed to 6/, /^stopping/, /^test stopped/, /^verdict: /].map(at);
  assert.ok(order.every((i) => i >= 0), `every step is logged: ${JSON.stringify(lines)}`);
  assert.deepEqual(order, [...order].sort((a, b) => a - b), `oldest first: ${JSON.stringify(lines)}`);
  const boxes = await Promise.all([order[0]!, order[4]!].map((i) => page.locator('[data-testid=logs] .log-line').nth(i).boundingBox()));
  assert.ok(boxes[0]!.y < boxes[1]!.y, 'the start is drawn above the verdict');
  await page.screenshot({ path: artifact('12-stopped-logs.png') });
  await page.getByTestId('new-test').click();
  await page.getByTestId('start-form').waitFor();
  await page.screenshot({ path: artifact('13-new-test-form.png') });
});

/**
 * The Logs tab reads like a terminal, oldest first: a scenario's notes appear
 * in the order written, and a note of three lines reads top to bottom.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ROOT } from '../integration/cli-helpers.js';
import { startWebCli, type WebCli } from '../integration/web-helpers.js';
import { artifact, launchChromium } from './browser-helpers.js';

let web: WebCli;
let browser: Browser;

before(async () => {
  [web, browser] = await Promise.all([startWebCli([path.join(ROOT, 'test/browser/fixtures/three-notes.ts')]), launchChromium()]);
});

after(async () => {
  await browser?.close();
  if (web && web.child.exitCode === null) await web.interrupt();
});

test('notes are logged in the order written, and a three-line note reads top to bottom', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(web.url);
  await page.getByTestId('tab-logs').click();
  const logs = page.getByTestId('logs');
  await logs.waitFor();
  const texts = await logs.locator('.log-line .text').allTextContents();
  const at = (text: string) => texts.findIndex((t) => t === text);
  const order = ['note one: first', 'note two: second', 'note three: third', 'line A of a note\nline B of a note\nline C of a note'].map(at);
  assert.ok(order.every((i) => i >= 0), `every note is logged: ${JSON.stringify(texts)}`);
  assert.deepEqual(order, [...order].sort((a, b) => a - b), `in the order written: ${JSON.stringify(texts)}`);

  // The three lines of one note are drawn one under the other, A at the top.
  const ys = await Promise.all(['line A of a note', 'line B of a note', 'line C of a note'].map(async (line) => {
    const box = await logs.locator('.text', { hasText: 'line A of a note' }).evaluate((el, wanted) => {
      const range = el.ownerDocument.createRange();
      const node = el.firstChild!;
      const start = node.textContent!.indexOf(wanted);
      range.setStart(node, start);
      range.setEnd(node, start + wanted.length);
      return range.getBoundingClientRect().y;
    }, line);
    return box;
  }));
  assert.ok(ys[0]! < ys[1]! && ys[1]! < ys[2]!, `line A above B above C: ${ys.join(', ')}`);
  await page.screenshot({ path: artifact('30-logs-notes-in-order.png') });
});

/**
 * The HTML report: one self-contained file that opens offline. It holds the
 * web UI's own script and stylesheet inline and the run's figures as JSON;
 * the page draws its charts from that data. Its Content-Security-Policy
 * forbids every network request, so opening it never reaches anything.
 */
import { writeReportFile } from './report-file.js';
import { uiBundle } from '../report/ui-assets.js';
import { reportData } from '../report/views.js';
import type { RunResult } from '../report/run-result.js';
import type { Comparison } from '../report/comparison.js';
import { redactSettings } from '../report/redact.js';
import type { EndOutput } from './output.js';

/** Inline scripts and styles only; no fetch, image, font or frame from anywhere. */
export const REPORT_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:";

/** JSON that is safe inside a <script> element: no "<" can close it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Script text that cannot end its <script> element early. */
function inlineScript(js: string): string {
  return js.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** @param baseline `run --baseline`'s comparison: a Baseline tab draws its figures beside the run's. */
export async function renderHtmlReport(result: RunResult, baseline?: Comparison): Promise<string> {
  const { js, css } = await uiBundle();
  const data = reportData({ ...result, settings: redactSettings(result.settings) }, baseline);
  // The verdict in the title: a browser tab (or a CI artifact list) tells a failed run apart without opening it.
  const title = `mcpload report · ${data.scenario || 'run'} · ${data.passed ? 'PASSED' : 'FAILED'} · ${data.startedAt}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${css.replace(/<\/style/gi, '<\\/style')}</style>`,
    '</head>',
    '<body>',
    '<div id="app"></div>',
    `<script type="application/json" id="mcpload-report">${scriptJson(data)}</script>`,
    `<script type="module">${inlineScript(js)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Writes the report, creating the parent directory; atomic via rename. */
export async function writeHtmlReport(file: string, result: RunResult, baseline?: Comparison): Promise<void> {
  await writeReportFile(file, await renderHtmlReport(result, baseline));
}

export const htmlReport: EndOutput = {
  name: 'html', flag: '--html', mode: 'end', write: (file, result, context) => writeHtmlReport(file, result, context.comparison),
};

/**
 * JUnit XML, the format CI systems read for test results (Jenkins, GitLab,
 * GitHub test reporters): <testsuites> of <testsuite>s of <testcase>s, with
 * <failure>, <error> or <skipped> inside a test case that did not pass.
 *
 * A probe is one suite, each check a test case. A run is two suites:
 * "thresholds" (each threshold a test case) and "security" (each SECURITY
 * row a test case).
 */
import { writeReportFile } from './report-file.js';
import type { CheckReport } from '../security/check.js';
import type { RunResult } from '../report/run-result.js';
import type { EndOutput } from './output.js';

export interface JUnitCase {
  name: string;
  classname: string;
  timeS: number;
  outcome: 'pass' | 'failure' | 'error' | 'skipped';
  /** One line: the reason. */
  message?: string;
  /** The details (evidence), as the element's text. */
  details?: string;
}

export interface JUnitSuite {
  name: string;
  timestamp: string;
  timeS: number;
  cases: JUnitCase[];
}

/** XML 1.0 forbids most control characters even escaped; they are dropped. */
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function xmlEscape(text: string): string {
  return text
    .replace(XML_INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function seconds(s: number): string {
  return (Math.round(s * 1000) / 1000).toFixed(3);
}

function formatCase(c: JUnitCase): string {
  const open = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}" time="${seconds(c.timeS)}"`;
  if (c.outcome === 'pass') return `${open}/>`;
  const tag = c.outcome;
  const message = c.message === undefined ? '' : ` message="${xmlEscape(c.message)}"`;
  const type = tag === 'skipped' ? '' : ` type="${tag === 'failure' ? 'AssertionError' : 'Inconclusive'}"`;
  const inner = c.details ? `<${tag}${message}${type}>${xmlEscape(c.details)}</${tag}>` : `<${tag}${message}${type}/>`;
  return `${open}>\n      ${inner}\n    </testcase>`;
}

export function formatJUnit(suites: readonly JUnitSuite[], name = 'mcpload'): string {
  const count = (s: JUnitSuite, o: JUnitCase['outcome']) => s.cases.filter((c) => c.outcome === o).length;
  const total = (o: JUnitCase['outcome'] | 'all') => suites.reduce((n, s) => n + (o === 'all' ? s.cases.length : count(s, o)), 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(name)}" tests="${total('all')}" failures="${total('failure')}" errors="${total('error')}" skipped="${total('skipped')}" time="${seconds(suites.reduce((t, s) => t + s.timeS, 0))}">`,
  ];
  suites.forEach((s, i) => {
    lines.push(
      `  <testsuite name="${xmlEscape(s.name)}" id="${i}" tests="${s.cases.length}" failures="${count(s, 'failure')}" errors="${count(s, 'error')}" skipped="${count(s, 'skipped')}" time="${seconds(s.timeS)}" timestamp="${xmlEscape(s.timestamp.replace(/\.\d+Z$/, ''))}">`,
    );
    for (const c of s.cases) lines.push(formatCase(c));
    lines.push('  </testsuite>');
  });
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

function evidenceText(r: CheckReport): string {
  const lines = [`kind: ${r.kind}${r.kind === 'conformance' ? ' (nothing was let through)' : ''}`, `spec: ${r.spec}`];
  if (r.quote) lines.push(`the spec: "${r.quote}"`);
  lines.push(`reason: ${r.reason}`);
  for (const ev of r.evidence) {
    lines.push(`sent: ${ev.request}`);
    const headers = ev.headers ? ` ${Object.entries(ev.headers).map(([k, v]) => `${k}: ${v}`).join('; ')}` : '';
    lines.push(`got: ${ev.status === 0 ? 'no reply' : ev.status}${headers} ${ev.body}`);
  }
  return lines.join('\n');
}

/**
 * The probe's checks as one suite. The class name stays the check's area
 * (a check keeps its test history whatever kind its finding is); the
 * message starts with the severity and the kind.
 */
export function probeSuite(reports: readonly CheckReport[], timestamp: string): JUnitSuite {
  const cases = reports.map((r): JUnitCase => ({
    name: r.id,
    classname: `mcpload.security.${r.category}`,
    timeS: r.durationMs / 1000,
    outcome: r.status === 'pass' ? 'pass' : r.status === 'fail' ? 'failure' : r.status === 'error' ? 'error' : 'skipped',
    message: `[${r.severity} ${r.kind}] ${r.title}: ${r.reason}`,
    ...(r.status === 'pass' ? {} : { details: evidenceText(r) }),
  }));
  return { name: 'mcpload probe', timestamp, timeS: reports.reduce((t, r) => t + r.durationMs, 0) / 1000, cases };
}

/** A load run: thresholds and security rows, each a test case. */
export function runSuites(result: RunResult): JUnitSuite[] {
  const timeS = Math.max(0, (Date.parse(result.endedAt) - Date.parse(result.startedAt)) / 1000);
  const thresholds = result.thresholds.map((t): JUnitCase => ({
    name: t.expr,
    classname: 'mcpload.thresholds',
    timeS: 0,
    outcome: t.passed ? 'pass' : 'failure',
    // What it was computed over, and whether it was a default, so a CI page tells why.
    message: `${t.detail}${t.over ? ` over ${t.over}` : ''}${t.isDefault ? ` (${t.source === 'mcpload' ? 'mcpload' : 'scenario'} default)` : ''}`,
    ...(t.passed ? {} : { details: `${t.detail}${t.over ? ` over ${t.over}` : ''}` }),
  }));
  const security = result.security.map((s): JUnitCase => ({
    name: s.name,
    classname: 'mcpload.security',
    timeS: 0,
    outcome: s.passed ? 'pass' : 'failure',
    message: `${s.failures} of ${s.attempts} attempts failed`,
    ...(s.passed ? {} : { details: s.evidence.join('\n') }),
  }));
  return [
    { name: 'thresholds', timestamp: result.startedAt, timeS, cases: thresholds },
    { name: 'security', timestamp: result.startedAt, timeS, cases: security },
  ];
}

/** `--junit FILE`: a run's thresholds and security rows, or a probe's checks, each a test case. */
export const junitReport: EndOutput = {
  name: 'junit', flag: '--junit', mode: 'end',
  write: (file, result) => writeReportFile(file, formatJUnit(runSuites(result))),
  writeProbe: (file, probe) => writeReportFile(file, formatJUnit([probeSuite(probe.checks, probe.startedAt)])),
};

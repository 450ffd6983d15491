/** Starts `mcpload run` with its web UI on a free loopback port, for API and browser tests. */
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { until } from '../helpers/until.js';
import { startCli, type CliResult } from './cli-helpers.js';

export interface WebCli {
  url: string;
  /** The Prometheus URL when --prometheus-port was given. */
  metricsUrl?: string;
  child: ChildProcess;
  done: Promise<CliResult>;
  output(): { stdout: string; stderr: string };
  /** Ctrl-C, then the process' end. */
  interrupt(): Promise<CliResult>;
}

export async function startWebCli(args: string[], env: Record<string, string> = {}): Promise<WebCli> {
  const { child, done } = startCli(['run', '--web-port', '0', ...args], env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer | string) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer | string) => (stderr += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /web UI at (http:\/\/[^\s(]+)/.exec(stdout);
      if (m && (!args.includes('--prometheus-port') || /Prometheus metrics at/.test(stdout))) {
        clearInterval(timer);
        resolve(m[1]!);
      }
    }, 50);
    void done.then((r) => {
      clearInterval(timer);
      reject(new Error(`mcpload exited before serving the UI (code ${r.code}): ${r.stderr}`));
    });
  });
  const metricsUrl = /Prometheus metrics at (http:\/\/\S+\/metrics)/.exec(stdout)?.[1];
  return {
    url,
    metricsUrl,
    child,
    done,
    output: () => ({ stdout, stderr }),
    interrupt: async () => {
      child.kill('SIGINT');
      return done;
    },
  };
}

/** Polls `check` every 200 ms until it returns a value (not undefined), or fails after `timeoutMs`. */
export function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  return until(what, check, { timeoutMs, everyMs: 200 });
}

export async function getJson(url: string, init?: RequestInit): Promise<any> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** A GET with headers fetch() will not send as given (Host, Origin, Sec-Fetch-Site). */
export function rawRequest(url: string, method: string, headers: Record<string, string>, body = ''): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Reads server-sent events from `url` until `enough` says so (or `timeoutMs`). */
export async function readEvents(url: string, enough: (events: Array<{ event: string; data: any }>) => boolean, timeoutMs = 15_000, headers: Record<string, string> = {}): Promise<Array<{ event: string; data: any }>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const events: Array<{ event: string; data: any }> = [];
  try {
    const res = await fetch(url, { signal: controller.signal, headers });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        events.push({ event, data: JSON.parse(data) });
        if (enough(events)) return events;
      }
    }
    return events;
  } catch (err) {
    if (controller.signal.aborted) throw new Error(`SSE: timed out after ${events.length} events`);
    throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** Prometheus text format → samples (name, labels, value). Enough of the format for our own output. */
export function parsePrometheusText(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    const labelText = m[3] ?? '';
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/g;
    let consumed = 0;
    for (const l of labelText.matchAll(labelPattern)) {
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      consumed += l[0].length;
    }
    if (consumed !== labelText.length) throw new Error(`bad labels in: ${line}`);
    const value = m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
    if (Number.isNaN(value) && m[4] !== 'NaN') throw new Error(`bad value in: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return samples;
}

/**
 * The web UI's HTTP API: Locust's routes (so Locust users' scripts keep
 * working) plus what the page needs. One table, each route a small function
 * over the controller (commands) and the live feed (figures).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { Stats } from '../metrics/stats.js';
import type { Snapshot } from '../metrics/snapshot.js';
import { exceptionsCsv, failuresCsv, historyCsv, statsCsv } from '../reporters/csv.js';
import { renderHtmlReport, REPORT_CSP } from '../reporters/html.js';
import { redactSettings } from '../report/redact.js';
import type { WebController } from './controller.js';
import { BodyTooLargeError, fileStamp, readBody, sendJson, sendText } from './http-io.js';
import type { LiveFeed } from './live-feed.js';
import { locustStatsJson } from './locust-json.js';
import { parseSwarmForm, SwarmFormError } from './swarm-form.js';
import { seriesOf } from '../report/views.js';

const MAX_FORM_BYTES = 64 * 1024;
const CSV_TYPE = 'text/csv; charset=utf-8';

export interface RouteContext {
  controller: WebController;
  feed: LiveFeed;
  metrics?: Registry;
}

export interface Route {
  /** Changes the run: refused when a browser says another site sent it. */
  command?: boolean;
  handle(req: IncomingMessage, res: ServerResponse, url: URL, ctx: RouteContext): Promise<void> | void;
}

function currentSnapshot(ctx: RouteContext, history = false): Snapshot {
  return ctx.controller.run?.snapshot({ history }) ?? new Stats().snapshot();
}

function csvDownload(res: ServerResponse, name: string, text: string): void {
  sendText(res, 200, text, CSV_TYPE, { 'content-disposition': `attachment; filename="mcpload_${name}_${fileStamp()}.csv"` });
}

/** The form body (application/x-www-form-urlencoded), or the query string for scripts that send none. */
async function formOf(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const body = await readBody(req, MAX_FORM_BYTES);
  if (type.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body || '{}');
    } catch {
      throw new SwarmFormError('the JSON body does not parse');
    }
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      for (const v of Array.isArray(value) ? value : [value]) form.append(key, String(v));
    }
    return form;
  }
  if (body.trim() !== '' && !type.startsWith('application/x-www-form-urlencoded') && type !== '') {
    throw new SwarmFormError(`unsupported content type ${type} (send application/x-www-form-urlencoded)`);
  }
  return body.trim() !== '' ? new URLSearchParams(body) : url.searchParams;
}

const swarm: Route = {
  command: true,
  async handle(req, res, url, ctx) {
    try {
      const form = await formOf(req, url);
      const known = ctx.controller.available.map((c) => c.name);
      const defaults = ctx.controller.formDefaults();
      const request = parseSwarmForm(form, known, { users: defaults.users, spawnRate: defaults.spawnRate });
      const message = await ctx.controller.swarm(request);
      ctx.feed.push();
      sendJson(res, 200, { success: true, message, host: ctx.controller.host });
    } catch (err) {
      if (err instanceof SwarmFormError || err instanceof BodyTooLargeError) {
        sendJson(res, err instanceof BodyTooLargeError ? 413 : 400, { success: false, message: err.message });
      } else {
        sendJson(res, 500, { success: false, message: `could not start: ${(err as Error).message}` });
      }
    }
  },
};

const stop: Route = {
  command: true,
  async handle(_req, res, _url, ctx) {
    const pending = ctx.controller.stop('stopped from the web UI');
    ctx.feed.push();
    const stopped = await pending;
    ctx.feed.push();
    sendJson(res, 200, { success: true, message: stopped ? 'Test stopped' : 'No test was running' });
  },
};

const reset: Route = {
  command: true,
  handle(_req, res, _url, ctx) {
    ctx.controller.reset();
    ctx.feed.push();
    sendText(res, 200, 'ok');
  },
};

async function report(res: ServerResponse, ctx: RouteContext, url: URL): Promise<void> {
  const run = ctx.controller.run;
  if (!run) {
    sendText(res, 404, 'no test has run yet: start one first\n');
    return;
  }
  const html = await renderHtmlReport(run.result());
  const headers: Record<string, string> = { 'content-security-policy': REPORT_CSP };
  if (url.searchParams.has('download')) headers['content-disposition'] = `attachment; filename="mcpload_report_${fileStamp()}.html"`;
  sendText(res, 200, html, 'text/html; charset=utf-8', headers);
}

function tasks(ctx: RouteContext): Record<string, unknown> {
  const classes = ctx.feed.status().classes;
  return {
    per_class: Object.fromEntries(classes.map((c) => [c.name, {
      ratio: c.share, weight: c.weight, users: c.users, selected: c.selected,
      tasks: Object.fromEntries(c.tasks.map((t) => [t.name, t.share])),
    }])),
    total: Object.fromEntries(classes.map((c) => [c.name, {
      ratio: c.share,
      tasks: Object.fromEntries(c.tasks.map((t) => [t.name, t.share * c.share])),
    }])),
  };
}

export const ROUTES: Record<string, Route> = {
  'POST /swarm': swarm,
  'GET /stop': stop,
  'POST /stop': stop,
  'GET /stats/reset': reset,
  'POST /stats/reset': reset,
  'GET /stats/requests': { handle: (_q, res, _u, ctx) => sendJson(res, 200, locustStatsJson(ctx.feed.status())) },
  'GET /stats/requests/csv': { handle: (_q, res, _u, ctx) => csvDownload(res, 'stats', statsCsv(currentSnapshot(ctx))) },
  'GET /stats/requests_full_history/csv': { handle: (_q, res, _u, ctx) => csvDownload(res, 'stats_history', historyCsv(currentSnapshot(ctx, true))) },
  'GET /stats/failures/csv': { handle: (_q, res, _u, ctx) => csvDownload(res, 'failures', failuresCsv(currentSnapshot(ctx))) },
  'GET /exceptions/csv': { handle: (_q, res, _u, ctx) => csvDownload(res, 'exceptions', exceptionsCsv(currentSnapshot(ctx))) },
  'GET /exceptions': {
    handle: (_q, res, _u, ctx) => sendJson(res, 200, {
      exceptions: currentSnapshot(ctx).exceptions.map((e) => ({ count: e.count, msg: e.message, traceback: e.traceback, nodes: e.nodes.join(', ') })),
    }),
  },
  'GET /stats/report': { handle: (_q, res, url, ctx) => report(res, ctx, url) },
  'GET /stats/result': {
    handle: (_q, res, _u, ctx) => {
      const run = ctx.controller.run;
      if (!run) return sendJson(res, 404, { success: false, message: 'no test has run yet' });
      const result = run.result();
      res.setHeader('content-disposition', `attachment; filename="mcpload_result_${fileStamp()}.json"`);
      sendJson(res, 200, { ...result, settings: redactSettings(result.settings) });
    },
  },
  'GET /tasks': { handle: (_q, res, _u, ctx) => sendJson(res, 200, tasks(ctx)) },
  'GET /events': { handle: (req, res, _u, ctx) => ctx.feed.connect(req, res) },
  'GET /api/entry-history': {
    handle: (_q, res, url, ctx) => {
      const type = url.searchParams.get('type');
      const name = url.searchParams.get('name');
      if (type === null || name === null) return sendJson(res, 400, { success: false, message: 'type and name are required' });
      const history = ctx.controller.run?.snapshot({ history: true }).history ?? [];
      sendJson(res, 200, { type, name, series: seriesOf(history, type, name) });
    },
  },
  'GET /metrics': {
    async handle(_q, res, _u, ctx) {
      if (!ctx.metrics) return sendText(res, 404, 'Prometheus metrics are off: start with --prometheus\n');
      sendText(res, 200, await ctx.metrics.metrics(), ctx.metrics.contentType);
    },
  },
};

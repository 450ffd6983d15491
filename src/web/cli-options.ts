/**
 * The `run` options of the web UI and the Prometheus exporter: their value
 * parsers (one-line errors, exit 2) and how they become run options.
 */
import { InvalidArgumentError } from 'commander';
import { DEFAULT_PROMETHEUS_PORT, DEFAULT_WEB_PORT } from './ports.js';
import type { PrometheusOptions, WebUiOptions } from '../app/run-options.js';

/** `user:password` → parts; the password may contain ":". Here, not in access.ts: the CLI reads it without node:crypto. */
export function parseWebLogin(text: string): { user: string; password: string } {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new Error('--web-login must be user:password (both non-empty)');
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

export function parseWebLoginArg(text: string): { user: string; password: string } {
  try {
    return parseWebLogin(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function parseWebTokenArg(text: string): string {
  if (text.trim().length < 8) throw new InvalidArgumentError('--web-token must be at least 8 characters');
  return text.trim();
}

/** What commander parsed for the options declared in main.ts. */
export interface WebFlags {
  webHost?: string;
  webPort?: number;
  webLogin?: { user: string; password: string };
  webToken?: string;
  autostart?: boolean;
  prometheus?: boolean;
  prometheusPort?: number;
}

export function webOptionsFrom(flags: WebFlags): { web: WebUiOptions; prometheus?: PrometheusOptions } {
  const web: WebUiOptions = {
    host: flags.webHost ?? '127.0.0.1',
    port: flags.webPort ?? DEFAULT_WEB_PORT,
    autostart: flags.autostart ?? false,
  };
  if (flags.webLogin) web.login = flags.webLogin;
  if (flags.webToken) web.token = flags.webToken;
  // --prometheus-port alone turns the exporter on.
  const on = flags.prometheus === true || flags.prometheusPort !== undefined;
  return on ? { web, prometheus: { port: flags.prometheusPort ?? DEFAULT_PROMETHEUS_PORT } } : { web };
}

/**
 * The `mcpload serve --config FILE` file: extra deny rules and limits, as
 * JSON. Unknown keys are refused so that a typo does not silently leave a
 * route open.
 *
 * { "deny": [ { "path": "/internal", "methods"?: ["GET"], "reason": "..." } ],
 *   "allowedOrigins"?: ["https://app.example.com"],
 *   "maxSessions"?: 10000, "sessionIdleMs"?: 600000, "maxBodyBytes"?: 1048576 }
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { DenyRule } from '../protocol/sensitive-routes.js';

const HTTP_METHOD = /^[A-Za-z]+$/;

const DenyRuleSchema = z.strictObject({
  path: z.string().refine((p) => p === '*' || p.startsWith('/'), 'must be "*" or start with "/"'),
  methods: z
    .array(z.string().regex(HTTP_METHOD, 'must be an HTTP method name'))
    .min(1)
    .transform((methods) => methods.map((m) => m.toUpperCase()))
    .optional(),
  reason: z.string().min(1),
});

const ServeConfigSchema = z.strictObject({
  deny: z.array(DenyRuleSchema).optional(),
  allowedOrigins: z.array(z.string().min(1)).optional(),
  maxSessions: z.number().int().positive().optional(),
  sessionIdleMs: z.number().int().positive().optional(),
  maxBodyBytes: z.number().int().positive().optional(),
});

export interface ServeConfig {
  deny?: DenyRule[];
  allowedOrigins?: string[];
  maxSessions?: number;
  sessionIdleMs?: number;
  maxBodyBytes?: number;
}

/** Reads and checks a config file; any problem is one Error with a one-line message naming the file. */
export async function loadServeConfig(file: string): Promise<ServeConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseServeConfig(text, file);
}

export function parseServeConfig(text: string, file: string): ServeConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`config file ${file} is not valid JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = ServeConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new Error(`config file ${file}: ${where}: ${issue.message.split('\n')[0]}`);
  }
  return parsed.data;
}

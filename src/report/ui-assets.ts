/**
 * The built front end (Vite output in dist/web/ui): served by the web UI and
 * inlined into HTML reports. Files are read once and kept in memory; they are
 * small and fixed for the life of the process.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/web/ui of this package, whether this module runs from src/ (tsx) or from dist/. */
export function uiAssetDir(): string {
  return fileURLToPath(new URL('../../dist/web/ui/', import.meta.url));
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

export interface Asset {
  body: Buffer;
  contentType: string;
}

const cache = new Map<string, Promise<Asset | null>>();

/**
 * A file of the built UI by its URL path ("/", "/assets/app.js"); null when
 * there is no such file. Paths that leave the UI folder are refused.
 */
export function uiAsset(urlPath: string): Promise<Asset | null> {
  const relative = urlPath === '/' ? 'index.html' : urlPath.replace(/^\/+/, '');
  const root = uiAssetDir();
  const file = path.resolve(root, relative);
  if (!file.startsWith(root) || relative.includes('\0')) return Promise.resolve(null);
  let pending = cache.get(file);
  if (!pending) {
    pending = readFile(file).then(
      (body) => ({ body, contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' }),
      () => null,
    );
    cache.set(file, pending);
  }
  return pending;
}

export class MissingUiError extends Error {}

/** The app's script and stylesheet as text, for inlining into a report. */
export async function uiBundle(): Promise<{ js: string; css: string }> {
  const [js, css] = await Promise.all([uiAsset('/assets/app.js'), uiAsset('/assets/app.css')]);
  if (!js || !css) {
    throw new MissingUiError(`the web UI bundle is missing in ${uiAssetDir()} (run "npm run build")`);
  }
  return { js: js.body.toString('utf8'), css: css.body.toString('utf8') };
}

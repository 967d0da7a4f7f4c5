import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { ApiApp } from './api-context.js';
import { ApiError } from './api-errors.js';

/** The page's own files (control-plane/web), beside src/ and dist/ alike. */
export const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));

function resolved(specifier: string): string {
  return fileURLToPath(import.meta.resolve(specifier));
}

/**
 * The ES modules the page imports, by the name the import map in index.html gives them,
 * found where Node resolves the packages (no build step copies them). Erlang C is the
 * firmware's own module (it imports nothing), so the page's staffing advice is the box's.
 */
export function vendorFiles(): Record<string, string> {
  const uplot = dirname(resolved('uplot'));
  return {
    'preact.js': resolved('preact'),
    'preact-hooks.js': resolved('preact/hooks'),
    'htm.js': resolved('htm'),
    'uplot.js': join(uplot, 'uPlot.esm.js'),
    'uplot.css': join(uplot, 'uPlot.min.css'),
    'erlang-c.js': fileURLToPath(new URL('../queue/erlang-c.js', import.meta.resolve('@countyline/firmware/telemetry'))),
  };
}

/**
 * The ops page: `/` is its index.html, `/web/...` its modules, `/vendor/...` the libraries.
 * No token for these (they hold no data); every data call the page makes goes to /api/v1
 * with the token the operator signs in with.
 */
export async function webRoutes(app: ApiApp): Promise<void> {
  const vendor = vendorFiles();
  for (const [name, file] of Object.entries(vendor)) {
    if (!existsSync(file)) throw new Error(`ops page: ${name} not found at ${file}; run npm install (and npx tsc -b for the firmware's erlang-c.js)`);
  }
  // The page's files change with central: the browser asks every time (a 304 when unchanged).
  await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/web/', index: false, cacheControl: false, setHeaders: (res) => res.setHeader('cache-control', 'no-cache') });
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
  app.get<{ Params: { file: string } }>('/vendor/:file', { schema: { hide: true } }, (request, reply) => {
    const file = Object.hasOwn(vendor, request.params.file) ? vendor[request.params.file] : undefined;
    if (!file) throw new ApiError('not-found', `/vendor/${request.params.file}`);
    // A library changes only with an install: an hour in the browser's cache is safe.
    return reply.sendFile(basename(file), dirname(file), { cacheControl: true, maxAge: 3_600_000 });
  });
}

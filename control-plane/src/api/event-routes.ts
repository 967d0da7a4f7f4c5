import { Type } from '@sinclair/typebox';
import type { LiveChange } from '../live/live-feed.js';
import type { ApiApp, ApiContext } from './api-context.js';
import { errorResponses } from './api-errors.js';

const bearer = [{ bearer: [] }];
/** A client that has this much unsent is too slow to follow: its stream ends and it reconnects. */
const MAX_BACKLOG_BYTES = 1024 * 1024;

export interface EventRouteOptions {
  /** A comment line this often keeps proxies and the browser from closing a quiet stream. */
  heartbeatMs: number;
}

/**
 * `GET /events`: central's changes as Server-Sent Events (WHATWG HTML 9.2), for the ops page.
 * Each event names what changed (`event: alarm`, `data: {"boxId":...}`), not the new state:
 * the page fetches that from the API. The first event, `hello`, says who the token is, so the
 * page offers an operator's buttons only to operators. The browser's EventSource cannot send
 * an Authorization header; the page reads the stream with fetch instead.
 */
export function eventRoutes(app: ApiApp, ctx: ApiContext, opts: EventRouteOptions): void {
  const open = new Set<() => void>();
  // An open stream is never idle: without ending them, close() would wait for every client.
  app.addHook('preClose', (done) => {
    for (const end of [...open]) end();
    done();
  });

  app.get(
    '/events',
    {
      onRequest: ctx.authorize('viewer'),
      schema: {
        tags: ['central'],
        security: bearer,
        description:
          "Server-Sent Events, one per change central takes in: `status` (box online/offline), `alarm` (raised, updated, cleared, acked), `birth`, `trunks`, `kpi`, `cdr`, `command` (a box's answer), `config`; each `data` is JSON with `kind`, `boxId` and `at`. The first event is `hello` with the token's `user` and `role`; a comment line comes every 15 s.",
        produces: ['text/event-stream'],
        response: { 200: Type.String({ description: 'text/event-stream' }), ...errorResponses(401) },
      },
    },
    (request, reply) => {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx buffers responses unless told not to.
        'x-accel-buffering': 'no',
      });
      const user = request.apiUser!;
      const write = (text: string) => {
        res.write(text);
        if (res.writableLength > MAX_BACKLOG_BYTES) {
          request.log.warn({ user: user.name, backlog: res.writableLength }, 'event stream too far behind; closing it (the page reconnects)');
          end();
        }
      };
      const send = (change: LiveChange) => write(`event: ${change.kind}\ndata: ${JSON.stringify(change)}\n\n`);
      const beat = setInterval(() => write(': heartbeat\n\n'), opts.heartbeatMs);
      const end = () => {
        if (!open.delete(end)) return;
        clearInterval(beat);
        ctx.live.off('change', send);
        res.end();
      };
      open.add(end);
      ctx.live.on('change', send);
      // The response's close: the client went away (or end() above finished it).
      res.on('close', end);
      write(`retry: 3000\n\nevent: hello\ndata: ${JSON.stringify({ kind: 'hello', user: user.name, role: user.role, at: ctx.clock.now() })}\n\n`);
      request.log.debug({ user: user.name }, 'event stream opened');
    },
  );
}

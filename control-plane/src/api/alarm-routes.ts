import { Type } from '@sinclair/typebox';
import type { ApiApp, ApiContext } from './api-context.js';
import { ApiError, errorResponses } from './api-errors.js';
import { AlarmSchema, BoxId, CdrSchemaWithBox, SeveritySchema } from './api-schemas.js';

const bearer = [{ bearer: [] }];
const Limit = Type.Integer({ minimum: 1, maximum: 1000, description: 'newest first, at most this many (default 100)' });

/** Alarms (filter, acknowledge) and the CDR search. */
export function alarmRoutes(app: ApiApp, ctx: ApiContext): void {
  const { store, authorize, clock } = ctx;

  app.get(
    '/alarms',
    {
      onRequest: authorize('viewer'),
      schema: {
        tags: ['alarms'],
        security: bearer,
        description:
          'Alarms newest first (by raisedAt, then id). To page, pass the last alarm of a page as `before` (its raisedAt) and `beforeId` (its id): alarms raised in the same millisecond (a birth lists several) are then neither skipped nor repeated.',
        querystring: Type.Object(
          {
            state: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('cleared')])),
            box: Type.Optional(BoxId),
            severity: Type.Optional(SeveritySchema),
            acked: Type.Optional(Type.Boolean()),
            limit: Type.Optional(Limit),
            before: Type.Optional(Type.Integer({ minimum: 0, description: "paging: the previous page's last raisedAt; alarms raised before it (and, with beforeId, at it with a smaller id)" })),
            beforeId: Type.Optional(Type.Integer({ minimum: 1, description: "paging: the previous page's last id; only with before" })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ alarms: Type.Array(AlarmSchema) }), ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const { box, ...rest } = request.query;
      if (rest.beforeId !== undefined && rest.before === undefined) throw new ApiError('bad-request', "querystring.beforeId needs before: pass the last alarm's raisedAt as before and its id as beforeId");
      return { alarms: await store.listAlarms({ ...rest, ...(box === undefined ? {} : { boxId: box }) }) };
    },
  );

  app.post(
    '/alarms/:id/ack',
    {
      onRequest: authorize('operator'),
      schema: {
        tags: ['alarms'],
        security: bearer,
        description: "Acknowledges an alarm (active or cleared) in the token's name; a second acknowledgement keeps the first.",
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Object({ comment: Type.String({ maxLength: 500, default: '' }) }, { additionalProperties: false }),
        response: { 200: AlarmSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const alarm = await store.ackAlarm(request.params.id, request.apiUser!.name, request.body.comment, clock.now());
      if (!alarm) throw new ApiError('not-found', `alarm ${request.params.id}`);
      request.log.info({ alarm: alarm.id, box: alarm.boxId, by: request.apiUser!.name }, 'alarm acknowledged');
      ctx.live.publish({ kind: 'alarm', boxId: alarm.boxId, change: 'acked', origin: alarm.origin, type: alarm.type, at: alarm.ackedAt ?? clock.now() });
      return alarm;
    },
  );

  app.get(
    '/cdrs',
    {
      onRequest: authorize('viewer'),
      schema: {
        tags: ['calls'],
        security: bearer,
        description: 'Finished calls, newest first; `from`/`to` bound the arrival time.',
        querystring: Type.Object(
          {
            box: Type.Optional(BoxId),
            from: Type.Optional(Type.Integer({ minimum: 0 })),
            to: Type.Optional(Type.Integer({ minimum: 0 })),
            result: Type.Optional(CdrSchemaWithBox.properties.result),
            calling: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
            limit: Type.Optional(Limit),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ cdrs: Type.Array(CdrSchemaWithBox) }), ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const { box, ...rest } = request.query;
      return { cdrs: await store.searchCdrs({ ...rest, ...(box === undefined ? {} : { boxId: box }) }) };
    },
  );
}

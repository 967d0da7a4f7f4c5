import { Type } from '@sinclair/typebox';
import { hashToken, newSecret } from '../auth/secrets.js';
import { StoreConflictError, StoreNotFoundError, type Box, type CentralAlarm, type Severity } from '../store/store.js';
import type { ApiApp, ApiContext } from './api-context.js';
import { ApiError, errorResponses } from './api-errors.js';
import { BoxDetailSchema, BoxId, BoxIdParams, BoxSummarySchema, CircuitsSchema, EnrolmentTokenSchema, KpiSchema, QueueSchema, SiteId, SiteSchema, TrunksSchema } from './api-schemas.js';

const bearer = [{ bearer: [] }];
const SEVERITY_ORDER: readonly Severity[] = ['warning', 'minor', 'major', 'critical'];
const DAY_MS = 86_400_000;

/** Sites, boxes, enrolment tokens, and what each box reported (trunks, circuits, KPIs). */
export function boxRoutes(app: ApiApp, ctx: ApiContext): void {
  const { store, authorize, clock } = ctx;

  app.get('/sites', { onRequest: authorize('viewer'), schema: { tags: ['sites'], security: bearer, response: { 200: Type.Object({ sites: Type.Array(SiteSchema) }), ...errorResponses(401) } } }, async () => ({
    sites: await store.listSites(),
  }));

  app.post(
    '/sites',
    {
      onRequest: authorize('admin'),
      schema: {
        tags: ['sites'],
        security: bearer,
        body: Type.Object({ id: SiteId, name: Type.String({ minLength: 1, maxLength: 128 }), county: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
        response: { 201: SiteSchema, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      try {
        const site = await store.createSite(request.body);
        return reply.code(201).send(site);
      } catch (err) {
        if (err instanceof StoreConflictError) throw new ApiError('conflict', `site ${request.body.id}`);
        throw err;
      }
    },
  );

  app.get(
    '/boxes',
    {
      onRequest: authorize('viewer'),
      schema: { tags: ['boxes'], security: bearer, querystring: Type.Object({ site: Type.Optional(SiteId) }, { additionalProperties: false }), response: { 200: Type.Object({ boxes: Type.Array(BoxSummarySchema) }), ...errorResponses(400, 401) } },
    },
    async (request) => {
      const boxes = await store.listBoxes(request.query.site === undefined ? undefined : { site: request.query.site });
      // The store answers at most 1000 alarms: past that many active ones, a box whose
      // alarms are all older may show none here (its own page lists them all).
      const worst = worstActive(await store.listAlarms({ state: 'active', limit: 1000 }));
      return { boxes: boxes.map((b) => summary(b, worst.get(b.id) ?? null)) };
    },
  );

  app.post(
    '/boxes',
    {
      onRequest: authorize('admin'),
      schema: {
        tags: ['boxes'],
        security: bearer,
        description: 'Creates a box and its one-time enrolment token (shown only here). A site that does not exist is a 400 `unknown-site`.',
        body: Type.Object({ id: BoxId, site: SiteId, name: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ box: BoxSummarySchema, ...EnrolmentTokenSchema.properties }), ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      let box: Box;
      try {
        box = await store.createBox({ ...request.body, createdAt: clock.now() });
      } catch (err) {
        if (err instanceof StoreConflictError) throw new ApiError('conflict', `box ${request.body.id}`);
        if (err instanceof StoreNotFoundError) throw new ApiError('unknown-site', request.body.site);
        throw err;
      }
      const enrolment = await newEnrolment(ctx, box.id);
      request.log.info({ box: box.id, site: box.site, by: request.apiUser?.name }, 'box created');
      return reply.code(201).send({ box: summary(box, null), ...enrolment });
    },
  );

  app.post(
    '/boxes/:id/enrolment',
    {
      onRequest: authorize('admin'),
      schema: {
        tags: ['boxes'],
        security: bearer,
        description: 'A new one-time enrolment token for the box (a replaced box, or the first token expired); any earlier token stops working.',
        params: BoxIdParams,
        response: { 201: EnrolmentTokenSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await boxOr404(ctx, request.params.id);
      return reply.code(201).send(await newEnrolment(ctx, request.params.id));
    },
  );

  app.get(
    '/boxes/:id',
    { onRequest: authorize('viewer'), schema: { tags: ['boxes'], security: bearer, params: BoxIdParams, response: { 200: BoxDetailSchema, ...errorResponses(400, 401, 404) } } },
    async (request) => {
      const box = await boxOr404(ctx, request.params.id);
      const worst = worstActive(await store.listAlarms({ state: 'active', boxId: box.id, limit: 1000 }));
      return { ...summary(box, worst.get(box.id) ?? null), bdSeq: box.bdSeq, birth: box.birth };
    },
  );

  app.get(
    '/boxes/:id/trunks',
    {
      onRequest: authorize('viewer'),
      schema: { tags: ['boxes'], security: bearer, description: "The box's latest trunk snapshot, or its birth's when that is newer.", params: BoxIdParams, response: { 200: TrunksSchema, ...errorResponses(400, 401, 404) } },
    },
    async (request) => {
      const box = await boxOr404(ctx, request.params.id);
      const fromBirth = box.birth && box.lastBirthAt !== null && (box.trunksAt === null || box.lastBirthAt >= box.trunksAt);
      if (fromBirth) {
        const { list: _list, ...circuits } = box.birth!.circuits;
        return { at: box.lastBirthAt, spans: box.birth!.spans, fxo: box.birth!.fxo, circuits };
      }
      if (box.trunks) return { at: box.trunksAt, ...box.trunks };
      return { at: null, spans: [], fxo: [], circuits: null };
    },
  );

  app.get(
    '/boxes/:id/circuits',
    { onRequest: authorize('viewer'), schema: { tags: ['boxes'], security: bearer, params: BoxIdParams, response: { 200: CircuitsSchema, ...errorResponses(400, 401, 404) } } },
    async (request) => {
      const box = await boxOr404(ctx, request.params.id);
      if (box.trunks?.circuitList) return { at: box.trunksAt, circuits: box.trunks.circuitList };
      return { at: box.lastBirthAt, circuits: box.birth?.circuits.list ?? [] };
    },
  );

  app.get(
    '/boxes/:id/queue',
    {
      onRequest: authorize('viewer'),
      schema: {
        tags: ['boxes'],
        security: bearer,
        description: "The office queue as the box last reported it: the callers waiting, and the agents with their status and state (null on a box with no agents, or firmware that does not report it).",
        params: BoxIdParams,
        response: { 200: QueueSchema, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const box = await boxOr404(ctx, request.params.id);
      const live = box.trunks && box.trunks.queue !== undefined ? box.trunks : null;
      if (live) return { at: box.trunksAt, agents: live.agents ?? null, queue: live.queue ?? null, callbacks: live.callbacks ?? null, callbacksPending: live.callbacksPending ?? null };
      return { at: box.lastBirthAt, agents: box.birth?.agents ?? null, queue: box.birth?.queue ?? null, callbacks: null, callbacksPending: null };
    },
  );

  app.get(
    '/boxes/:id/kpis',
    {
      onRequest: authorize('viewer'),
      schema: {
        tags: ['boxes'],
        security: bearer,
        description: 'KPI intervals that start in [from, to); by default the last 24 hours.',
        params: BoxIdParams,
        querystring: Type.Object({ from: Type.Optional(Type.Integer({ minimum: 0 })), to: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ from: Type.Integer(), to: Type.Integer(), intervals: Type.Array(KpiSchema) }), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      await boxOr404(ctx, request.params.id);
      const to = request.query.to ?? clock.now();
      const from = request.query.from ?? to - DAY_MS;
      if (from > to) throw new ApiError('bad-request', `querystring.from (${from}) is after querystring.to (${to})`);
      return { from, to, intervals: await store.listKpis(request.params.id, from, to) };
    },
  );
}

export async function boxOr404(ctx: ApiContext, id: string): Promise<Box> {
  const box = await ctx.store.getBox(id);
  if (!box) throw new ApiError('not-found', `box ${id}`);
  return box;
}

async function newEnrolment(ctx: ApiContext, boxId: string): Promise<{ enrolmentToken: string; expiresAt: number }> {
  const enrolmentToken = newSecret();
  const expiresAt = ctx.clock.now() + ctx.enrolmentTtlMs;
  await ctx.store.setEnrolment(boxId, hashToken(enrolmentToken), expiresAt);
  return { enrolmentToken, expiresAt };
}

function summary(box: Box, worstAlarm: Severity | null) {
  const { id, site, name, createdAt, enrolled, online, onlineChangedAt, lastBirthAt } = box;
  const queue = box.trunks?.queue ?? box.birth?.queue ?? null;
  return { id, site, name, createdAt, enrolled, online, onlineChangedAt, lastBirthAt, worstAlarm, waiting: queue ? queue.waiting : null };
}

function worstActive(alarms: CentralAlarm[]): Map<string, Severity> {
  const worst = new Map<string, Severity>();
  for (const a of alarms) {
    const now = worst.get(a.boxId);
    if (now === undefined || SEVERITY_ORDER.indexOf(a.severity) > SEVERITY_ORDER.indexOf(now)) worst.set(a.boxId, a.severity);
  }
  return worst;
}

import { Type } from '@sinclair/typebox';
import { SCHEMA_VERSION } from '@countyline/firmware/telemetry';
import { hashToken, newSecret } from '../auth/secrets.js';
import type { ApiApp, ApiContext } from './api-context.js';
import { ApiError, errorResponses } from './api-errors.js';
import { BoxIdParams, ConfigStateSchema, RoleSchema } from './api-schemas.js';
import { boxOr404 } from './box-routes.js';

const bearer = [{ bearer: [] }];

/** Desired configuration per box, and API tokens. */
export function configRoutes(app: ApiApp, ctx: ApiContext): void {
  const { store, authorize, clock } = ctx;

  app.put(
    '/boxes/:id/config',
    {
      onRequest: authorize('admin'),
      schema: {
        tags: ['config'],
        security: bearer,
        description:
          "Stores the box's next desired configuration revision and publishes it retained on `cl/v1/<id>/config/desired`, so an offline box gets it when it connects. The box validates it and answers on `config/reported` (GET shows both).",
        params: BoxIdParams,
        body: Type.Object({ config: Type.Record(Type.String(), Type.Unknown()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ revision: Type.Integer() }), ...errorResponses(400, 401, 403, 404, 502) },
      },
    },
    async (request) => {
      const box = await boxOr404(ctx, request.params.id);
      const now = clock.now();
      const { revision } = await store.setDesiredConfig(box.id, request.body.config, now);
      try {
        await ctx.boxLink.sendDesiredConfig(box.id, { v: SCHEMA_VERSION, ts: now, revision, config: request.body.config });
      } catch (err) {
        // The revision is stored; the next PUT publishes a newer one over it.
        throw new ApiError('send-failed', box.id, err instanceof Error ? err.message : String(err));
      }
      request.log.info({ box: box.id, revision, by: request.apiUser!.name }, 'desired config set');
      return { revision };
    },
  );

  app.get(
    '/boxes/:id/config',
    { onRequest: authorize('viewer'), schema: { tags: ['config'], security: bearer, params: BoxIdParams, response: { 200: ConfigStateSchema, ...errorResponses(400, 401, 404) } } },
    async (request) => {
      await boxOr404(ctx, request.params.id);
      return store.getConfigState(request.params.id);
    },
  );

  app.post(
    '/tokens',
    {
      onRequest: authorize('admin'),
      schema: {
        tags: ['tokens'],
        security: bearer,
        description: 'Creates an API token; the token is in this answer only (central keeps its SHA-256).',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64, description: 'who holds it: acknowledgements and commands are recorded under this name' }), role: RoleSchema }, { additionalProperties: false }),
        response: { 201: Type.Object({ id: Type.Integer(), name: Type.String(), role: RoleSchema, createdAt: Type.Integer(), token: Type.String() }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const token = newSecret();
      const stored = await store.createApiToken({ ...request.body, tokenHash: hashToken(token), createdAt: clock.now() });
      request.log.info({ name: stored.name, role: stored.role, by: request.apiUser!.name }, 'API token created');
      return reply.code(201).send({ ...stored, token });
    },
  );
}

import { randomUUID } from 'node:crypto';
import { Type, type TObject } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { COMMAND_NAMES, CommandPayloads, SCHEMA_VERSION, type Command, type CommandName } from '@countyline/firmware/telemetry';
import type { ApiApp, ApiContext } from './api-context.js';
import { ApiError, errorResponses } from './api-errors.js';
import { BoxId, BoxIdParams, CommandNameSchema, CommandSchema } from './api-schemas.js';
import { boxOr404 } from './box-routes.js';

const bearer = [{ bearer: [] }];

/** Each command's parameters: its payload without the header central adds (v, id, ts), nothing else allowed. */
const paramChecks = Object.fromEntries(
  COMMAND_NAMES.map((name) => {
    const { v: _v, id: _id, ts: _ts, ...params } = (CommandPayloads[name] as TObject).properties;
    return [name, TypeCompiler.Compile(Type.Object(params, { additionalProperties: false }))];
  }),
) as Record<CommandName, TypeCheck<TObject>>;

/**
 * Commands to boxes and bulletins. A command goes only to a box that is connected now: one
 * for an offline box is refused (409 `box-offline`) and nothing is stored, because the box
 * would run it whenever it came back, hours later, when nobody expects it any more. The
 * command is stored before it is sent, so the box's answer always finds it.
 */
export function commandRoutes(app: ApiApp, ctx: ApiContext): void {
  const { store, authorize } = ctx;

  app.post(
    '/boxes/:id/commands',
    {
      onRequest: authorize('operator'),
      schema: {
        tags: ['commands'],
        security: bearer,
        description:
          'Sends a command to a connected box; 202 with its id, then GET /commands/:id for the answer. An offline box: 409 `box-offline`, nothing stored or sent. Unanswered by its deadline (`countyline-central --command-timeout`, default 300 s) the command shows `timed-out`.',
        params: BoxIdParams,
        body: Type.Object({ name: CommandNameSchema, params: Type.Record(Type.String(), Type.Unknown(), { default: {} }) }, { additionalProperties: false }),
        response: { 202: Type.Object({ id: Type.String() }), ...errorResponses(400, 401, 403, 404, 409, 502) },
      },
    },
    async (request, reply) => {
      const box = await boxOr404(ctx, request.params.id);
      const { name, params } = request.body;
      const check = paramChecks[name];
      if (!check.Check(params)) {
        const first = [...check.Errors(params)][0]!;
        throw new ApiError('bad-command', `params${first.path.replaceAll('/', '.')}: ${first.message}`);
      }
      const id = await sendCommand(ctx, box.id, name, params, request.apiUser!.name);
      request.log.info({ box: box.id, command: name, id, by: request.apiUser!.name }, 'command sent');
      return reply.code(202).send({ id });
    },
  );

  app.get(
    '/commands/:id',
    {
      onRequest: authorize('viewer'),
      schema: {
        tags: ['commands'],
        security: bearer,
        description: "The command and the box's answer: `sent` while central waits, `done` or `failed` once answered, `timed-out` when no answer came by `deadlineAt` (a late answer still replaces it; `timedOutAt` stays).",
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: CommandSchema, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const command = await store.getCommand(request.params.id);
      if (!command) throw new ApiError('not-found', `command ${request.params.id}`);
      return command;
    },
  );

  app.post(
    '/bulletins',
    {
      onRequest: authorize('operator'),
      schema: {
        tags: ['commands'],
        security: bearer,
        description: 'Sets a bulletin on several boxes: one `bulletin-set` command per box. Boxes that are offline get none (their entry says `box-offline`); an unknown box refuses the whole request (404) before anything is sent.',
        body: Type.Object(
          {
            text: Type.String({ minLength: 1, maxLength: 500 }),
            // Null first: fastify's ajv coerces types, and tried first the integer branch turns null into 0 (a bulletin that ended in 1970).
            until: Type.Union([Type.Null(), Type.Integer({ minimum: 0 })], { description: 'ms since the epoch; null: until cleared' }),
            boxes: Type.Array(BoxId, { minItems: 1, maxItems: 1000, uniqueItems: true }),
          },
          { additionalProperties: false },
        ),
        response: {
          202: Type.Object({ commands: Type.Array(Type.Object({ boxId: Type.String(), id: Type.Union([Type.String(), Type.Null()]), error: Type.Union([Type.String(), Type.Null()]) })) }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { text, until, boxes } = request.body;
      for (const boxId of boxes) await boxOr404(ctx, boxId);
      const commands = [];
      for (const boxId of boxes) {
        try {
          commands.push({ boxId, id: await sendCommand(ctx, boxId, 'bulletin-set', { text, until }, request.apiUser!.name), error: null });
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          commands.push({ boxId, id: null, error: err.code });
        }
      }
      request.log.info({ boxes: boxes.length, by: request.apiUser!.name }, 'bulletin sent');
      return reply.code(202).send({ commands });
    },
  );
}

/** Stores and sends one command; refuses an offline box; a failed send marks the command failed. */
async function sendCommand(ctx: ApiContext, boxId: string, name: CommandName, params: Record<string, unknown>, by: string): Promise<string> {
  if (!ctx.boxLink.isConnected(boxId)) throw new ApiError('box-offline', boxId);
  const id = randomUUID();
  const now = ctx.clock.now();
  await ctx.store.createCommand({ id, boxId, name, params, requestedBy: by, createdAt: now, deadlineAt: now + ctx.commandTimeoutMs });
  const command = { ...params, v: SCHEMA_VERSION, id, ts: now } as Command<CommandName>;
  try {
    await ctx.boxLink.sendCommand(boxId, name, command);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    await ctx.store.completeCommand(id, { ok: false, result: null, error: { code: 'send-failed', message: detail } }, ctx.clock.now());
    throw new ApiError('send-failed', boxId, detail);
  }
  return id;
}

import { Type } from '@sinclair/typebox';
import t from 'tap';
import { HTTP_ERROR_CODES, type HttpErrorCode } from '../errors.js';
import { InMemoryBench } from './in-memory-bench.js';
import { matchRoutes, NO_FIELDS, route } from './control-route.js';
import { ROUTES } from './control-routes.js';

const sim = new InMemoryBench().sim;
const api = { rejected: Object.fromEntries(HTTP_ERROR_CODES.map((c) => [c, 0])) as Record<HttpErrorCode, number> };

const seen: unknown[] = [];
const paint = route({
  method: 'POST',
  path: '/rooms/<room>/walls/<wall>/paint',
  description: 'Paints a wall.',
  params: Type.Object({ room: Type.Integer({ minimum: 0, maximum: 9 }), wall: Type.Integer({ minimum: 1, maximum: 4 }) }),
  body: Type.Object({ coats: Type.Integer({ minimum: 1, maximum: 3 }) }, { additionalProperties: false }),
  response: Type.Object({ painted: Type.Integer() }, { additionalProperties: false }),
  handle: ({ params, body }) => {
    seen.push([params.room, params.wall, body.coats]);
    return { painted: body.coats * 10 + params.wall };
  },
});

t.test('the handler gets the path numbers and the body, checked and typed', async (t) => {
  t.same(paint.run(sim, ['007', '4'], { coats: 2 }, api), { painted: 24 });
  t.same(seen, [[7, 4, 2]]);
});

t.test('a path number must be decimal digits in range; anything else is bad-path, naming it', async (t) => {
  const bad = (room: string, wall: string, message: string) =>
    t.throws(() => paint.run(sim, [room, wall], { coats: 1 }, api), { name: 'SimError', code: 'bad-path', message }, `${room}/${wall}`);
  bad('x', '1', 'in the path, "room" is "x"; it must be a whole number from 0 to 9');
  bad('1.5', '1', 'in the path, "room" is "1.5"; it must be a whole number from 0 to 9');
  bad('0x1', '1', 'in the path, "room" is "0x1"; it must be a whole number from 0 to 9');
  bad('1e0', '1', 'in the path, "room" is "1e0"; it must be a whole number from 0 to 9');
  bad('-1', '1', 'in the path, "room" is "-1"; it must be a whole number from 0 to 9');
  bad('1', '5', 'in the path, "wall" is 5; it must be a whole number from 1 to 4');
  t.same(seen.length, 1, 'no handler ran');
});

t.test('a bad body is bad-body and the handler never runs', async (t) => {
  t.throws(() => paint.run(sim, ['1', '1'], { coats: 4 }, api), { name: 'SimError', code: 'bad-body', message: '"coats" is 4; it must be a whole number from 1 to 3' });
  t.throws(() => paint.run(sim, ['1', '1'], {}, api), { code: 'bad-body', message: 'missing "coats"; accepted: fields "coats"' });
  t.same(seen.length, 1);
});

t.test('with checkResponse, an answer its schema does not allow is an error', async (t) => {
  const sloppy = route({
    method: 'GET',
    path: '/sloppy',
    description: 'Answers more than its schema says.',
    params: NO_FIELDS,
    body: NO_FIELDS,
    response: Type.Object({ a: Type.Integer() }, { additionalProperties: false }),
    handle: () => {
      const answer = { a: 1, b: 2 };
      return answer;
    },
  });
  t.same(sloppy.run(sim, [], {}, api), { a: 1, b: 2 }, 'unchecked, it goes out');
  t.throws(() => sloppy.run(sim, [], {}, api, true), { message: /^GET \/sloppy answered with what its response schema does not allow: \/b: / });
});

t.test('a path whose <names> differ from its params schema does not build', async (t) => {
  t.throws(
    () => route({ method: 'GET', path: '/a/<b>', description: '', params: Type.Object({ c: Type.Integer() }), body: NO_FIELDS, response: NO_FIELDS, handle: () => ({}) }),
    /route \/a\/<b>: the path names b but params has c/,
  );
});

t.test('matching: the route table has one route per method and path, paths with numbers match any segment', async (t) => {
  const keys = ROUTES.map((r) => `${r.method} ${r.path}`);
  t.equal(new Set(keys).size, keys.length);
  t.same(
    matchRoutes(ROUTES, '/spans/x/timeslots/3/loopback-fault').map((m) => [m.route.path, m.pathNumbers]),
    [['/spans/<span>/timeslots/<timeslot>/loopback-fault', ['x', '3']]],
  );
  t.same(matchRoutes(ROUTES, '/spans/1/timeslots/3'), []);
});

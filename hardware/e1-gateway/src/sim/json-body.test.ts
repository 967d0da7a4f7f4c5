import t from 'tap';
import { BadRequest, parseJson, readBody } from './json-body.js';

const shape = {
  on: { type: 'boolean' },
  ratio: { type: 'number', min: 0, max: 1 },
  count: { type: 'number', min: 1, max: 9, integer: true },
  name: { type: 'string', pattern: /^[a-z]{1,4}$/, describe: '1 to 4 lower-case letters' },
} as const;

t.test('a good body comes back typed', async (t) => {
  t.same(readBody({ on: true, ratio: 0.5, count: 3, name: 'ab' }, shape, ['on']), { on: true, ratio: 0.5, count: 3, name: 'ab' });
  t.same(readBody({}, shape), {});
});

t.test('bad bodies say what is wrong and what is accepted', async (t) => {
  const bad = (body: unknown, message: RegExp, required: ('on' | 'ratio')[] = []) => t.throws(() => readBody(body, shape, required), { name: 'BadRequest', message });
  bad([], /must be a JSON object with fields "on", "ratio", "count", "name"/);
  bad(null, /must be a JSON object/);
  bad(5, /must be a JSON object/);
  bad({ colour: 1 }, /unknown field "colour"; accepted: fields "on"/);
  bad({ on: 'yes' }, /"on" must be true or false/);
  bad({ ratio: 2 }, /"ratio" is 2; it must be a number from 0 to 1/);
  bad({ ratio: '0.1' }, /"ratio" must be a number from 0 to 1/);
  bad({ count: 1.5 }, /whole number/);
  bad({ name: 'ABC' }, /"name" must be 1 to 4 lower-case letters/);
  bad({}, /missing "on"/, ['on']);
});

t.test('JSON parsing: empty is {}, garbage is a BadRequest', async (t) => {
  t.same(parseJson(''), {});
  t.same(parseJson(' {"a":1} '), { a: 1 });
  t.throws(() => parseJson('{"a":'), BadRequest);
  t.throws(() => parseJson('{"a":'), /not valid JSON/);
});

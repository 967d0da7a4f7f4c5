import { Type, type TObject } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import t from 'tap';
import { describeAccepted, describeErrors } from './schema-messages.js';

const schema = Type.Object(
  {
    on: Type.Boolean(),
    ratio: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 9 })),
    name: Type.Optional(Type.String({ pattern: '^[a-z]{1,4}$', description: '1 to 4 lower-case letters' })),
    mode: Type.Optional(Type.Union([Type.Literal('fast'), Type.Literal('slow')])),
  },
  { additionalProperties: false },
);

/** The message for a value, or undefined when the schema takes it. */
function message(value: unknown, s: TObject = schema): string | undefined {
  const check = TypeCompiler.Compile(s);
  return check.Check(value) ? undefined : describeErrors(s, [...check.Errors(value)], 'body');
}

t.test('a good body has no message', async (t) => {
  t.equal(message({ on: true, ratio: 0.5, count: 3, name: 'ab', mode: 'slow' }), undefined);
  t.equal(message({ on: false }), undefined);
});

t.test('bad bodies: one message naming the field, what was sent and what is accepted', async (t) => {
  const fields = 'fields "on", "ratio", "count", "name", "mode"';
  t.equal(message([]), `body must be a JSON object with ${fields}`);
  t.equal(message(null), `body must be a JSON object with ${fields}`);
  t.equal(message(5), `body must be a JSON object with ${fields}`);
  t.equal(message({ on: true, colour: 1 }), `unknown field "colour"; accepted: ${fields}`);
  t.equal(message({ colour: 1 }), `unknown field "colour"; accepted: ${fields}`, 'an unknown field before a missing one: likely a misspelling');
  t.equal(message({ on: 'yes' }), '"on" is "yes"; it must be true or false');
  t.equal(message({ on: true, ratio: 2 }), '"ratio" is 2; it must be a number from 0 to 1');
  t.equal(message({ on: true, ratio: '0.1' }), '"ratio" is "0.1"; it must be a number from 0 to 1');
  t.equal(message({ on: true, count: 1.5 }), '"count" is 1.5; it must be a whole number from 1 to 9');
  t.equal(message({ on: true, name: 'ABC' }), '"name" is "ABC"; it must be 1 to 4 lower-case letters');
  t.equal(message({ on: true, mode: 'medium' }), '"mode" is "medium"; it must be one of "fast", "slow"');
  t.equal(message({}), `missing "on"; accepted: ${fields}`);
  t.equal(message({ on: true, name: 'x'.repeat(100) }), `"name" is "${'x'.repeat(36)}...; it must be 1 to 4 lower-case letters`, 'a long value is cut short');
  t.equal(message({ on: true, ratio: Infinity }), '"ratio" is Infinity; it must be a number from 0 to 1');
});

t.test('every missing field is named at once', async (t) => {
  const s = Type.Object({ a: Type.Integer(), b: Type.Boolean(), c: Type.Optional(Type.Null()) }, { additionalProperties: false });
  t.equal(message({}, s), 'missing "a", "b"; accepted: fields "a", "b", "c"');
  t.equal(message({ c: 1 }, s), 'missing "a", "b"; accepted: fields "a", "b", "c"');
  t.equal(message({ a: 1, b: true, c: 1 }, s), '"c" is 1; it must be null');
  t.equal(message({ x: 1 }, Type.Object({}, { additionalProperties: false })), 'unknown field "x"; accepted: no fields');
});

t.test('what a schema accepts, in words', async (t) => {
  t.equal(describeAccepted(Type.Number({ minimum: 0 })), 'a number of at least 0');
  t.equal(describeAccepted(Type.Integer({ maximum: 7 })), 'a whole number of at most 7');
  t.equal(describeAccepted(Type.Integer()), 'a whole number');
  t.equal(describeAccepted(Type.String({ pattern: '^a+$' })), 'text matching /^a+$/');
  t.equal(describeAccepted(Type.Union([Type.Integer({ minimum: 1, maximum: 2 }), Type.Null()])), 'a whole number from 1 to 2 or null');
  t.equal(describeAccepted(Type.Object({ a: Type.Boolean() })), 'a JSON object with fields "a"');
});

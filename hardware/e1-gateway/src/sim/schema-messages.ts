import { Kind, type TObject, type TSchema } from '@sinclair/typebox';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';

/**
 * What a value must be, in words, from its TypeBox schema: `true or false`, `a whole number
 * from 1 to 86400`, `one of "itu", "china"`. A schema with a `description` (a pattern, say,
 * which no one should have to read) is described by it instead. The control API's error
 * messages and the README's route table both use this, so they say the same thing.
 */
export function describeAccepted(schema: TSchema): string {
  if (typeof schema.description === 'string') return schema.description;
  switch (schema[Kind]) {
    case 'Boolean':
      return 'true or false';
    case 'Integer':
      return `a whole number${range(schema)}`;
    case 'Number':
      return `a number${range(schema)}`;
    case 'String':
      return typeof schema.pattern === 'string' ? `text matching /${schema.pattern}/` : 'text';
    case 'Literal':
      return JSON.stringify(schema.const);
    case 'Null':
      return 'null';
    case 'Union': {
      const members: TSchema[] = schema.anyOf;
      return members.every((m) => m[Kind] === 'Literal') ? `one of ${members.map((m) => JSON.stringify(m.const)).join(', ')}` : members.map(describeAccepted).join(' or ');
    }
    case 'Object':
      return `a JSON object with ${fieldList(schema)}`;
    default:
      return `a value of type ${String(schema[Kind])}`;
  }
}

function range(schema: TSchema): string {
  const min: unknown = schema.minimum;
  const max: unknown = schema.maximum;
  if (typeof min === 'number' && typeof max === 'number') return ` from ${min} to ${max}`;
  if (typeof min === 'number') return ` of at least ${min}`;
  if (typeof max === 'number') return ` of at most ${max}`;
  return '';
}

/** `fields "a", "b"`, or `no fields`. */
export function fieldList(schema: TSchema): string {
  const names = Object.keys(schema.properties ?? {});
  return names.length === 0 ? 'no fields' : `fields ${names.map((n) => `"${n}"`).join(', ')}`;
}

/**
 * One message for a value that failed its object schema (a request body, or the numbers of a
 * request path), naming the field and what it accepts. `errors` are TypeBox's for the value.
 * In order: not an object at all, an unknown field, missing fields, then the first field
 * with a bad value:
 *
 *     body must be a JSON object with fields "ratio"
 *     unknown field "colour"; accepted: fields "ratio"
 *     missing "plugged"; accepted: fields "plugged"
 *     "ratio" is 2; it must be a number from 0 to 1
 */
export function describeErrors(schema: TObject, errors: readonly ValueError[], what: string): string {
  const accepted = fieldList(schema);
  if (errors.some((e) => e.path === '' && e.type === ValueErrorType.Object)) return `${what} must be a JSON object with ${accepted}`;
  const unknown = errors.find((e) => e.type === ValueErrorType.ObjectAdditionalProperties);
  if (unknown) return `unknown field "${fieldName(unknown.path)}"; accepted: ${accepted}`;
  const missing = errors.filter((e) => e.type === ValueErrorType.ObjectRequiredProperty).map((e) => `"${fieldName(e.path)}"`);
  if (missing.length > 0) return `missing ${[...new Set(missing)].join(', ')}; accepted: ${accepted}`;
  const first = errors[0];
  if (!first) return `${what} is not what this route takes; accepted: ${accepted}`;
  const name = fieldName(first.path);
  const field: TSchema = schema.properties[name] ?? first.schema;
  return `"${name}" is ${shown(first.value)}; it must be ${describeAccepted(field)}`;
}

/** The field a JSON pointer names (`/a~1b` is the field `a/b`). */
function fieldName(path: string): string {
  return path.slice(1).replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The value as JSON, cut short: a message quotes what was sent, not all of it. */
function shown(value: unknown): string {
  // JSON.parse reads 1e999 as Infinity, which JSON.stringify would show as null.
  const text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

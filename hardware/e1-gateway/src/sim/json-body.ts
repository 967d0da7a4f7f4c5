/** A request body the control API cannot use; the message says what is accepted. */
export class BadRequest extends Error {
  override readonly name = 'BadRequest';
}

export type FieldRule =
  | { type: 'boolean' }
  | { type: 'number'; min: number; max: number; integer?: boolean }
  | { type: 'string'; pattern: RegExp; describe: string };

export type BodyShape = Record<string, FieldRule>;

type ValueOf<R extends FieldRule> = R extends { type: 'boolean' } ? boolean : R extends { type: 'number' } ? number : string;
export type BodyOf<S extends BodyShape> = { [K in keyof S]?: ValueOf<S[K]> };

/** Parses a request body as JSON; an empty body reads as `{}`. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadRequest(`body is not valid JSON (${(err as Error).message}); send a JSON object`);
  }
}

/**
 * Checks a parsed body against a shape: an object whose fields are all in the shape,
 * each of the right type and range, with the `required` ones present.
 */
export function readBody<S extends BodyShape>(body: unknown, shape: S, required: readonly (keyof S & string)[] = []): BodyOf<S> {
  const names = Object.keys(shape);
  const accepted = names.length === 0 ? 'no fields' : `fields ${names.map((n) => `"${n}"`).join(', ')}`;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequest(`body must be a JSON object with ${accepted}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const rule = shape[key];
    if (!rule) throw new BadRequest(`unknown field "${key}"; accepted: ${accepted}`);
    out[key] = check(key, value, rule);
  }
  const missing = required.filter((k) => !(k in out));
  if (missing.length > 0) throw new BadRequest(`missing ${missing.map((k) => `"${k}"`).join(', ')}; accepted: ${accepted}`);
  return out as BodyOf<S>;
}

function check(key: string, value: unknown, rule: FieldRule): unknown {
  switch (rule.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw new BadRequest(`"${key}" must be true or false`);
      return value;
    case 'number': {
      const what = `${rule.integer ? 'a whole number' : 'a number'} from ${rule.min} to ${rule.max}`;
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new BadRequest(`"${key}" must be ${what}`);
      if (value < rule.min || value > rule.max || (rule.integer && !Number.isInteger(value))) throw new BadRequest(`"${key}" is ${value}; it must be ${what}`);
      return value;
    }
    case 'string':
      if (typeof value !== 'string' || !rule.pattern.test(value)) throw new BadRequest(`"${key}" must be ${rule.describe}`);
      return value;
  }
}

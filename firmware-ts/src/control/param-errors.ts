import type { TSchema } from '@sinclair/typebox';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { CountylineError } from '../errors.js';

/**
 * Turns the first problem TypeBox finds in a request's parameters into one coded error that
 * names the field and says, in both languages, what it takes. Field names are the
 * parameters' own (`count`), and `params` for the whole object.
 */
export function paramsError(schema: TSchema, errors: Iterable<ValueError>): CountylineError<'bad-params'> {
  const all = [...errors];
  // A missing field also fails its type check; report it as missing, once.
  const first = all.find((e) => e.type === ValueErrorType.ObjectRequiredProperty) ?? all[0];
  if (!first) throw new Error('paramsError called without an error');
  const field = first.path === '' ? 'params' : first.path.slice(1).replaceAll('/', '.');
  switch (first.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return new CountylineError('bad-params', { field, problem: 'missing', expected: expectation(first.schema) });
    case ValueErrorType.ObjectAdditionalProperties: {
      const names = Object.keys((schema as { properties?: object }).properties ?? {});
      const accepted = names.length === 0 ? { en: 'none', zh: '无' } : { en: names.join(', '), zh: names.join('、') };
      return new CountylineError('bad-params', { field, problem: 'unknown', expected: accepted });
    }
    default:
      return new CountylineError('bad-params', { field, problem: 'invalid', expected: expectation(first.schema), got: shown(first.value) });
  }
}

interface Described {
  type?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  description?: string;
  descriptionZh?: string;
  anyOf?: { const?: unknown }[];
}

/** What a field's schema accepts, in words. */
export function expectation(schema: TSchema): { en: string; zh: string } {
  const s = schema as Described;
  if (s.anyOf && s.anyOf.every((o) => o.const !== undefined)) {
    const values = s.anyOf.map((o) => String(o.const));
    return { en: `one of ${values.join(', ')}`, zh: `${values.join('、')} 之一` };
  }
  switch (s.type) {
    case 'boolean':
      return { en: 'true or false', zh: 'true 或 false' };
    case 'object':
      return { en: 'a JSON object', zh: 'JSON 对象' };
    case 'integer':
    case 'number': {
      const whole = s.type === 'integer';
      if (s.exclusiveMinimum !== undefined && s.maximum !== undefined) {
        return { en: `a number above ${s.exclusiveMinimum}, at most ${s.maximum}`, zh: `大于 ${s.exclusiveMinimum}、不超过 ${s.maximum} 的数` };
      }
      if (s.minimum !== undefined && s.maximum !== undefined) {
        return whole
          ? { en: `a whole number from ${s.minimum} to ${s.maximum}`, zh: `${s.minimum} 到 ${s.maximum} 之间的整数` }
          : { en: `a number from ${s.minimum} to ${s.maximum}`, zh: `${s.minimum} 到 ${s.maximum} 之间的数` };
      }
      return whole ? { en: 'a whole number', zh: '整数' } : { en: 'a number', zh: '数字' };
    }
    case 'string':
      return { en: s.description ?? 'text', zh: s.descriptionZh ?? s.description ?? '文本' };
    default:
      return { en: s.description ?? 'a valid value', zh: s.descriptionZh ?? '有效值' };
  }
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

import { Type, type TLiteral, type TNull, type TSchema, type TUnion } from '@sinclair/typebox';

/**
 * Small helpers for the control API's TypeBox schemas.
 */

/** A union of string literals from a const list: `literals(['up', 'down'])` is `'up' | 'down'`. */
export function literals<const T extends readonly string[]>(values: T): TUnion<LiteralTuple<T>> {
  // The mapped tuple (one TLiteral per value, not one TLiteral of the union) is what lets
  // Type.Record turn such a union into an object with exactly those keys.
  return Type.Union(values.map((v) => Type.Literal(v))) as unknown as TUnion<LiteralTuple<T>>;
}

type LiteralTuple<T extends readonly string[]> = { -readonly [K in keyof T]: TLiteral<T[K]> };

/** `T | null`: the views use null, never a missing field, for "not known yet". */
export function nullable<T extends TSchema>(schema: T): TUnion<[T, TNull]> {
  return Type.Union([schema, Type.Null()]);
}

/**
 * True when A and B are the same type, field by field at every depth: the same keys, the
 * same optional ones, the same value types. Used as `Assert<Same<Static<typeof S>, T>>` to
 * keep a wire schema and the module type it describes from drifting apart: a field added to
 * one and not the other, even an optional one, stops the build. Intersections and
 * interfaces are flattened first, so only the shape counts.
 */
export type Same<A, B> = (<T>() => T extends Flat<A> ? 1 : 2) extends <T>() => T extends Flat<B> ? 1 : 2 ? true : false;
export type Assert<T extends true> = T;

type Flat<T> = T extends (...args: never[]) => unknown ? T : T extends object ? { [K in keyof T]: Flat<T[K]> } : T;

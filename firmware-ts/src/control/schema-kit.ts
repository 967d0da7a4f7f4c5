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
 * True when A and B are assignable both ways. Used as `Assert<Same<Static<typeof S>, T>>` to
 * keep a wire schema and the module type it describes from drifting apart: a field added to
 * one and not the other stops the build.
 */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type Assert<T extends true> = T;

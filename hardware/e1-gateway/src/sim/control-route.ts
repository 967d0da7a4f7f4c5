import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { HttpErrorCode } from '../errors.js';
import type { CardSimulator } from './card-simulator.js';
import { describeErrors } from './schema-messages.js';
import { SimError } from './sim-error.js';

/** A body (or path) with no fields: an empty POST body reads as `{}`, which this takes. */
export const NO_FIELDS = Type.Object({}, { additionalProperties: false });

/** What the control API itself has seen, for `GET /state`. */
export interface ControlApiStats {
  /** Requests answered with an error, by code (every code the API answers with, from 0). */
  rejected: Readonly<Record<HttpErrorCode, number>>;
}

/** What a handler gets: the path's numbers and the body, both already checked against their schemas. */
export interface RouteContext<P, B> {
  sim: CardSimulator;
  params: P;
  body: B;
  api: ControlApiStats;
}

/** A route as written in the route table; `route()` turns it into a `Route`. */
export interface RouteSpec<P extends TObject, B extends TObject, R extends TSchema> {
  method: 'GET' | 'POST';
  /** The path, with `<name>` for each number in it; `params` has a property of that name. */
  path: string;
  /** One line: what the route does. The README's route table shows it. */
  description: string;
  /** The numbers in the path (`NO_FIELDS`: none). */
  params: P;
  /** The POST body, a JSON object (`NO_FIELDS`: none, so an empty body or `{}`); GET reads no body. */
  body: B;
  /** What the handler answers with on success. */
  response: R;
  handle(ctx: RouteContext<Static<P>, Static<B>>): Static<R>;
}

/** One route of the control API, its schemas kept for the docs and for tests. */
export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly description: string;
  readonly params: TObject;
  readonly body: TObject;
  readonly response: TSchema;
  /** Matches a request path; the groups are the path's numbers, in `params` order. */
  readonly pattern: RegExp;
  /**
   * Checks the path's numbers (as text from the path) and the parsed body against the
   * schemas, then runs the handler. A value that fails its schema is a `SimError` with code
   * `bad-path` or `bad-body` and a message that names the field and what it accepts.
   * With `checkResponse`, an answer that does not match the response schema is an Error (a
   * 500 from the control API): tests turn it on, so that the schemas stay true to the code.
   */
  run(sim: CardSimulator, pathNumbers: readonly string[], body: unknown, api: ControlApiStats, checkResponse?: boolean): unknown;
}

/** Builds a route from its spec: compiles its schemas once and ties the handler to them. */
export function route<P extends TObject, B extends TObject, R extends TSchema>(spec: RouteSpec<P, B, R>): Route {
  const names = [...spec.path.matchAll(/<(\w+)>/g)].map((m) => m[1]!);
  const declared = Object.keys(spec.params.properties);
  if (names.join() !== declared.join()) throw new Error(`route ${spec.path}: the path names ${names.join(', ') || 'nothing'} but params has ${declared.join(', ') || 'nothing'}`);
  // Each compiled check narrows an `unknown` to the Static type the handler declares, so
  // the handler gets typed values without a cast.
  const paramsCheck = TypeCompiler.Compile(spec.params);
  const bodyCheck = TypeCompiler.Compile(spec.body);
  const responseCheck = TypeCompiler.Compile(spec.response);
  return {
    method: spec.method,
    path: spec.path,
    description: spec.description,
    params: spec.params,
    body: spec.body,
    response: spec.response,
    pattern: new RegExp(`^${spec.path.replace(/<\w+>/g, '([^/]+)')}$`),
    run(sim, pathNumbers, rawBody, api, checkResponse = false) {
      const p = checked(paramsCheck, pathValues(names, pathNumbers), 'bad-path', 'the path');
      const b = checked(bodyCheck, rawBody, 'bad-body', 'body');
      const result = spec.handle({ sim, params: p, body: b, api });
      if (checkResponse && !responseCheck.Check(result)) {
        const first = responseCheck.Errors(result).First();
        throw new Error(`${spec.method} ${spec.path} answered with what its response schema does not allow: ${first?.path || '(the answer)'}: ${first?.message}`);
      }
      return result;
    },
  };
}

/**
 * The path's numbers by name. Only decimal digits are read as a number; anything else stays
 * text, so that the schema refuses it by name. TypeBox's own `Value.Convert` is not used: it
 * reads "1.5" as 1 and "0x10" as 16.
 */
function pathValues(names: readonly string[], texts: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.map((name, i) => [name, /^\d+$/.test(texts[i] ?? '') ? Number(texts[i]) : texts[i]]));
}

function checked<T extends TObject>(check: TypeCheck<T>, value: unknown, code: 'bad-path' | 'bad-body', what: string): Static<T> {
  if (check.Check(value)) return value;
  const message = describeErrors(check.Schema(), [...check.Errors(value)], what);
  throw new SimError(code, code === 'bad-path' ? `in the path, ${message}` : message);
}

/** The routes whose path matches, each with the numbers (as text) taken from the path. */
export function matchRoutes(routes: readonly Route[], pathname: string): { route: Route; pathNumbers: string[] }[] {
  const found: { route: Route; pathNumbers: string[] }[] = [];
  for (const r of routes) {
    const m = r.pattern.exec(pathname);
    if (m) found.push({ route: r, pathNumbers: m.slice(1) });
  }
  return found;
}

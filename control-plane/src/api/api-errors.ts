import { Type } from '@sinclair/typebox';

/**
 * Every error the HTTP API answers, in one table: its code (stable, for the ops page to
 * translate), its HTTP status and its English text. The body is always
 * `{ error: <code>, message: <text> }`.
 */
export const API_ERRORS = {
  'bad-request': { status: 400, text: (detail: string) => `the request is not valid: ${detail}` },
  'unknown-site': { status: 400, text: (site: string) => `there is no site ${site}; create it first with POST /api/v1/sites` },
  'bad-command': { status: 400, text: (detail: string) => `the command's parameters are not valid: ${detail}` },
  unauthenticated: { status: 401, text: (why: string) => `${why}; send the header "Authorization: Bearer <token>" with an API token` },
  'enrolment-unknown': { status: 401, text: () => 'this enrolment token is not known; ask central for a new one (POST /api/v1/boxes/<id>/enrolment)' },
  forbidden: { status: 403, text: (need: string, have: string) => `this needs the ${need} role; the token is ${have}` },
  'not-found': { status: 404, text: (what: string) => `${what} does not exist` },
  conflict: { status: 409, text: (what: string) => `${what} already exists` },
  'box-offline': { status: 409, text: (box: string) => `box ${box} is not connected; nothing was sent. Try again when it is online (GET /api/v1/boxes/${box})` },
  'enrolment-used': { status: 410, text: () => 'this enrolment token was already used; ask central for a new one (POST /api/v1/boxes/<id>/enrolment)' },
  'enrolment-expired': { status: 410, text: () => 'this enrolment token has expired; ask central for a new one (POST /api/v1/boxes/<id>/enrolment)' },
  'rate-limited': { status: 429, text: (seconds: number) => `too many requests from this address; try again in ${seconds} s` },
  'send-failed': { status: 502, text: (box: string, detail: string) => `central could not publish to box ${box}: ${detail}` },
  internal: { status: 500, text: () => "central failed to answer; its log has the details" },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;
type TextArgs<C extends ApiErrorCode> = Parameters<(typeof API_ERRORS)[C]['text']>;

/** What every error response holds. */
export const ApiErrorSchema = Type.Object(
  {
    error: Type.String({ description: 'a stable code: ' + Object.keys(API_ERRORS).join(', ') }),
    message: Type.String({ description: 'what was wrong and what to do, in English' }),
  },
);

/** An error a route throws; the error handler answers it with its status and body. */
export class ApiError<C extends ApiErrorCode = ApiErrorCode> extends Error {
  override readonly name = 'ApiError';
  readonly statusCode: number;
  constructor(
    readonly code: C,
    ...args: TextArgs<C>
  ) {
    super((API_ERRORS[code].text as (...a: TextArgs<C>) => string)(...args));
    this.statusCode = API_ERRORS[code].status;
  }

  body(): { error: string; message: string } {
    return { error: this.code, message: this.message };
  }
}

/** The error responses a route can give, for its schema: `errorResponses(400, 401)`. */
export function errorResponses(...statuses: number[]): Record<number, typeof ApiErrorSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ApiErrorSchema]));
}

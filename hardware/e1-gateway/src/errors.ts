import type { CardCodecErrorCode } from './protocol/codec-error.js';

/** One row of the error-code table. */
export interface ErrorCodeInfo {
  /** What went wrong, in one line. */
  readonly meaning: string;
  /** The status the simulator's control API answers with; none for a code no HTTP answer carries. */
  readonly status?: number;
  /** The exit code of `countyline-sim`; none for a code the command never exits with. */
  readonly exit?: number;
}

/**
 * Every error code of this package, in one table: the control API answers
 * `{"error": "<message>", "code": "<code>"}` with the row's status, `countyline-sim` exits with
 * the row's exit code, and the card codec's `CardCodecError.code` is one of the rows without
 * either. The table lives here, beside the protocol rather than in `src/sim/`, because the
 * protocol build (which the firmware uses) must not depend on the simulator, while the
 * simulator may depend on the protocol.
 *
 * README.md shows this table; `npm run docs` rewrites that copy from this one.
 */
export const ERROR_CODES = {
  // The control API (src/sim/control-api.ts).
  'bad-body': { meaning: 'the request body is not JSON, not an object, has an unknown or missing field, or a value of the wrong type or out of range', status: 400 },
  'bad-value': { meaning: 'a value the simulator refuses (in a request) or a field of a card frame the protocol does not allow (card codec)', status: 400 },
  'bad-path': { meaning: 'a number in the path is not a whole number in the range the route takes (a span, port, timeslot or CIC that cannot exist), or the path cannot be read', status: 404 },
  'not-found': { meaning: 'no such span, FXO port, timeslot or exchange CIC on this card, or no far-end exchange', status: 404 },
  'no-route': { meaning: 'no route has this path', status: 404 },
  'wrong-method': { meaning: 'the path takes another method; the Allow header names it', status: 405 },
  conflict: { meaning: "the action does not fit the line's, the card's or the exchange's current state", status: 409 },
  'body-too-large': { meaning: 'the request body is over 64 KiB', status: 413 },
  internal: { meaning: 'a fault inside the simulator; its log has the details', status: 500 },
  // countyline-sim (src/sim/cli.ts).
  'port-closed': { meaning: 'the serial port closed under the simulator (did socat exit?)', exit: 1 },
  usage: { meaning: 'bad command-line arguments, or an unreadable or invalid --card or --exchange file', exit: 2 },
  'start-failed': { meaning: 'the serial port cannot be opened (is socat running?), the control port or the --mtp2-peer socket cannot be bound', exit: 2 },
  // The card protocol's framing (framing.ts) and message codec (codec.ts), see PROTOCOL.md.
  short: { meaning: 'card frame: shorter than its FCS or its header' },
  crc: { meaning: 'card frame: the FCS does not match (line noise)' },
  escape: { meaning: 'card frame: ends inside an escape sequence' },
  oversize: { meaning: 'card frame: longer than the largest body' },
  version: { meaning: 'card frame: the peer speaks another protocol version' },
  'unknown-type': { meaning: 'card frame: a message type this end does not know' },
  truncated: { meaning: 'card frame: a field runs past the end of the body' },
  trailing: { meaning: 'card frame: bytes left after the last field' },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes the control API answers with. */
export type HttpErrorCode = { [C in ErrorCode]: (typeof ERROR_CODES)[C] extends { status: number } ? C : never }[ErrorCode];

/** The codes `countyline-sim` exits with. */
export type ExitErrorCode = { [C in ErrorCode]: (typeof ERROR_CODES)[C] extends { exit: number } ? C : never }[ErrorCode];

/** `countyline-sim` stopped as asked (SIGTERM, SIGINT) or printed its help: no error. */
export const EXIT_OK = 0;

/**
 * The rows of the card codec's codes. Typed so that the build fails when the codec gains a
 * code the table lacks.
 */
export const CARD_CODEC_ERRORS: Readonly<Record<CardCodecErrorCode, ErrorCodeInfo>> = ERROR_CODES;

/** The control API's codes, in table order (counters start from these at 0). */
export const HTTP_ERROR_CODES: readonly HttpErrorCode[] = Object.keys(ERROR_CODES).filter(isHttpCode);

function isHttpCode(code: string): code is HttpErrorCode {
  const rows: Readonly<Record<string, ErrorCodeInfo>> = ERROR_CODES;
  return rows[code]?.status !== undefined;
}

/** The HTTP status of a control API code. */
export function httpStatus(code: HttpErrorCode): number {
  return ERROR_CODES[code].status;
}

/** The exit code of a `countyline-sim` code. */
export function exitCode(code: ExitErrorCode): number {
  return ERROR_CODES[code].exit;
}

import { IsupCodecError, need } from '../isup/isup-codec-error.js';
import { checkInt } from '../isup/param-codec.js';
import { MAX_POINT_CODE, type Mtp3Variant } from './mtp3-label.js';

/**
 * Signalling network management messages (Q.704 clause 15), service indicator 0, as they
 * follow the routing label: a heading octet, then the message's own fields.
 *
 *       octet 0
 *     +------+------+
 *     | H1   | H0   |   H0: message group, H1: message in the group (Q.704 Table 1)
 *     | 8..5 | 4..1 |
 *     +------+------+
 *
 *     fields after the heading, per message:
 *       COO, COA        | spare (bit 8) | FSN of the last accepted MSU (bits 7-1) |
 *       CBD, CBA        | changeback code (8 bits) |
 *       TFP TFR TFA     | destination: ITU 14 bits + 2 spare bits (2 octets, LSB first);
 *       RST RSR           China 24 bits (3 octets, LSB first) |
 *       TFC             | destination as above, ITU: the 2 spare bits carry the
 *                         congestion status; China: one more octet, status in bits 2-1 |
 *       UPU             | destination as above | cause (bits 8-5) | user part (bits 4-1) |
 *       DLC             | signalling data link identity (12 bits) + 4 spare (2 octets) |
 *       every other     | nothing |
 *
 * Spare bits are sent as 0 and ignored on receipt; octets after the fields are ignored.
 * A heading code not in the table is `unknown-message`.
 */
export const SNM_TYPES = {
  COO: [1, 1],
  COA: [1, 2],
  CBD: [1, 5],
  CBA: [1, 6],
  ECO: [2, 1],
  ECA: [2, 2],
  RCT: [3, 1],
  TFC: [3, 2],
  TFP: [4, 1],
  TFR: [4, 3],
  TFA: [4, 5],
  RST: [5, 1],
  RSR: [5, 2],
  LIN: [6, 1],
  LUN: [6, 2],
  LIA: [6, 3],
  LUA: [6, 4],
  LID: [6, 5],
  LFU: [6, 6],
  LLT: [6, 7],
  LRT: [6, 8],
  TRA: [7, 1],
  TRW: [7, 2],
  DLC: [8, 1],
  CSS: [8, 2],
  CNS: [8, 3],
  CNP: [8, 4],
  UPU: [10, 1],
} as const satisfies Record<string, readonly [h0: number, h1: number]>;
export type SnmType = keyof typeof SNM_TYPES;

/** Why a user part is unavailable (UPU, Q.704 15.17); other codes are spare. */
export const UPU_CAUSES = ['unknown', 'unequipped', 'inaccessible'] as const;
export type UpuCause = (typeof UPU_CAUSES)[number];

type Sequenced = 'COO' | 'COA';
type Changeback = 'CBD' | 'CBA';
type RouteMessage = 'TFP' | 'TFR' | 'TFA' | 'RST' | 'RSR';

export type SnmMessage =
  | { type: Sequenced; fsn: number }
  | { type: Changeback; code: number }
  | { type: RouteMessage; destination: number }
  | { type: 'TFC'; destination: number; status: number }
  | { type: 'UPU'; destination: number; userPart: number; cause: UpuCause | number }
  | { type: 'DLC'; dataLink: number }
  | { type: Exclude<SnmType, Sequenced | Changeback | RouteMessage | 'TFC' | 'UPU' | 'DLC'> };

export type SnmMessageOf<T extends SnmType> = Extract<SnmMessage, { type: T }>;

const BY_HEADING = new Map<number, SnmType>(Object.entries(SNM_TYPES).map(([type, [h0, h1]]) => [(h1 << 4) | h0, type as SnmType]));
const ROUTE_MESSAGES: readonly string[] = ['TFP', 'TFR', 'TFA', 'RST', 'RSR'];
const DESTINATION_LENGTH: Readonly<Record<Mtp3Variant, number>> = { itu: 2, china: 3 };

/** The octets after the routing label. Throws TypeError/RangeError on a bad value. */
export function encodeSnm(message: SnmMessage, variant: Mtp3Variant): Uint8Array {
  const heading = SNM_TYPES[message.type];
  if (heading === undefined) throw new TypeError(`unknown network management message ${String(message.type)}`);
  const out = [(heading[1] << 4) | heading[0]];
  const where = (field: string) => `${message.type}.${field}`;
  const destination = (pc: number, top = 0) => {
    checkInt(pc, 0, MAX_POINT_CODE[variant], where(`destination (${variant})`));
    if (variant === 'itu') out.push(pc & 0xff, (pc >> 8) | (top << 6));
    else out.push(pc & 0xff, (pc >> 8) & 0xff, pc >> 16);
  };
  switch (message.type) {
    case 'COO':
    case 'COA':
      out.push(checkInt(message.fsn, 0, 127, where('fsn')));
      break;
    case 'CBD':
    case 'CBA':
      out.push(checkInt(message.code, 0, 255, where('code')));
      break;
    case 'TFP':
    case 'TFR':
    case 'TFA':
    case 'RST':
    case 'RSR':
      destination(message.destination);
      break;
    case 'TFC': {
      const status = checkInt(message.status, 0, 3, where('status'));
      if (variant === 'itu') destination(message.destination, status);
      else {
        destination(message.destination);
        out.push(status);
      }
      break;
    }
    case 'UPU': {
      destination(message.destination);
      const cause = typeof message.cause === 'string' ? UPU_CAUSES.indexOf(message.cause) : message.cause;
      out.push((checkInt(cause, 0, 15, where('cause')) << 4) | checkInt(message.userPart, 0, 15, where('userPart')));
      break;
    }
    case 'DLC': {
      const link = checkInt(message.dataLink, 0, 0xfff, where('dataLink'));
      out.push(link & 0xff, link >> 8);
      break;
    }
  }
  return Uint8Array.from(out);
}

/**
 * Reads the network management message that starts at `start` (just after the routing
 * label). Error offsets count from the start of `bytes`. Throws only IsupCodecError.
 */
export function decodeSnm(bytes: Uint8Array, start: number, variant: Mtp3Variant): SnmMessage {
  need(bytes, start, 1, 'network management heading code');
  const heading = bytes[start]!;
  const type = BY_HEADING.get(heading);
  if (type === undefined) {
    throw new IsupCodecError('unknown-message', `unknown network management message H0 ${heading & 0x0f} H1 ${heading >> 4}`, start);
  }
  const at = start + 1;
  const field = (n: number, what: string) => {
    need(bytes, at, n, `${type} ${what}`);
    return bytes.subarray(at, at + n);
  };
  const destination = (f: Uint8Array) => (variant === 'itu' ? f[0]! | ((f[1]! & 0x3f) << 8) : f[0]! | (f[1]! << 8) | (f[2]! << 16));
  const width = DESTINATION_LENGTH[variant];
  switch (type) {
    case 'COO':
    case 'COA':
      return { type, fsn: field(1, 'forward sequence number')[0]! & 0x7f };
    case 'CBD':
    case 'CBA':
      return { type, code: field(1, 'changeback code')[0]! };
    case 'TFC': {
      const f = field(variant === 'itu' ? 2 : 4, 'destination and congestion status');
      return { type, destination: destination(f), status: variant === 'itu' ? f[1]! >> 6 : f[3]! & 0x03 };
    }
    case 'UPU': {
      const f = field(width + 1, 'destination, user part and cause');
      const last = f[width]!;
      const cause = last >> 4;
      return { type, destination: destination(f), userPart: last & 0x0f, cause: UPU_CAUSES[cause] ?? cause };
    }
    case 'DLC': {
      const f = field(2, 'signalling data link identity');
      return { type, dataLink: f[0]! | ((f[1]! & 0x0f) << 8) };
    }
    default:
      if (ROUTE_MESSAGES.includes(type)) return { type: type as RouteMessage, destination: destination(field(width, 'destination')) };
      return { type } as SnmMessage;
  }
}

/** `TRA`, `UPU (destination 2000, userPart 3, cause unequipped)`: a message in a few words, for logs. */
export function describeSnm(message: SnmMessage): string {
  const { type, ...fields } = message;
  const rest = Object.entries(fields).map(([k, v]) => `${k} ${String(v)}`);
  return rest.length > 0 ? `${type} (${rest.join(', ')})` : type;
}

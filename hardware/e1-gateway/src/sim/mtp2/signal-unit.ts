import { crc16x25 } from '../../protocol/index.js';

/**
 * MTP2 signal units (ITU-T Q.703 clause 2), as one HDLC frame without its flags: what a
 * DAHDI D-channel hands libss7, and what one datagram of the simulator's peer socket holds.
 *
 * ```
 *  octet   8     7   6   5   4   3   2   1      bit 1 is sent first (Q.703 2.4)
 *        +-----+---------------------------+
 *    0   | BIB |            BSN            |    backward indicator bit, backward sequence number
 *        +-----+---------------------------+
 *    1   | FIB |            FSN            |    forward indicator bit, forward sequence number
 *        +-----+-----+---------------------+
 *    2   |  spare    |         LI          |    length indicator: 0 FISU, 1-2 LSSU, 3-63 MSU
 *        +-----------+---------------------+
 *    3   | MSU: SIO        | LSSU: status  |    status: bits C B A (Q.703 11.1), the rest spare
 *   4..  | MSU: SIF, 2..272 octets         |    (a 2-octet status field: second octet ignored)
 *        +---------------------------------+
 *  n-2   |      CK, low-order octet        |    CRC-16 over octets 0..n-3, the HDLC
 *  n-1   |      CK, high-order octet       |    frame check sequence (Q.703 4.2)
 *        +---------------------------------+
 * ```
 *
 * LI counts the octets between LI and CK, except that an MSU of 63 octets or more has
 * LI = 63 (Q.703 2.3.3). The spare bits are sent as 0 and ignored on reception.
 */
export type SignalUnit = Fisu | Lssu | Msu;

/** The sequence fields every signal unit carries (Q.703 5.2). Numbers are modulo 128. */
export interface SequenceFields {
  bsn: number;
  bib: 0 | 1;
  fsn: number;
  fib: 0 | 1;
}

/** Fill-in signal unit: sequence fields only, sent when there is nothing else. */
export interface Fisu extends SequenceFields {
  kind: 'fisu';
}

/** Link status signal unit (Q.703 11.1): the alignment and outage statuses. */
export interface Lssu extends SequenceFields {
  kind: 'lssu';
  status: LssuStatus;
}

/** Message signal unit: `data` is the SIO and SIF, what MTP3 sends and receives. */
export interface Msu extends SequenceFields {
  kind: 'msu';
  data: Uint8Array;
}

/**
 * Link status indications (Q.703 11.1), by their C B A bit values: out of alignment,
 * normal, emergency, out of service, processor outage, busy.
 */
export const LSSU_STATUSES = ['SIO', 'SIN', 'SIE', 'SIOS', 'SIPO', 'SIB'] as const;
export type LssuStatus = (typeof LSSU_STATUSES)[number];

/** Octets of BSN/BIB, FSN/FIB and LI. */
export const HEADER_OCTETS = 3;
/** Octets of CK. */
export const FCS_OCTETS = 2;
/** Q.703 2.2: the SIF carries at most 272 octets, so an MSU's SIO + SIF at most 273. */
export const MAX_MSU_DATA = 273;
/** Q.703 2.2: at least 2 SIF octets, so the SIO + SIF of an MSU is at least 3. */
export const MIN_MSU_DATA = 3;
/** LI = 63 stands for "63 octets or more" (Q.703 2.3.3). */
const LI_MAX = 63;

export type SignalUnitErrorCode = 'short' | 'long' | 'length-indicator' | 'fcs' | 'status';

/**
 * The only error the signal unit codec throws on bad input. `offset` is the octet where
 * reading stopped. On the link such a unit counts as an errored signal unit (Q.703 10).
 */
export class SignalUnitError extends RangeError {
  override readonly name = 'SignalUnitError';
  constructor(
    readonly code: SignalUnitErrorCode,
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at octet ${offset})`);
  }
}

export interface DecodeOptions {
  /**
   * Check CK. A line checks it (Q.703 4.2); the peer socket does not, since a software
   * channel has no bit errors and libss7 leaves whatever is in its buffer there.
   */
  checkFcs: boolean;
}

/** Encodes a signal unit with its CK. Throws TypeError for a unit that cannot exist. */
export function encodeSignalUnit(su: SignalUnit): Uint8Array {
  checkSequence(su);
  const payload = su.kind === 'fisu' ? new Uint8Array(0) : su.kind === 'lssu' ? Uint8Array.of(LSSU_STATUSES.indexOf(su.status)) : su.data;
  if (su.kind === 'lssu' && !LSSU_STATUSES.includes(su.status)) throw new TypeError(`LSSU status ${String(su.status)} is none of ${LSSU_STATUSES.join(', ')}`);
  if (su.kind === 'msu' && (payload.length < MIN_MSU_DATA || payload.length > MAX_MSU_DATA)) {
    throw new TypeError(`an MSU carries ${MIN_MSU_DATA} to ${MAX_MSU_DATA} octets of SIO and SIF, not ${payload.length}`);
  }
  const out = new Uint8Array(HEADER_OCTETS + payload.length + FCS_OCTETS);
  out[0] = (su.bib << 7) | su.bsn;
  out[1] = (su.fib << 7) | su.fsn;
  out[2] = Math.min(payload.length, LI_MAX);
  out.set(payload, HEADER_OCTETS);
  const ck = crc16x25(out, 0, out.length - FCS_OCTETS);
  out[out.length - 2] = ck & 0xff;
  out[out.length - 1] = ck >>> 8;
  return out;
}

/**
 * Decodes one signal unit (flags removed, CK included). Throws SignalUnitError when the
 * unit is too short or long (Q.703 4.1: fewer than 6 or more than m+7 octets counting one
 * flag), when LI disagrees with the length, when CK is wrong (if checked), or for an LSSU
 * status Q.703 does not define.
 */
export function decodeSignalUnit(bytes: Uint8Array, opts: DecodeOptions): SignalUnit {
  const min = HEADER_OCTETS + FCS_OCTETS;
  if (bytes.length < min) throw new SignalUnitError('short', `a signal unit has at least ${min} octets, this one ${bytes.length}`, bytes.length);
  const max = HEADER_OCTETS + MAX_MSU_DATA + FCS_OCTETS;
  if (bytes.length > max) throw new SignalUnitError('long', `a signal unit has at most ${max} octets, this one ${bytes.length}`, max);
  const body = bytes.length - FCS_OCTETS;
  if (opts.checkFcs) {
    const ck = crc16x25(bytes, 0, body);
    const got = bytes[body]! | (bytes[body + 1]! << 8);
    if (ck !== got) throw new SignalUnitError('fcs', `CK is 0x${hex4(got)}, the octets before it give 0x${hex4(ck)}`, body);
  }
  const seq: SequenceFields = { bsn: bytes[0]! & 0x7f, bib: (bytes[0]! >> 7) as 0 | 1, fsn: bytes[1]! & 0x7f, fib: (bytes[1]! >> 7) as 0 | 1 };
  const li = bytes[2]! & 0x3f;
  const n = body - HEADER_OCTETS;
  if (li !== Math.min(n, LI_MAX)) {
    throw new SignalUnitError('length-indicator', `LI is ${li} but ${n} octets follow it before CK`, 2);
  }
  if (li === 0) return { kind: 'fisu', ...seq };
  if (li <= 2) {
    const status = LSSU_STATUSES[bytes[3]! & 0x07];
    if (!status) throw new SignalUnitError('status', `LSSU status ${bytes[3]! & 0x07} (bits C B A) is spare`, HEADER_OCTETS);
    return { kind: 'lssu', ...seq, status };
  }
  return { kind: 'msu', ...seq, data: bytes.slice(HEADER_OCTETS, body) };
}

function checkSequence(su: SignalUnit): void {
  for (const field of ['bsn', 'fsn'] as const) {
    const v = su[field];
    if (!Number.isInteger(v) || v < 0 || v > 127) throw new TypeError(`${field.toUpperCase()} ${v} is outside 0..127`);
  }
  for (const field of ['bib', 'fib'] as const) {
    if (su[field] !== 0 && su[field] !== 1) throw new TypeError(`${field.toUpperCase()} ${String(su[field])} is not 0 or 1`);
  }
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

import { pcapHeader, pcapRecord } from '../isup/pcap-writer.js';

/**
 * D-channel captures as libpcap files with link type 177 (LINKTYPE_LINUX_LAPD), the format
 * mISDN captures use and Wireshark reads. Each record is a 16-octet pseudo-header, then the
 * LAPD frame (address, control, information) without flags or FCS:
 *
 *      0      2      4      6                     14       16
 *     +------+------+------+---------------------+--------+---------------
 *     | pkt  | ARP  | addr | address (8 octets)  | proto  | LAPD frame...
 *     | type | HRD  | len  | [0] = we are network| 0x0030 |
 *     +------+------+------+---------------------+--------+---------------
 *
 * All fields big-endian. Packet type 4 (PACKET_OUTGOING) marks a frame the box sent, 0
 * (PACKET_HOST) one it received; with address octet 0 = 0 ("we are the user side")
 * Wireshark then reads C/R as Q.921 3.3.2 has it for each direction: a user's commands
 * carry C/R 0, the network's C/R 1. Layout from Wireshark's wiretap/pcap-common.c
 * (LAPD_SLL_*), ARPHRD_LAPD from Linux's if_arp.h.
 */
export const LINKTYPE_LINUX_LAPD = 177;

const ARPHRD_LAPD = 8445;
const ETH_P_LAPD = 0x0030;
const PACKET_HOST = 0;
const PACKET_OUTGOING = 4;
export const LAPD_PSEUDO_HEADER_LENGTH = 16;

export interface LapdRecord {
  /** When the frame passed: milliseconds since the Unix epoch (fractions keep microseconds). */
  time: number;
  /** 'sent': by the box; 'received': from the far end. */
  direction: 'sent' | 'received';
  /** The LAPD frame: address (2 octets), control (1 or 2), information; no FCS. */
  frame: Uint8Array;
}

export interface LapdCaptureOptions {
  /** The side the box takes on the link: 'user' (the default, a PRI towards the telco) or 'network'. */
  side?: 'user' | 'network';
}

/** The 16-octet pseudo-header for one frame. */
export function lapdPseudoHeader(direction: LapdRecord['direction'], options: LapdCaptureOptions = {}): Uint8Array {
  if (direction !== 'sent' && direction !== 'received') throw new RangeError(`LAPD record direction ${String(direction)} is not sent or received`);
  const side = options.side ?? 'user';
  if (side !== 'user' && side !== 'network') throw new RangeError(`LAPD capture side ${String(side)} is not user or network`);
  const out = new Uint8Array(LAPD_PSEUDO_HEADER_LENGTH);
  const view = new DataView(out.buffer);
  view.setUint16(0, direction === 'sent' ? PACKET_OUTGOING : PACKET_HOST);
  view.setUint16(2, ARPHRD_LAPD);
  view.setUint16(4, 1); // one address octet is meaningful: the side flag
  out[6] = side === 'network' ? 1 : 0;
  view.setUint16(14, ETH_P_LAPD);
  return out;
}

/** The global header to stream once at the start of a D-channel capture. */
export function lapdPcapHeader(): Uint8Array {
  return pcapHeader(LINKTYPE_LINUX_LAPD);
}

/** One record to stream after `lapdPcapHeader()`: pseudo-header and frame. */
export function lapdPcapRecord(record: LapdRecord, options: LapdCaptureOptions = {}): Uint8Array {
  if (!(record.frame instanceof Uint8Array)) throw new TypeError('LAPD record frame: expected a Uint8Array');
  if (record.frame.length < 3) throw new RangeError(`LAPD record frame: ${record.frame.length} octet(s), a frame has at least address and control (3)`);
  const data = new Uint8Array(LAPD_PSEUDO_HEADER_LENGTH + record.frame.length);
  data.set(lapdPseudoHeader(record.direction, options));
  data.set(record.frame, LAPD_PSEUDO_HEADER_LENGTH);
  return pcapRecord({ time: record.time, data });
}

/** A whole D-channel capture file: header, then every record in the order given. */
export function writeLapdPcap(records: readonly LapdRecord[], options: LapdCaptureOptions = {}): Uint8Array {
  const parts = [lapdPcapHeader(), ...records.map((r) => lapdPcapRecord(r, options))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Classic libpcap capture files (the format tcpdump and Wireshark read), written in
 * little-endian order:
 *
 *     global header, 24 octets:
 *       magic a1b2c3d4 | version 2.4 | thiszone 0 | sigfigs 0 | snaplen | link type
 *     per record, 16 octets + data:
 *       seconds | microseconds | captured length | original length | data
 *
 * Link type 141 (MTP3) records start with the SIO octet; 140 (MTP2) with the MTP2 header.
 * Pure: builds bytes, writes nothing; `countyline capture` streams `pcapHeader` once and
 * then `pcapRecord` per MSU.
 */
export const LINKTYPE_MTP2 = 140;
export const LINKTYPE_MTP3 = 141;

export interface PcapRecord {
  /** When the unit was seen: milliseconds since the Unix epoch (fractions keep microseconds). */
  time: number;
  data: Uint8Array;
}

const SNAPLEN = 65535;

export function pcapHeader(linkType: number, snaplen = SNAPLEN): Uint8Array {
  const out = new Uint8Array(24);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, snaplen, true);
  view.setUint32(20, checkU32(linkType, 'link type'), true);
  return out;
}

export function pcapRecord(record: PcapRecord, snaplen = SNAPLEN): Uint8Array {
  const { time, data } = record;
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) throw new RangeError(`pcap record time ${String(time)} is not a time since 1970 in ms`);
  const micros = Math.round(time * 1000);
  const seconds = Math.floor(micros / 1e6);
  checkU32(seconds, 'pcap record seconds');
  const captured = Math.min(data.length, snaplen);
  const out = new Uint8Array(16 + captured);
  const view = new DataView(out.buffer);
  view.setUint32(0, seconds, true);
  view.setUint32(4, micros - seconds * 1e6, true);
  view.setUint32(8, captured, true);
  view.setUint32(12, data.length, true);
  out.set(data.subarray(0, captured), 16);
  return out;
}

/** A whole capture file: header, then every record in the order given. */
export function writePcap(records: readonly PcapRecord[], linkType: number): Uint8Array {
  const parts = [pcapHeader(linkType), ...records.map((r) => pcapRecord(r))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function checkU32(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${what} ${n} does not fit 32 bits`);
  return n;
}

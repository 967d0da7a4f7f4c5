/**
 * The parts of the `sip` package (0.0.6, CommonJS, no types of its own) that Countyline uses:
 * only its RFC 3261 parser and serialiser. Its transport, transaction and digest modules are
 * not used (see udp-endpoint.ts for why). Its strings are "binary" strings: one character per
 * byte (latin1), so UTF-8 text is converted at our edge (wire-text.ts).
 */
declare module 'sip' {
  /** A message as the package parses it; every field is what the peer sent, unchecked. */
  export interface RawSipMessage {
    method?: string;
    uri?: string;
    version?: string;
    status?: number;
    reason?: string;
    headers: Record<string, unknown>;
    content?: string;
  }

  interface SipPackage {
    /** Parses one datagram; undefined when the start line or a header line cannot be read. */
    parse(data: Buffer | string): RawSipMessage | undefined;
    /** Serialises a message; sets Content-Length from `content` (a binary string). */
    stringify(message: RawSipMessage): string;
  }

  const sip: SipPackage;
  export default sip;
}

/**
 * The `sip` package reads and writes bytes as latin1 ("binary" strings, one character per
 * byte). RFC 3261 section 7.1 makes SIP text UTF-8, so text that can hold more than ASCII (a
 * display name, a realm) is converted here at the edge and nowhere else.
 */

/** Unicode text to the binary string whose latin1 bytes are its UTF-8 encoding. */
export function toWire(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** A binary string off the wire back to Unicode (invalid UTF-8 becomes U+FFFD). */
export function fromWire(wire: string): string {
  return Buffer.from(wire, 'latin1').toString('utf8');
}

/**
 * Text as a quoted-string (RFC 3261 section 25.1), for a display name or a Warning's text:
 * backslash and double quote are escaped, control characters (never valid in a
 * quoted-string, and CR LF would end the header) dropped.
 */
export function quotedString(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\x00-\x1f\x7f]/g, '').replace(/[\\"]/g, (c) => `\\${c}`);
  return `"${toWire(clean)}"`;
}

/** Reads a quoted-string or token back to Unicode: quotes removed, escapes undone. */
export function unquote(wire: string): string {
  const t = wire.trim();
  const inner = t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/\\(.)/g, '$1') : t;
  return fromWire(inner);
}

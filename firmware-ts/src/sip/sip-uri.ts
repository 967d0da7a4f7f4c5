/**
 * The user part of a SIP URI (RFC 3261 section 19.1.1), escapes undone: `sip:%2A21@box` and
 * `sip:*21@box` are the same user, `*21` (section 19.1.4: URIs compare after unescaping).
 * Null when the URI has no user part, or its escapes are not UTF-8 (`%C3` alone).
 */
export function userOf(uri: string): string | null {
  const m = /^sips?:([^@;:?]+)@/i.exec(uri);
  if (!m) return null;
  try {
    // A lone `%` (not an escape) is kept as it is rather than refusing the whole URI.
    return decodeURIComponent(m[1]!.replace(/%(?![0-9a-fA-F]{2})/g, '%25'));
  } catch {
    return null;
  }
}

import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '@countyline/e1-gateway';

/**
 * HTTP Digest access authentication as SIP uses it (RFC 3261 section 22.4, with the
 * algorithms of RFC 7616 and RFC 8760). The box offers SHA-256 and MD5, SHA-256 first
 * (RFC 7616 section 3.7: the client uses the first it supports), always with qop=auth so
 * every response carries a nonce count that exposes a replay (RFC 7616 section 3.4).
 *
 * Nonces are stateless until used: an 8-byte timestamp, 16 random bytes and an HMAC of both
 * under a secret made at start, so a nonce we did not make is recognised without a table.
 * The only state is the last nonce count seen per nonce that has authenticated, kept until
 * the nonce expires.
 */
export type DigestAlgorithm = 'SHA-256' | 'MD5';
export const ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];

export interface DigestInput {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  password: string;
  method: string;
  uri: string;
  nonce: string;
  nc: string;
  cnonce: string;
  qop: 'auth';
}

const HASH: Record<DigestAlgorithm, string> = { 'SHA-256': 'sha256', MD5: 'md5' };

/** RFC 7616 section 3.4.1: response = KD(H(A1), nonce:nc:cnonce:qop:H(A2)), A1 = user:realm:password, A2 = method:uri. */
export function digestResponse(d: DigestInput): string {
  const h = (s: string) => createHash(HASH[d.algorithm]).update(s, 'utf8').digest('hex');
  return h(`${h(`${d.username}:${d.realm}:${d.password}`)}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${h(`${d.method}:${d.uri}`)}`);
}

/** The Authorization parameters the box looks at, already unquoted. */
export type Credentials = Partial<Record<'username' | 'realm' | 'nonce' | 'uri' | 'response' | 'algorithm' | 'cnonce' | 'opaque' | 'qop' | 'nc', string>>;

export type DigestVerdict =
  | { ok: true; username: string }
  | { ok: false; reason: 'stale'; username: string }
  | { ok: false; reason: 'unknown-user' | 'wrong-password' | 'replay' | 'wrong-realm' | 'wrong-uri' | 'malformed'; username: string | null; detail: string };

/** A challenge's parameters, values as written on the wire; `scheme` first. */
export interface DigestChallenge {
  scheme: 'Digest';
  realm: string;
  nonce: string;
  opaque: string;
  algorithm: DigestAlgorithm;
  qop: string;
  stale?: 'true';
}

/** A challenge as one header value: `Digest realm="..", nonce="..", ...`. */
export function challengeText(c: DigestChallenge): string {
  const { scheme, ...params } = c;
  return `${scheme} ${Object.entries(params).map(([k, v]) => `${k}=${v}`).join(', ')}`;
}

export interface DigestOptions {
  realm: string;
  /** The challenges offered, in order (default SHA-256, MD5). */
  algorithms?: readonly DigestAlgorithm[];
  nonceTtlMs: number;
  clock: Clock;
}

const NONCE_BYTES = 8 + 16 + 16;
/** Nonce counts kept at most; a nonce is remembered only once it has authenticated. */
const MAX_TRACKED = 50_000;

export class DigestAuth {
  readonly realm: string;
  private readonly secret = randomBytes(32);
  /** Per-process: a nonce from before a restart reads as stale, not forged. */
  readonly opaque = randomBytes(16).toString('base64url');
  private readonly lastNc = new Map<string, { nc: number; expiresAt: number }>();

  constructor(private readonly opts: DigestOptions) {
    this.realm = opts.realm;
  }

  /**
   * WWW-Authenticate values, SHA-256 first (RFC 7616 section 3.7), one nonce for both, as
   * the parameters appear on the wire (quoted where RFC 7616 section 3.3 quotes them).
   */
  challenges(stale = false): DigestChallenge[] {
    const nonce = this.newNonce();
    return (this.opts.algorithms ?? ALGORITHMS).map((algorithm) => ({ scheme: 'Digest', realm: quote(this.realm), nonce: `"${nonce}"`, opaque: `"${this.opaque}"`, algorithm, qop: '"auth"', ...(stale && { stale: 'true' }) }));
  }

  /**
   * Checks an Authorization header's parameters against the request. `password(user)` gives
   * the configured password, or undefined for a user the box does not know. A nonce we did
   * not make, or one past its lifetime, with an otherwise right response is `stale` (RFC
   * 7616 section 3.3: the client may retry with a new nonce without asking its user again).
   */
  verify(c: Credentials, method: string, requestUri: string, password: (user: string) => string | undefined): DigestVerdict {
    const username = c.username ?? null;
    const fail = (reason: 'unknown-user' | 'wrong-password' | 'replay' | 'wrong-realm' | 'wrong-uri' | 'malformed', detail: string): DigestVerdict => ({ ok: false, reason, username, detail });
    const algorithm = (c.algorithm ?? 'MD5').toUpperCase() === 'SHA-256' ? 'SHA-256' : (c.algorithm ?? 'MD5').toUpperCase() === 'MD5' ? 'MD5' : null;
    if (!username || !c.nonce || !c.uri || !c.response || !c.cnonce || !c.nc) return fail('malformed', 'username, nonce, uri, response, cnonce and nc are all required');
    if (!algorithm || !(this.opts.algorithms ?? ALGORITHMS).includes(algorithm)) return fail('malformed', `algorithm ${c.algorithm} is not offered`);
    if (c.qop !== 'auth') return fail('malformed', 'qop=auth is required');
    if (!/^[0-9a-fA-F]{8}$/.test(c.nc)) return fail('malformed', `nc ${c.nc} is not 8 hex digits`);
    if (c.realm !== this.realm) return fail('wrong-realm', `realm ${c.realm} is not ${this.realm}`);
    // RFC 3261 section 22.4: the digest-uri is the Request-URI of the request it signs.
    if (c.uri !== requestUri) return fail('wrong-uri', `digest uri ${c.uri} is not the Request-URI ${requestUri}`);
    const secret = password(username);
    if (secret === undefined) return fail('unknown-user', `no agent ${username}`);
    const expected = digestResponse({ algorithm, username, realm: this.realm, password: secret, method, uri: c.uri, nonce: c.nonce, nc: c.nc, cnonce: c.cnonce, qop: 'auth' });
    if (!sameText(expected, c.response.toLowerCase())) return fail('wrong-password', 'the digest response does not match');
    const issuedAt = this.nonceTime(c.nonce);
    const now = this.opts.clock.now();
    if (issuedAt === null || now - issuedAt > this.opts.nonceTtlMs || issuedAt > now) return { ok: false, reason: 'stale', username };
    const nc = parseInt(c.nc, 16);
    const seen = this.lastNc.get(c.nonce);
    if (seen && nc <= seen.nc) return fail('replay', `nonce count ${c.nc} already used with this nonce`);
    this.remember(c.nonce, nc, issuedAt + this.opts.nonceTtlMs, now);
    return { ok: true, username };
  }

  private newNonce(): string {
    const head = Buffer.alloc(8 + 16);
    head.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.opts.clock.now()))), 0);
    randomBytes(16).copy(head, 8);
    return Buffer.concat([head, this.mac(head)]).toString('base64url');
  }

  /** When we issued this nonce, or null when it is not one of ours. */
  private nonceTime(nonce: string): number | null {
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== NONCE_BYTES || raw.toString('base64url') !== nonce) return null;
    const head = raw.subarray(0, 24);
    if (!timingSafeEqual(this.mac(head), raw.subarray(24))) return null;
    return Number(head.readBigUInt64BE(0));
  }

  private mac(head: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(head).digest().subarray(0, 16);
  }

  private remember(nonce: string, nc: number, expiresAt: number, now: number): void {
    this.lastNc.set(nonce, { nc, expiresAt });
    if (this.lastNc.size <= MAX_TRACKED) return;
    for (const [n, v] of this.lastNc) if (v.expiresAt < now) this.lastNc.delete(n);
    // Still full of live nonces: the oldest go; their next use reads as a replay and is re-challenged.
    while (this.lastNc.size > MAX_TRACKED) this.lastNc.delete(this.lastNc.keys().next().value!);
  }
}

function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Box passwords are hashed with scrypt (RFC 7914) and a random salt, stored as
 * `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>` so the cost can change without breaking old hashes.
 *
 * The cost is N = 2^12, r = 8, p = 1 (4 MiB, about 17 ms here), lower than for passwords people
 * choose: a box password is 256 random bits made by central, so no cost makes guessing it
 * easier or harder, while every box pays a check per MQTT connect, and after a central restart
 * the whole fleet connects at once (5,000 boxes at 2^14 would be three minutes of both cores).
 */
const COST = { N: 4_096, r: 8, p: 1 };
const KEY_LENGTH = 32;

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keyLength, { ...options, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_LENGTH, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when `password` matches `stored`; false for a wrong password or a hash this code cannot read. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 1_048_576) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.length === 0) return false;
  const key = await scryptAsync(password, salt, expected.length, { N, r, p });
  return timingSafeEqual(key, expected);
}

/**
 * A random secret for a person or a box to hold (enrolment tokens, API tokens, box
 * passwords): 32 bytes in hex. Not base64: a token that starts with `-` reads as an option
 * on a command line (`countyline provision --token -x...`).
 */
export function newSecret(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Tokens are random and long, so a plain SHA-256 is enough to store them (nothing to guess
 * from the hash), and it can be looked up by equality.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

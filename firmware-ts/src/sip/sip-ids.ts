import { randomBytes } from 'node:crypto';

/** A From/To tag: RFC 3261 section 19.3 asks for at least 32 random bits; 64 here. */
export function newTag(): string {
  return randomBytes(8).toString('hex');
}

/** A Call-ID unique in space and time (RFC 3261 section 8.1.1.4): 128 random bits @ our address. */
export function newCallId(host: string): string {
  return `${randomBytes(16).toString('hex')}@${host}`;
}

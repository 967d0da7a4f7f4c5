import { createHash } from 'node:crypto';
import { SipPhone, request } from './sip-phone.js';

/**
 * REGISTER as a phone does it, digest computed here independently of the box's code (RFC
 * 7616 section 3.4.1 with MD5 or SHA-256), so a registration test does not check the box
 * against itself.
 */
export interface RegisterOptions {
  user: string;
  password: string;
  realm?: string;
  expires?: number | null;
  contactExpires?: number;
  contact?: string;
  callId?: string;
  cseq?: number;
  algorithm?: 'MD5' | 'SHA-256';
  nc?: string;
  /** Reuse this challenge (nonce) instead of asking for one. */
  nonce?: string;
}

export function registerText(phone: SipPhone, o: RegisterOptions, cseq: number, authorization?: string): string {
  const contact = o.contact ?? `<sip:${o.user}@127.0.0.1:${phone.port}>${o.contactExpires !== undefined ? `;expires=${o.contactExpires}` : ''}`;
  return request([
    'REGISTER sip:127.0.0.1 SIP/2.0',
    `Via: SIP/2.0/UDP 127.0.0.1:${phone.port};branch=z9hG4bK${Math.random().toString(36).slice(2)};rport`,
    'Max-Forwards: 70',
    `To: <sip:${o.user}@127.0.0.1>`,
    `From: <sip:${o.user}@127.0.0.1>;tag=ph${phone.port}`,
    `Call-ID: ${o.callId ?? `reg-${phone.port}`}@phone`,
    `CSeq: ${cseq} REGISTER`,
    `Contact: ${contact}`,
    ...(o.expires === null ? [] : [`Expires: ${o.expires ?? 600}`]),
    ...(authorization ? [`Authorization: ${authorization}`] : []),
  ]);
}

export function authorization(o: RegisterOptions, challenge: { realm: string; nonce: string; opaque: string }, method = 'REGISTER', uri = 'sip:127.0.0.1'): string {
  const algorithm = o.algorithm ?? 'SHA-256';
  const h = (s: string) => createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(s).digest('hex');
  const nc = o.nc ?? '00000001';
  const cnonce = 'a1b2c3d4';
  const realm = o.realm ?? challenge.realm;
  const response = h(`${h(`${o.user}:${realm}:${o.password}`)}:${challenge.nonce}:${nc}:${cnonce}:auth:${h(`${method}:${uri}`)}`);
  return `Digest username="${o.user}", realm="${realm}", nonce="${challenge.nonce}", uri="${uri}", response="${response}", algorithm=${algorithm}, cnonce="${cnonce}", opaque="${challenge.opaque}", qop=auth, nc=${nc}`;
}

/** The challenges of a 401, in order, as the phone reads them. */
export function challengesOf(text: string): Array<{ realm: string; nonce: string; opaque: string; algorithm: string; stale: boolean }> {
  return text
    .split('\r\n')
    .filter((l) => /^WWW-Authenticate:/i.test(l))
    .map((l) => ({
      realm: /realm="([^"]*)"/.exec(l)?.[1] ?? '',
      nonce: /nonce="([^"]*)"/.exec(l)?.[1] ?? '',
      opaque: /opaque="([^"]*)"/.exec(l)?.[1] ?? '',
      algorithm: /algorithm=([A-Za-z0-9-]+)/.exec(l)?.[1] ?? '',
      stale: /stale=true/i.test(l),
    }));
}

/** REGISTER, read the 401, REGISTER again with credentials; returns the final response text. */
export async function register(phone: SipPhone, port: number, o: RegisterOptions): Promise<{ status: number; text: string; challenge: ReturnType<typeof challengesOf>[number] }> {
  const cseq = o.cseq ?? 1;
  await phone.send(registerText(phone, o, cseq), port);
  const first = await phone.next((m) => m.status !== undefined && m.status >= 200);
  if (first.message.status !== 401) return { status: first.message.status!, text: first.text, challenge: challengesOf(first.text)[0]! };
  const challenge = challengesOf(first.text).find((c) => c.algorithm === (o.algorithm ?? 'SHA-256'))!;
  await phone.send(registerText(phone, o, cseq + 1, authorization(o, challenge)), port);
  const second = await phone.next((m) => m.status !== undefined && m.status >= 200);
  return { status: second.message.status!, text: second.text, challenge };
}

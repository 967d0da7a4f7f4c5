import type { RawSipMessage } from 'sip';

/**
 * SIP messages as the rest of the box sees them: the headers every request and response
 * must carry (RFC 3261 section 8.1.1: To, From, CSeq, Call-ID, Via) checked and typed; any
 * other header as the parser left it. Strings are binary strings (wire-text.ts).
 */
export interface Via {
  version: string;
  protocol: string;
  host: string;
  port?: number;
  params: Record<string, string | null>;
}

/** name-addr / addr-spec (RFC 3261 section 20.10): `"name" <uri>;params`. */
export interface NameAddr {
  name?: string;
  uri: string;
  params: Record<string, string | null>;
}

export interface CSeq {
  seq: number;
  method: string;
}

export interface SipHeaders {
  via: Via[];
  to: NameAddr;
  from: NameAddr;
  'call-id': string;
  cseq: CSeq;
  contact?: NameAddr[] | '*';
  [name: string]: unknown;
}

export interface SipRequest {
  method: string;
  uri: string;
  headers: SipHeaders;
  content: string;
}

export interface SipResponse {
  status: number;
  reason: string;
  headers: SipHeaders;
  content: string;
  /** Made by the endpoint: no response came in time (Timer B or F, RFC 3261 section 8.1.3.1). */
  timedOut?: true;
}

/** Why a datagram is not a usable SIP message (the label of the malformed counter). */
export type MalformedReason = 'too-large' | 'unparsable' | 'missing-header' | 'bad-header' | 'bad-version' | 'bad-content-length';

export type Checked =
  | { ok: true; request: SipRequest }
  | { ok: true; response: SipResponse }
  /** `replyable`: the request has what a 400 needs (RFC 3261 section 8.2.6.2). */
  | { ok: false; reason: MalformedReason; detail: string; replyable: SipRequest | null };

const METHOD = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const MAX_CSEQ = 2 ** 31 - 1; // RFC 3261 section 8.1.1.5: less than 2**31

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isParams = (v: unknown): v is Record<string, string | null> => isRecord(v) && Object.values(v).every((x) => x === null || typeof x === 'string');

function isVia(v: unknown): v is Via {
  return isRecord(v) && typeof v.host === 'string' && v.host.length > 0 && typeof v.protocol === 'string' && isParams(v.params) && (v.port === undefined || (Number.isInteger(v.port) && (v.port as number) > 0 && (v.port as number) < 65536));
}

export function isNameAddr(v: unknown): v is NameAddr {
  return isRecord(v) && typeof v.uri === 'string' && /^sips?:/i.test(v.uri) && isParams(v.params) && (v.name === undefined || typeof v.name === 'string');
}

/**
 * Checks what the parser made of a datagram. A request missing a mandatory header, or with
 * one that does not parse, is malformed; it is `replyable` when Via, From, To, Call-ID and
 * CSeq are usable, since a response is built from exactly those (RFC 3261 section 8.2.6.2).
 */
export function checkMessage(raw: RawSipMessage | undefined, bodyBytes: number): Checked {
  if (!raw || !isRecord(raw.headers)) return { ok: false, reason: 'unparsable', detail: 'no SIP start line or an unreadable header line', replyable: null };
  const h = raw.headers;
  const isRequest = typeof raw.method === 'string';
  const via = h.via;
  const routable = Array.isArray(via) && via.length > 0 && via.every(isVia);
  const cseq = h.cseq;
  const cseqOk = isRecord(cseq) && Number.isInteger(cseq.seq) && (cseq.seq as number) >= 0 && (cseq.seq as number) <= MAX_CSEQ && typeof cseq.method === 'string' && METHOD.test(cseq.method);
  const callId = typeof h['call-id'] === 'string' && h['call-id'].trim().length > 0;
  const core = routable && cseqOk && callId && isNameAddr(h.to) && isNameAddr(h.from);
  const replyable = isRequest && core ? (raw as unknown as SipRequest) : null;
  const bad = (reason: MalformedReason, detail: string): Checked => ({ ok: false, reason, detail, replyable });

  if (raw.version !== '2.0') return bad('bad-version', `SIP version ${String(raw.version)}; only SIP/2.0 is spoken (RFC 3261 section 7.1)`);
  if (!routable) return bad(via === undefined ? 'missing-header' : 'bad-header', 'Via missing or unreadable');
  for (const name of ['to', 'from', 'call-id', 'cseq'] as const) if (h[name] === undefined) return bad('missing-header', `${name} missing`);
  if (!core) return bad('bad-header', 'To, From, Call-ID or CSeq unreadable');
  // The package reads `Contact: *` (RFC 3261 section 10.2.2) as an address whose URI is "*".
  if (Array.isArray(h.contact) && h.contact.some((c: unknown) => isRecord(c) && c.uri === '*')) {
    if (h.contact.length !== 1) return bad('bad-header', 'Contact: * must stand alone');
    h.contact = '*';
  }
  if (h.contact !== undefined && h.contact !== '*' && !(Array.isArray(h.contact) && h.contact.every(isNameAddr))) return bad('bad-header', 'Contact unreadable');
  const length = h['content-length'];
  // RFC 3261 section 18.3: a Content-Length larger than the datagram's body is an error.
  if (length !== undefined && !(typeof length === 'number' && Number.isInteger(length) && length >= 0 && length <= bodyBytes)) return bad('bad-content-length', `Content-Length ${String(length)} with ${bodyBytes} bytes of body`);
  const content = typeof raw.content === 'string' ? raw.content : '';
  if (isRequest) {
    if (!METHOD.test(raw.method!) || typeof raw.uri !== 'string' || !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(raw.uri)) return bad('unparsable', 'bad request line');
    // RFC 3261 section 8.1.1.5: the CSeq method matches the request's.
    if ((cseq as unknown as CSeq).method !== raw.method) return bad('bad-header', `CSeq method ${(cseq as unknown as CSeq).method} differs from ${raw.method}`);
    return { ok: true, request: { method: raw.method!, uri: raw.uri, headers: h as SipHeaders, content } };
  }
  if (!(typeof raw.status === 'number' && Number.isInteger(raw.status) && raw.status >= 100 && raw.status <= 699)) return bad('unparsable', `status ${String(raw.status)}`);
  return { ok: true, response: { status: raw.status, reason: typeof raw.reason === 'string' ? raw.reason : '', headers: h as SipHeaders, content } };
}

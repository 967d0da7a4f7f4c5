import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PeerCertificate } from 'node:tls';
import { CountylineError, type ErrorArgs } from '../errors.js';

export interface PostAnswer {
  status: number;
  /** The body as text, whatever its type. */
  text: string;
  /** A redirect's target, else null. */
  location: string | null;
}

export interface PostOptions {
  /** For the whole exchange: connecting, the TLS handshake, the request and the whole answer. */
  timeoutMs: number;
  /**
   * https only: trust these PEM certificates instead of the system's CAs (node:tls `ca`).
   * Node 20's fetch takes no CA per request, hence node:https.
   */
  ca?: { path: string; certificates: readonly string[] } | null;
}

/**
 * POSTs a JSON body to central and reads its answer. Redirects are not followed (a POST
 * must not turn into a GET): the caller sees the status and `location`. Fails with
 * `central-unreachable` when no answer came, `central-untrusted` when central's TLS
 * certificate did not verify.
 */
export function postJson(url: URL, body: unknown, o: PostOptions): Promise<PostAnswer> {
  const payload = Buffer.from(JSON.stringify(body));
  const https = url.protocol === 'https:';
  const options = {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': payload.length },
    // One request, then the process ends: no keep-alive pool holding it open.
    agent: false,
    ...(https && o.ca ? { ca: [...o.ca.certificates] } : {}),
  } as const;
  return new Promise<PostAnswer>((resolve, reject) => {
    let timedOut = false;
    const fail = (err: Error & { code?: string; cert?: PeerCertificate }) => {
      clearTimeout(timer);
      reject(transportError(url, err, timedOut ? o.timeoutMs : null, o.ca?.path ?? null));
    };
    const req = (https ? httpsRequest : httpRequest)(url, options, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      // A connection broken under the answer: its 'error' (ECONNRESET), not its 'end'.
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), location: res.headers.location ?? null });
      });
    });
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new Error('timed out'));
    }, o.timeoutMs);
    req.on('error', fail);
    req.end(payload);
  });
}

// OpenSSL's verification results (x509_vfy.h) as node:tls reports them in `err.code`.
const UNKNOWN_ISSUER = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** Which kind of distrust a TLS error code is, or null when it is not about the certificate. */
export function untrustedReason(code: string | undefined): ErrorArgs<'central-untrusted'>['reason'] | null {
  if (code === undefined) return null;
  if (UNKNOWN_ISSUER.has(code)) return 'unknown-issuer';
  if (EXPIRED.has(code)) return 'expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'wrong-name';
  return null;
}

function transportError(url: URL, err: Error & { code?: string; cert?: PeerCertificate }, timedOutAfterMs: number | null, caFile: string | null): CountylineError {
  if (timedOutAfterMs !== null) return new CountylineError('central-unreachable', { url: url.origin, detail: `no answer within ${timedOutAfterMs / 1000} s` });
  const reason = untrustedReason(err.code);
  if (reason) {
    const names = reason === 'wrong-name' ? err.cert?.subjectaltname : undefined;
    return new CountylineError('central-untrusted', { url: url.origin, reason, detail: err.code!, caFile, ...(names ? { names } : {}) });
  }
  return new CountylineError('central-unreachable', { url: url.origin, detail: err.code ?? err.message });
}

import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CountylineError } from '../errors.js';

/** A CA file as `countyline provision --ca-file` takes it: where it is, and its certificates. */
export interface CaFile {
  /** Absolute: it goes into the config as `central.caFile`, read later from another folder. */
  path: string;
  /** Each certificate of the file as a PEM block, for `ca` of node:tls. */
  certificates: string[];
}

// RFC 7468 section 5: the textual encoding of a certificate. Other blocks (a key, a CRL) are
// left out; text around the blocks (openssl's "subject=" lines) is allowed by section 2.
const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Reads the PEM file of the CA that signed central's certificates (a city's own CA), and
 * checks what the TLS handshake would find out too late, after the user typed a token:
 * that it is readable, holds at least one certificate, each parses as X.509, and at least
 * one can anchor a chain (a CA, or a self-signed certificate trusted as it is). Relative
 * paths are taken from the working directory, as the user typed them.
 */
export async function readCaFile(file: string, read: (path: string) => Promise<Buffer> = readFile): Promise<CaFile> {
  const path = resolve(file);
  let text: string;
  try {
    text = (await read(path)).toString('latin1');
  } catch (err) {
    throw new CountylineError('ca-file-unusable', { file, problem: 'unreadable', detail: (err as NodeJS.ErrnoException).code ?? String(err) });
  }
  const certificates = text.match(CERTIFICATE) ?? [];
  if (certificates.length === 0) throw new CountylineError('ca-file-unusable', { file, problem: 'no-certificate', detail: '' });
  const parsed = certificates.map((pem, i) => {
    try {
      return new X509Certificate(pem);
    } catch {
      throw new CountylineError('ca-file-unusable', { file, problem: 'bad-certificate', detail: String(i + 1) });
    }
  });
  // A server's own certificate passed by mistake: OpenSSL would not accept it as the anchor of
  // central's chain, and the handshake would only say "unable to verify the first certificate".
  if (!parsed.some((c) => c.ca || c.checkIssued(c))) throw new CountylineError('ca-file-unusable', { file, problem: 'not-a-ca', detail: parsed[0]!.subject.replaceAll('\n', ', ') });
  return { path, certificates };
}

import { access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Low } from 'lowdb';
import { CountylineError } from '../errors.js';
import { readCaFile, type CaFile } from './ca-file.js';
import { FsyncJsonFile, type FileOps } from './fsync-json-file.js';
import { postJson } from './post-json.js';

export interface ProvisionRequest {
  /** Central's HTTP address, `http(s)://host[:port][/prefix]`. */
  central: string;
  /** The one-time enrolment token central gave for this box. */
  token: string;
  /**
   * PEM file of the CA that signed central's certificates (a city's own CA): trusted for the
   * enrolment over https, and written as `central.caFile` for the MQTT link (mqtts).
   */
  caFile?: string | undefined;
  configPath: string;
  /** How long to wait for central's answer (default 15 s). */
  timeoutMs?: number;
  /** Tests: file operations that fail. */
  ops?: Partial<FileOps>;
  /** Tests: a check of write access that fails. */
  access?: (path: string) => Promise<void>;
}

export interface Provisioned {
  boxId: string;
  /** The broker the box will connect to. */
  mqttUrl: string;
  configPath: string;
  /** `central.caFile` as written (absolute), when --ca-file was given. */
  caFile: string | null;
}

/** What central's `POST /api/v1/enrol` answers (control-plane/src/api/enrol-route.ts). */
const EnrolAnswer = Type.Object({
  boxId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
  mqtt: Type.Object({ url: Type.String({ pattern: '^mqtts?://' }), username: Type.String(), password: Type.String({ minLength: 1 }) }),
});

const REFUSALS = { 'enrolment-unknown': 'enrolment-unknown', 'enrolment-used': 'enrolment-used', 'enrolment-expired': 'enrolment-expired' } as const;

type ConfigFile = Record<string, unknown>;

/**
 * `countyline provision`: exchanges the enrolment token for the box's MQTT credentials and
 * writes them into the config's `central` section (url, boxId, password, and caFile when a
 * CA file is given), leaving every other key as it was. The token works once, so everything
 * that can be checked is checked before it is spent: the CA file must hold a CA certificate,
 * the config file is read and must be writable first. The firmware need not run.
 */
export async function provision(request: ProvisionRequest): Promise<Provisioned> {
  const enrolUrl = enrolAddress(request.central);
  const ca = request.caFile === undefined ? null : await readCaFile(request.caFile);
  const path = request.configPath;
  const db = new Low<ConfigFile | null>(new FsyncJsonFile<ConfigFile | null>(path, { ...(request.ops ? { ops: request.ops } : {}) }), null);
  try {
    await db.read();
  } catch (err) {
    const problem = err instanceof SyntaxError ? `not valid JSON: ${err.message}` : `cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
    throw new CountylineError('config', { path, problems: [problem] });
  }
  if (db.data === null) throw new CountylineError('config', { path, problems: ['no such file; pass --config <file>'] });
  if (typeof db.data !== 'object' || Array.isArray(db.data)) throw new CountylineError('config', { path, problems: ['(top level): expected an object'] });
  const canWrite = request.access ?? ((p: string) => access(p, constants.W_OK));
  for (const target of [dirname(path), path]) {
    try {
      await canWrite(target);
    } catch (err) {
      throw new CountylineError('config-unwritable', { file: path, detail: (err as NodeJS.ErrnoException).code ?? String(err), tokenUsed: false });
    }
  }

  const answer = await enrol(enrolUrl, request.token, request.timeoutMs ?? 15_000, ca);
  const earlier = db.data.central;
  // Keys of the section provision does not set (outboxMaxBytes, caFile without --ca-file, ...)
  // stay. The CA that central's API is signed by signs its broker too: the MQTT link
  // (mqtt-link.ts) trusts it by central.caFile.
  db.data.central = {
    ...(earlier && typeof earlier === 'object' ? earlier : {}),
    ...(ca ? { caFile: ca.path } : {}),
    url: answer.mqtt.url,
    boxId: answer.boxId,
    password: answer.mqtt.password,
  };
  try {
    await db.write();
  } catch (err) {
    throw new CountylineError('config-unwritable', { file: path, detail: (err as NodeJS.ErrnoException).code ?? String(err), tokenUsed: true });
  }
  return { boxId: answer.boxId, mqttUrl: answer.mqtt.url, configPath: path, caFile: ca?.path ?? null };
}

function enrolAddress(central: string): URL {
  let base: URL | null = null;
  try {
    base = new URL(central.endsWith('/') ? central : `${central}/`);
  } catch {
    // refused below
  }
  if (!base || (base.protocol !== 'http:' && base.protocol !== 'https:')) {
    throw new CountylineError('option-value', { option: '--central', got: central, expected: { en: "central's address, http(s)://host[:port]", zh: '中心地址, http(s)://主机[:端口]' } });
  }
  return new URL('api/v1/enrol', base);
}

async function enrol(url: URL, token: string, timeoutMs: number, ca: CaFile | null): Promise<{ boxId: string; mqtt: { url: string; password: string } }> {
  const where = url.origin;
  const { status, text, location } = await postJson(url, { token }, { timeoutMs, ca });
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: reported below with the start of the text
  }
  if (status < 200 || status > 299) {
    const code = (body as { error?: unknown } | null)?.error;
    if (typeof code === 'string' && Object.hasOwn(REFUSALS, code)) throw new CountylineError(REFUSALS[code as keyof typeof REFUSALS], {});
    const message = (body as { message?: unknown } | null)?.message;
    // A proxy in front of central moving it (http to https, say): say where to.
    const detail = location !== null && status >= 300 && status < 400 ? `redirected to ${location}; give --central the address central answers at` : typeof message === 'string' ? message : text.slice(0, 200);
    throw new CountylineError('central-error', { url: where, status, detail });
  }
  if (!Value.Check(EnrolAnswer, body)) {
    throw new CountylineError('central-error', { url: where, status, detail: `the answer is not an enrolment: ${text.slice(0, 200)}` });
  }
  return body;
}

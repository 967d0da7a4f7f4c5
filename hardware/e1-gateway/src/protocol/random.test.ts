import { isDeepStrictEqual } from 'node:util';
import t from 'tap';
import { decodeBody, encodeBody } from './codec.js';
import { CardCodecError } from './codec-error.js';
import type { FieldKind } from './fields.js';
import { Deframer, encodeFrame } from './framing.js';
import { CATALOGUE, type CardMessage, type MessageType } from './messages.js';
import { seededRandom as mulberry32 } from '../random.js';

// Seeded random inputs. A failure names its seed; rerun it with CARD_RANDOM_SEED=<seed>.
const SEED = Number(process.env.CARD_RANDOM_SEED ?? 0xc0ffee);


class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** 0 <= n < max */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
  bytes(n: number): number[] {
    return Array.from({ length: n }, () => this.int(256));
  }
}

const TYPES = Object.keys(CATALOGUE) as MessageType[];
const CODES = TYPES.map((type) => CATALOGUE[type].code);

/** Characters of every UTF-8 length, plus the awkward ones: NUL, U+FEFF, U+FFFD, flag/escape octets. */
const CHARS = ['a', '7', '#', '\u0000', '\u007e', '\u007d', '\u00e9', '\u0416', '\u5f20', '\ufeff', '\ufffd', '\u{1f4de}', '\u{10ffff}'];

function randomString(r: Random): string {
  const budget = r.chance(0.1) ? 255 : r.int(24);
  let s = '';
  for (;;) {
    const ch = r.chance(0.5) ? String.fromCodePoint(0x20 + r.int(0x5f)) : r.pick(CHARS);
    if (Buffer.byteLength(s + ch) > budget) return s;
    s += ch;
  }
}

function randomValue(r: Random, kind: FieldKind): unknown {
  if (typeof kind === 'object') {
    if ('enum' in kind) return r.pick(kind.enum);
    return Object.fromEntries(kind.bits.map((bit) => [bit, r.chance(0.5)]));
  }
  switch (kind) {
    case 'u8':
      return r.int(0x100);
    case 'u16':
      return r.int(0x10000);
    case 'u32':
      return r.chance(0.1) ? 0xffffffff : r.int(0x100000000);
    case 'dv':
      return (r.int(0x10000) - 0x8000) / 10;
    case 'dm':
      return r.int(0x10000) / 10;
    case 'bool':
      return r.chance(0.5);
    case 'str':
      return randomString(r);
    case 'bytes':
      return Uint8Array.from(r.bytes(r.chance(0.05) ? r.int(1500) : r.int(40)));
  }
}

function randomMessage(r: Random): { message: CardMessage; header: { seq: number; ref: number; flags: number } } {
  const type = r.pick(TYPES);
  const message: Record<string, unknown> = { type };
  for (const [name, kind] of CATALOGUE[type].fields) message[name] = randomValue(r, kind);
  return { message: message as unknown as CardMessage, header: { seq: r.int(0x10000), ref: r.int(0x10000), flags: r.int(0x100) } };
}

/**
 * Mutates a copy of `bytes`: flips bits, truncates, inserts, deletes or overwrites. `from` and
 * `to` are the first and last original positions the damage touches.
 */
function mutate(r: Random, bytes: readonly number[]): { bytes: number[]; from: number; to: number } {
  const out = [...bytes];
  const at = r.int(out.length + 1);
  const last = Math.min(at, out.length - 1);
  switch (r.int(5)) {
    case 0:
      out[last] = out[last]! ^ (1 << r.int(8));
      return { bytes: out, from: last, to: last };
    case 1:
      return { bytes: out.slice(0, at), from: at, to: Infinity };
    case 2:
      out.splice(at, 0, ...r.bytes(1 + r.int(4)));
      return { bytes: out, from: at, to: at };
    case 3: {
      const n = 1 + r.int(4);
      out.splice(at, n);
      return { bytes: out, from: at, to: at + n - 1 };
    }
    default:
      out[last] = r.int(256);
      return { bytes: out, from: last, to: last };
  }
}

/**
 * Decodes `bytes`; anything thrown must be a CardCodecError naming an offset inside the body.
 * Whatever decodes must re-encode to the same bytes: the codec accepts one spelling of each
 * message, so it never reads a damaged frame as a different valid one silently.
 */
function decodeOrCodecError(bytes: readonly number[]): string | undefined {
  const body = Uint8Array.from(bytes);
  let decoded;
  try {
    decoded = decodeBody(body);
  } catch (err) {
    if (!(err instanceof CardCodecError)) return `threw ${String(err)} for ${Buffer.from(body).toString('hex')}`;
    if (err.offset < 0 || err.offset > body.length) return `offset ${err.offset} outside a ${body.length}-byte body`;
    return undefined;
  }
  const again = Buffer.from(encodeBody(decoded.message, decoded.header)).toString('hex');
  if (again !== Buffer.from(body).toString('hex')) return `${Buffer.from(body).toString('hex')} decoded, but re-encodes as ${again}`;
  return undefined;
}

t.test(`valid messages round-trip (seed ${SEED})`, async (t) => {
  const r = new Random(SEED);
  let failures = 0;
  for (let i = 0; i < 10000; i++) {
    const { message, header } = randomMessage(r);
    const body = encodeBody(message, header);
    const { header: h, message: m } = decodeBody(body);
    const ok =
      h.seq === header.seq &&
      h.ref === header.ref &&
      h.flags === header.flags &&
      isDeepStrictEqual(m, message) &&
      Buffer.from(encodeBody(m, h)).equals(body);
    if (!ok && failures++ < 5) t.fail(`seed ${SEED}, message ${i}: ${JSON.stringify(message)}`);
  }
  t.equal(failures, 0, `seed ${SEED}: 10000 messages`);
});

t.test(`random bodies never throw anything but CardCodecError (seed ${SEED})`, async (t) => {
  const r = new Random(SEED + 1);
  let failures = 0;
  for (let i = 0; i < 30000; i++) {
    // Mostly the right version and a known type, so that the payload readers get exercised.
    const bytes = r.bytes(r.int(48));
    if (bytes.length > 0 && r.chance(0.9)) bytes[0] = 1;
    if (bytes.length > 1 && r.chance(0.8)) bytes[1] = r.pick(CODES);
    const problem = decodeOrCodecError(bytes);
    if (problem && failures++ < 5) t.fail(`seed ${SEED + 1}, body ${i}: ${problem}`);
  }
  t.equal(failures, 0, '30000 random bodies');
});

t.test(`mutated messages never throw anything but CardCodecError (seed ${SEED})`, async (t) => {
  const r = new Random(SEED + 2);
  let failures = 0;
  for (let i = 0; i < 30000; i++) {
    const { message, header } = randomMessage(r);
    let { bytes } = mutate(r, [...encodeBody(message, header)]);
    if (r.chance(0.3)) bytes = mutate(r, bytes).bytes;
    const problem = decodeOrCodecError(bytes);
    if (problem && failures++ < 5) t.fail(`seed ${SEED + 2}, mutation ${i}: ${problem}`);
  }
  t.equal(failures, 0, '30000 mutations');
});

t.test(`the deframer survives random damage and loses only the damaged frame (seed ${SEED})`, async (t) => {
  const r = new Random(SEED + 3);
  let failures = 0;
  let delivered = 0;
  let lost = 0;
  const fail = (why: string) => {
    if (failures++ < 5) t.fail(why);
  };
  for (let round = 0; round < 400; round++) {
    const bodies: string[] = [];
    const spans: [number, number][] = [];
    const stream: number[] = [];
    for (let i = 0; i < 12; i++) {
      const { message, header } = randomMessage(r);
      const body = encodeBody(message, header);
      bodies.push(Buffer.from(body).toString('hex'));
      spans.push([stream.length, stream.length + encodeFrame(body).length - 1]);
      stream.push(...encodeFrame(body));
    }
    const damaged = mutate(r, stream);
    const frames: string[] = [];
    let errors = 0;
    const deframer = new Deframer(
      (body) => {
        frames.push(Buffer.from(body).toString('hex'));
        const problem = decodeOrCodecError([...body]);
        if (problem) fail(`seed ${SEED + 3}, round ${round}: ${problem}`);
      },
      (err) => {
        errors++;
        if (!(err instanceof CardCodecError)) fail(`seed ${SEED + 3}, round ${round}: onError got ${String(err)}`);
      },
    );
    try {
      for (let at = 0; at < damaged.bytes.length; ) {
        const size = r.int(40);
        deframer.push(Uint8Array.from(damaged.bytes.slice(at, at + size)));
        at += size;
      }
    } catch (err) {
      fail(`seed ${SEED + 3}, round ${round}: push threw ${String(err)}`);
    }
    const s = deframer.stats;
    if (s.frames !== frames.length || s.crc + s.short + s.escape + s.oversize !== errors) fail(`seed ${SEED + 3}, round ${round}: stats disagree`);
    // A frame is untouched if the damage lies wholly outside it, flags included.
    const untouched = bodies.filter((_, i) => {
      const [start, end] = spans[i]!;
      return damaged.to < start || damaged.from > end;
    });
    let next = 0;
    for (const frame of frames) if (frame === untouched[next]) next++;
    if (next !== untouched.length) fail(`seed ${SEED + 3}, round ${round}: only ${next} of ${untouched.length} untouched frames arrived`);
    if (frames.length > untouched.length + 2) fail(`seed ${SEED + 3}, round ${round}: ${frames.length - untouched.length} unexpected frames`);
    delivered += frames.length;
    lost += bodies.length - frames.length;
  }
  t.equal(failures, 0, `400 damaged streams (${delivered} frames through, ${lost} lost)`);
  t.ok(lost > 0, 'the damage did cost frames');
});

t.test(`random byte streams never make the deframer throw (seed ${SEED})`, async (t) => {
  const r = new Random(SEED + 4);
  const errors: unknown[] = [];
  const deframer = new Deframer(
    (body) => {
      const problem = decodeOrCodecError([...body]);
      if (problem) errors.push(problem);
    },
    (err) => {
      if (!(err instanceof CardCodecError)) errors.push(err);
    },
  );
  for (let i = 0; i < 20000; i++) {
    // Flag and escape octets often, so that frames open, close and escape at random.
    const chunk = r.bytes(r.int(64)).map((b) => (b < 24 ? 0x7e : b < 40 ? 0x7d : b));
    deframer.push(Uint8Array.from(chunk));
  }
  t.strictSame(errors, [], `seed ${SEED + 4}`);
  t.ok(deframer.stats.crc + deframer.stats.short + deframer.stats.escape > 0, 'the noise was reported as bad frames');
});

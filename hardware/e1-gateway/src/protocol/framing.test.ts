import t from 'tap';
import { CardCodecError } from './codec-error.js';
import { Deframer, encodeFrame, MAX_BODY, type DeframerStats } from './framing.js';
import { seededRandom as mulberry32 } from '../random.js';

// Hand-written frames. Each FCS is CRC-16/X-25 over the unstuffed body (checked against the
// bitwise definition in crc16.test.ts), sent least significant octet first.

/** "123456789": FCS 0x906E, nothing to stuff. */
const PLAIN_BODY = [0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39];
const PLAIN_FRAME = [
  0x7e, //                                              opening flag
  0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, // body
  0x6e, 0x90, //                                        FCS 0x906E, low octet first
  0x7e, //                                              closing flag
];

/** Body 7E AB: FCS 0x7E4A, so both the body and the FCS carry a flag octet to stuff. */
const FLAG_BODY = [0x7e, 0xab];
const FLAG_FRAME = [
  0x7e, //       opening flag
  0x7d, 0x5e, // body 0x7E, escaped (0x7E ^ 0x20)
  0xab, //       body
  0x4a, //       FCS low octet
  0x7d, 0x5e, // FCS high octet 0x7E, escaped
  0x7e, //       closing flag
];

/** Body 7D 03: FCS 0x7D60, so both carry an escape octet to stuff. */
const ESCAPE_BODY = [0x7d, 0x03];
const ESCAPE_FRAME = [
  0x7e, //       opening flag
  0x7d, 0x5d, // body 0x7D, escaped (0x7D ^ 0x20)
  0x03, //       body
  0x60, //       FCS low octet
  0x7d, 0x5d, // FCS high octet 0x7D, escaped
  0x7e, //       closing flag
];

interface Received {
  frames: number[][];
  errors: CardCodecError[];
  deframer: Deframer;
}

function receiver(): Received {
  const frames: number[][] = [];
  const errors: CardCodecError[] = [];
  const deframer = new Deframer(
    (body) => frames.push([...body]),
    (err) => errors.push(err),
  );
  return { frames, errors, deframer };
}

function feed(bytes: readonly number[], chunks?: readonly number[]): Received {
  const r = receiver();
  const data = Uint8Array.from(bytes);
  let at = 0;
  for (const size of chunks ?? [data.length]) {
    r.deframer.push(data.subarray(at, at + size));
    at += size;
  }
  r.deframer.push(data.subarray(at));
  return r;
}

const NO_DROPS: Omit<DeframerStats, 'frames' | 'discardedBytes'> = { crc: 0, short: 0, escape: 0, oversize: 0 };


t.test('encodeFrame writes flags, stuffed body and stuffed FCS', async (t) => {
  t.strictSame([...encodeFrame(Uint8Array.from(PLAIN_BODY))], PLAIN_FRAME, 'nothing to stuff');
  t.strictSame([...encodeFrame(Uint8Array.from(FLAG_BODY))], FLAG_FRAME, '0x7E in body and FCS');
  t.strictSame([...encodeFrame(Uint8Array.from(ESCAPE_BODY))], ESCAPE_FRAME, '0x7D in body and FCS');
  t.strictSame([...encodeFrame(new Uint8Array(0))], [0x7e, 0x00, 0x00, 0x7e], 'empty body: FCS 0x0000');
});

t.test('encodeFrame refuses a body over MAX_BODY', async (t) => {
  t.equal(MAX_BODY, 2048);
  t.throws(() => encodeFrame(new Uint8Array(MAX_BODY + 1)), RangeError);
  const r = feed([...encodeFrame(new Uint8Array(MAX_BODY).fill(0x7e))]);
  t.equal(r.frames.length, 1, 'a body of exactly MAX_BODY octets, all stuffed, still arrives');
  t.equal(r.frames[0]?.length, MAX_BODY);
  t.strictSame(r.errors, []);
});

t.test('the deframer reads the hand-written frames', async (t) => {
  const r = feed([...PLAIN_FRAME, ...FLAG_FRAME, ...ESCAPE_FRAME]);
  t.strictSame(r.frames, [PLAIN_BODY, FLAG_BODY, ESCAPE_BODY]);
  t.strictSame(r.errors, []);
  t.strictSame(r.deframer.stats, { frames: 3, ...NO_DROPS, discardedBytes: 0 });
});

t.test('every possible chunking of a stream gives the same frames', async (t) => {
  // 16 bytes: 2^15 ways to cut them into chunks.
  const stream = [...FLAG_FRAME, ...ESCAPE_FRAME];
  const gaps = stream.length - 1;
  let bad = 0;
  for (let mask = 0; mask < 1 << gaps; mask++) {
    const chunks: number[] = [];
    let size = 1;
    for (let gap = 0; gap < gaps; gap++) {
      if (mask & (1 << gap)) {
        chunks.push(size);
        size = 1;
      } else size++;
    }
    const r = feed(stream, chunks);
    if (r.frames.length !== 2 || r.errors.length !== 0 || String(r.frames) !== String([FLAG_BODY, ESCAPE_BODY])) {
      if (bad++ < 3) t.fail(`chunking ${mask.toString(2)} gave ${JSON.stringify(r.frames)} / ${r.errors.map(String)}`);
    }
  }
  t.equal(bad, 0, `all ${1 << gaps} chunkings agree`);
});

t.test('one byte at a time and random splits over a long stream', async (t) => {
  const seed = 0x5eed0001;
  const rand = mulberry32(seed);
  const bodies: number[][] = [];
  const stream: number[] = [];
  for (let i = 0; i < 200; i++) {
    const body = Array.from({ length: 1 + Math.floor(rand() * 40) }, () => (rand() < 0.2 ? 0x7d + Math.floor(rand() * 2) : Math.floor(rand() * 256)));
    bodies.push(body);
    stream.push(...encodeFrame(Uint8Array.from(body)));
  }
  const byteAtATime = feed(stream, Array<number>(stream.length).fill(1));
  t.strictSame(byteAtATime.frames, bodies, 'one byte per push');
  t.strictSame(byteAtATime.errors, []);
  for (let round = 0; round < 50; round++) {
    const chunks: number[] = [];
    for (let left = stream.length; left > 0; ) {
      const size = Math.min(left, Math.floor(rand() * 64));
      chunks.push(size); // zero-length pushes included on purpose
      left -= size;
    }
    const r = feed(stream, chunks);
    if (r.frames.length !== bodies.length || r.errors.length) t.fail(`seed ${seed} round ${round}: ${r.frames.length} frames, ${r.errors.length} errors`);
  }
  t.pass('50 random chunkings agree');
});

t.test('back-to-back flags are idle fill', async (t) => {
  const r = feed([0x7e, 0x7e, 0x7e, ...PLAIN_FRAME, 0x7e, 0x7e, ...FLAG_FRAME, 0x7e]);
  t.strictSame(r.frames, [PLAIN_BODY, FLAG_BODY]);
  t.strictSame(r.errors, []);
  t.strictSame(r.deframer.stats, { frames: 2, ...NO_DROPS, discardedBytes: 0 });
});

t.test('resynchronises after garbage', async (t) => {
  t.test('before the first flag', async (t) => {
    const r = feed([0x00, 0x31, 0xff, 0x7d, 0x20, ...PLAIN_FRAME]);
    t.strictSame(r.frames, [PLAIN_BODY]);
    t.strictSame(r.errors, [], 'line noise before the first flag is not a frame');
    t.equal(r.deframer.stats.discardedBytes, 5);
  });

  t.test('between frames', async (t) => {
    const r = feed([...PLAIN_FRAME, 0x12, 0x34, 0x56, 0x78, ...FLAG_FRAME]);
    t.strictSame(r.frames, [PLAIN_BODY, FLAG_BODY], 'both frames survive');
    t.strictSame(r.errors.map((e) => e.code), ['crc'], 'the garbage is one bad frame between two flags');
    t.equal(r.deframer.stats.crc, 1);
    t.equal(r.deframer.stats.discardedBytes, 4);
  });

  t.test('inside a frame', async (t) => {
    const broken = [...PLAIN_FRAME];
    broken.splice(5, 0, 0xee);
    const r = feed([...broken, ...ESCAPE_FRAME]);
    t.strictSame(r.frames, [ESCAPE_BODY], 'the damaged frame is lost, the next one arrives');
    t.strictSame(r.errors.map((e) => e.code), ['crc']);
  });

  t.test('a flag inside a frame', async (t) => {
    const broken = [...PLAIN_FRAME];
    broken.splice(5, 0, 0x7e);
    const r = feed([...broken, ...ESCAPE_FRAME]);
    t.strictSame(r.frames, [ESCAPE_BODY]);
    t.strictSame(r.errors.map((e) => e.code), ['crc', 'crc'], 'split into two pieces, each fails its FCS');
  });
});

t.test('each kind of bad frame is counted under its reason and reported', async (t) => {
  const oversize = [0x7e, ...Array<number>(MAX_BODY + 3).fill(0x31), 0x7e];
  const cases: { name: string; bytes: number[]; code: keyof typeof NO_DROPS; offset: number }[] = [
    // 0x7D must be followed by 0x5E or 0x5D; 0x41 is at stream offset 3.
    { name: 'bad escape', bytes: [0x7e, 0x31, 0x7d, 0x41, 0x32, 0x33, 0x7e], code: 'escape', offset: 3 },
    { name: 'dangling escape', bytes: [0x7e, 0x31, 0x32, 0x33, 0x7d, 0x7e], code: 'escape', offset: 5 },
    { name: 'too short', bytes: [0x7e, 0x31, 0x32, 0x7e], code: 'short', offset: 3 },
    { name: 'oversize', bytes: oversize, code: 'oversize', offset: MAX_BODY + 3 },
    { name: 'bad FCS', bytes: [...PLAIN_FRAME.slice(0, 10), 0x6e, 0x91, 0x7e], code: 'crc', offset: 12 },
  ];
  for (const c of cases) {
    t.test(c.name, async (t) => {
      const r = feed([...c.bytes, ...PLAIN_FRAME]);
      t.strictSame(r.frames, [PLAIN_BODY], 'the next frame still arrives');
      t.equal(r.errors.length, 1, 'reported once');
      const err = r.errors[0];
      t.type(err, CardCodecError);
      t.equal(err?.code, c.code);
      t.equal(err?.offset, c.offset, 'offset names the stream byte where the frame was given up');
      t.strictSame({ ...r.deframer.stats, discardedBytes: 0 }, { frames: 1, ...NO_DROPS, [c.code]: 1, discardedBytes: 0 });
      t.ok(r.deframer.stats.discardedBytes > 0, 'discarded bytes counted');
    });
  }
});

import { isDeepStrictEqual } from 'node:util';
import t from 'tap';
import { seededRandom } from '../../../random.js';
import { decodeIsup, encodeIsup } from './isup-codec.js';
import { ISUP_MESSAGES } from './isup-messages.js';
import { decodeMsu } from './msu.js';
import { labelLength, type Mtp3Variant } from './index.js';
import { Ss7CodecError } from './ss7-codec-error.js';

// Seeded random input: whatever comes off the link, the decoder either reads it or throws its
// own Ss7CodecError, never anything else; and whatever it reads, the encoder writes again and
// reads back the same. A failure names its seed; rerun with SS7_RANDOM_SEED=<seed>.
const SEED = Number(process.env.SS7_RANDOM_SEED ?? 0x5eed7);
const ROUNDS = 20_000;

/** Well-formed SIFs to mutate: the message types with parameters, and one without. */
const SEEDS = [
  '070001002001' + '0a03' + '0207' + '0503105995f8' + '0a088313310810830000' + '00', // IAM
  '07000202000380760f', // SAM
  '02000501', // COT
  '0100061604011202829129010100', // ACM
  '030007150400', // CON
  '040009011102161400', // ANM
  '06000c02060440809f01fe01ab00', // REL
  '08000d0100', // SUS
  '090010011202829f00', // RLC
  'bc0a12', // RSC
  '01001701011d', // GRS
  '2100180001020783', // CGB
  '21001901010309ff03', // CGU
  '01002901051d04000020', // GRA
  '01002b02030103040c052c03', // CQR
  '0c002c010129010100', // CPG
  '03002f02000382e1fe', // CFN
].map((hex) => Uint8Array.from(Buffer.from(hex, 'hex')));

t.test('the seeds are well formed, and cover most message types', async (t) => {
  const types = new Set(SEEDS.map((s) => decodeIsup(s).type));
  t.ok(types.size >= 17, `${types.size} types among the seeds`);
  t.ok([...types].every((type) => type in ISUP_MESSAGES));
});

t.test(`random and mutated MSUs (seed ${SEED})`, async (t) => {
  const random = seededRandom(SEED);
  const int = (n: number) => Math.floor(random() * n);
  const counts = { isup: 0, 'link-test': 0, other: 0, refused: 0, reencoded: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const variant: Mtp3Variant = round % 2 ? 'itu' : 'china';
    const msu = candidate(variant, int, random);
    let decoded;
    try {
      decoded = decodeMsu(msu, variant);
    } catch (err) {
      if (!(err instanceof Ss7CodecError)) {
        t.fail(`round ${round}: ${Buffer.from(msu).toString('hex')} threw ${(err as Error).name}: ${(err as Error).message}`);
        return;
      }
      counts.refused++;
      continue;
    }
    counts[decoded.kind]++;
    if (decoded.kind !== 'isup') continue;
    // What was read is written again without complaint, and reads back the same.
    const again = encodeIsup(decoded.message);
    if (!isDeepStrictEqual(decodeIsup(again), decoded.message)) {
      t.fail(`round ${round}: ${Buffer.from(msu).toString('hex')} does not survive a second round`);
      return;
    }
    counts.reencoded++;
  }
  t.ok(counts.isup > ROUNDS / 10 && counts.refused > ROUNDS / 10, `a fair share of each outcome: ${JSON.stringify(counts)}`);
  t.ok(counts['link-test'] > 0, 'some link test messages too');
});

/** An MSU: a header with a random service indicator, then a mutated seed, or plain noise. */
function candidate(variant: Mtp3Variant, int: (n: number) => number, random: () => number): Uint8Array {
  if (random() < 0.1) return Uint8Array.from({ length: int(40) }, () => int(256));
  const si = random() < 0.8 ? 5 : random() < 0.5 ? 1 : int(16);
  const sif = si === 1 ? [0x11 + (random() < 0.5 ? 0x10 : 0), int(256), ...Array.from({ length: int(18) }, () => int(256))] : [...SEEDS[int(SEEDS.length)]!];
  // Flip a few octets, cut the end or add some.
  for (let n = int(4); n > 0; n--) if (sif.length > 0) sif[int(sif.length)] = random() < 0.5 ? int(256) : sif[int(sif.length)]! ^ (1 << int(8));
  if (random() < 0.2) sif.length = int(sif.length + 1);
  if (random() < 0.1) sif.push(...Array.from({ length: int(8) }, () => int(256)));
  const header = Array.from({ length: 1 + labelLength(variant) }, () => int(256));
  header[0] = (header[0]! & 0xf0) | si;
  return Uint8Array.from([...header, ...sif]);
}

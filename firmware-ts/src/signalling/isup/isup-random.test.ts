import { isDeepStrictEqual } from 'node:util';
import t, { type Test } from 'tap';
import { IsupCodecError } from './isup-codec-error.js';
import { ISUP_MESSAGES, type IsupMessage } from './isup-messages.js';
import { decodeIsupMsu, encodeIsupMsu, type IsupRoute } from './isup-msu.js';
import type { Mtp3Variant } from '../mtp3/mtp3-label.js';

// Seeded random inputs. A failure names its seed and case; rerun with ISUP_RANDOM_SEED=<seed>.
const SEED = Number(process.env.ISUP_RANDOM_SEED ?? 0x5eed7);
t.comment(`ISUP random seed ${SEED} (rerun with ISUP_RANDOM_SEED=${SEED})`);

/** mulberry32: small and repeatable from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  return { int, chance: (p: number) => next() < p, bytes: (n: number) => Array.from({ length: n }, () => int(256)) };
}

const ROUTES: Record<Mtp3Variant, IsupRoute> = {
  itu: { variant: 'itu', ni: 'national', dpc: 4901, opc: 7745 },
  china: { variant: 'china', ni: 'national', dpc: 0x010203, opc: 0x0a141e },
};
const HEAD = { itu: 5, china: 8 };
const CODES = Object.values(ISUP_MESSAGES).map((m) => m.code);

const fci = { international: false, endToEndMethod: 'none', interworking: false, endToEndInformation: false, isupAllTheWay: true, isupPreference: 'preferred', isdnAccess: true, sccpMethod: 'none', national: 0 } as const;
const bci = { charge: 'charge', calledPartysStatus: 'subscriber-free', calledPartysCategory: 'ordinary', endToEndMethod: 'none', interworking: false, endToEndInformation: false, isupAllTheWay: true, holdingRequested: false, isdnAccess: false, echoControlDevice: false, sccpMethod: 'none' } as const;
const cause = { codingStandard: 'itu-t', location: 2, causeValue: 16, diagnostics: Uint8Array.from([0x55]) } as const;
const raw = [{ code: 0x31, data: Uint8Array.from([0, 9]) }];
const status = (n: number) => Array.from({ length: n }, (_, i) => i % 3 === 0);

/** One or more well-formed messages of every type: the seeds for mutation and truncation. */
const SAMPLES: IsupMessage[] = [
  {
    type: 'IAM',
    cic: 1,
    natureOfConnection: { satellite: 1, continuityCheck: 'required', echoControlDevice: true },
    forwardCallIndicators: fci,
    callingPartysCategory: 10,
    transmissionMediumRequirement: 3,
    calledPartyNumber: { natureOfAddress: 3, inn: 'allowed', numberingPlan: 1, digits: '12345', endOfPulsing: true },
    callingPartyNumber: { natureOfAddress: 4, numberIncomplete: false, numberingPlan: 1, presentation: 'restricted', screening: 'network-provided', digits: '8613912345678' },
    originalCalledNumber: { natureOfAddress: 3, numberingPlan: 1, presentation: 'allowed', digits: '5551' },
    otherParameters: raw,
  },
  { type: 'COT', cic: 2, continuity: 'failed' },
  { type: 'ACM', cic: 3, backwardCallIndicators: bci, causeIndicators: cause, optionalBackwardCallIndicators: { inbandInformation: true, callDiversionMayOccur: false, simpleSegmentation: false, mlppUser: false, national: 0 } },
  { type: 'CON', cic: 4, backwardCallIndicators: bci, otherParameters: raw },
  { type: 'ANM', cic: 5, backwardCallIndicators: bci },
  { type: 'ANM', cic: 5 },
  { type: 'REL', cic: 6, causeIndicators: cause, otherParameters: raw },
  { type: 'RLC', cic: 7, causeIndicators: cause },
  ...(['CCR', 'RSC', 'BLO', 'UBL', 'BLA', 'UBA'] as const).map((type, i) => ({ type, cic: 100 + i })),
  { type: 'GRS', cic: 1, rangeAndStatus: { range: 29 } },
  { type: 'CGB', cic: 1, supervisionType: 'maintenance', rangeAndStatus: { range: 9, status: status(10) } },
  { type: 'CGU', cic: 1, supervisionType: 'hardware-failure', rangeAndStatus: { range: 9, status: status(10) } },
  { type: 'CGBA', cic: 1, supervisionType: 'maintenance', rangeAndStatus: { range: 31, status: status(32) } },
  { type: 'CGUA', cic: 1, supervisionType: 'hardware-failure', rangeAndStatus: { range: 0, status: [true] } },
  { type: 'GRA', cic: 1, rangeAndStatus: { range: 29, status: status(30) } },
];

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/**
 * Decodes; anything but an IsupCodecError fails the test. A decoded message must encode
 * again and decode to the same thing (what we send is what we understood).
 */
function check(t: Test, bytes: Uint8Array, variant: Mtp3Variant, label: string): 'decoded' | IsupCodecError | 'failed' {
  let decoded;
  try {
    decoded = decodeIsupMsu(bytes, variant);
  } catch (err) {
    if (err instanceof IsupCodecError && err.offset >= 0 && err.offset <= bytes.length) return err;
    t.fail(`${label} (seed ${SEED}): ${hex(bytes)} threw ${String(err)}`);
    return 'failed';
  }
  try {
    const again = decodeIsupMsu(encodeIsupMsu(decoded.label, decoded.message), variant);
    // Optional parameters with a spare value are left out of the message (never sent on).
    const { invalidParameters: _dropped, ...understood } = decoded.message as typeof decoded.message & { invalidParameters?: unknown };
    if (isDeepStrictEqual(again, { ...decoded, message: understood })) return 'decoded';
    t.fail(`${label} (seed ${SEED}): ${hex(bytes)} does not survive re-encoding`, { found: again, wanted: decoded });
  } catch (err) {
    t.fail(`${label} (seed ${SEED}): ${hex(bytes)} decoded but did not re-encode: ${String(err)}`);
  }
  return 'failed';
}

for (const variant of ['itu', 'china'] as const) {
  t.test(`${variant}: random bytes yield a message or an IsupCodecError, nothing else`, async (t) => {
    const r = random(SEED);
    let decoded = 0;
    let failures = 0;
    for (let i = 0; i < 5000 && failures < 5; i++) {
      const body = r.bytes(r.int(48));
      // Half the cases look like ISUP so that the decoder gets past the first checks.
      if (r.chance(0.5)) body.splice(0, 0, 0x85, ...r.bytes(HEAD[variant] - 1), r.int(256), r.int(16), CODES[r.int(CODES.length)]!);
      const result = check(t, Uint8Array.from(body), variant, `case ${i}`);
      if (result === 'decoded') decoded++;
      if (result === 'failed') failures++;
    }
    t.equal(failures, 0, 'no foreign exception');
    t.comment(`${decoded} random inputs decoded`);
  });

  t.test(`${variant}: mutated messages yield a message or an IsupCodecError`, async (t) => {
    const r = random(SEED + 1);
    const codes = new Set<string>();
    let decoded = 0;
    let failures = 0;
    for (let i = 0; i < 5000 && failures < 5; i++) {
      const bytes = [...encodeIsupMsu(ROUTES[variant], SAMPLES[r.int(SAMPLES.length)]!)];
      for (let n = 1 + r.int(3); n > 0; n--) {
        const at = r.int(bytes.length);
        const how = r.int(3);
        if (how === 0) bytes[at] = r.int(256);
        else if (how === 1) bytes.splice(at, 1);
        else bytes.splice(at, 0, r.int(256));
      }
      const result = check(t, Uint8Array.from(bytes), variant, `mutation ${i}`);
      if (result === 'decoded') decoded++;
      else if (result === 'failed') failures++;
      else codes.add(result.code);
    }
    t.equal(failures, 0, 'no foreign exception');
    t.ok(decoded > 0, `some mutations still decode (${decoded})`);
    t.comment(`error codes seen: ${[...codes].sort().join(', ')}`);
  });

  t.test(`${variant}: every truncation is reported where the input stopped`, async (t) => {
    for (const message of SAMPLES) {
      const full = encodeIsupMsu(ROUTES[variant], message);
      t.same(decodeIsupMsu(full, variant).message, message, `${message.type} whole`);
      const wrong: string[] = [];
      for (let n = 0; n < full.length; n++) {
        try {
          decodeIsupMsu(full.subarray(0, n), variant);
          wrong.push(`${n}: decoded`);
        } catch (err) {
          if (!(err instanceof IsupCodecError) || err.code !== 'truncated' || err.offset !== n) wrong.push(`${n}: ${String(err)}`);
        }
      }
      t.same(wrong, [], `${message.type}: each of ${full.length} prefixes is 'truncated' at its own length`);
    }
  });
}
